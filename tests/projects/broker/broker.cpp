// A daemon that reads its configuration, loads the plugin it names with
// dlopen() and says who it runs as.
#include <dlfcn.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  const std::string config = argc > 1 ? argv[1] : "/etc/broker/broker.conf";
  std::ifstream in(config);
  if (!in) {
    std::cerr << "broker: cannot read " << config << "\n";
    return 1;
  }
  std::string line, plugin;
  while (std::getline(in, line)) {
    const std::string key = "plugin = ";
    if (line.rfind(key, 0) == 0) plugin = line.substr(key.size());
  }
  if (plugin.empty()) {
    std::cerr << "broker: " << config << " names no plugin\n";
    return 1;
  }
  void* handle = dlopen(plugin.c_str(), RTLD_NOW);
  if (handle == nullptr) {
    std::cerr << "broker: cannot load " << plugin << ": " << dlerror() << "\n";
    return 1;
  }
  using Describe = const char* (*)();
  auto describe = reinterpret_cast<Describe>(dlsym(handle, "auth_plugin_describe"));
  if (describe == nullptr) {
    std::cerr << "broker: " << plugin << " is not an authentication plugin\n";
    return 1;
  }
  const passwd* pw = getpwuid(getuid());
  std::cout << "broker as " << (pw != nullptr ? pw->pw_name : "?") << " (uid " << getuid() << ", home "
            << (pw != nullptr ? pw->pw_dir : "?") << "): " << plugin << ": " << describe() << std::endl;
  return 0;
}
