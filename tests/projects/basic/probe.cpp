// Reports what the container runtime gave it, for the end-to-end tests.
#include <fstream>
#include <iostream>
#include <unistd.h>

int main(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) std::cout << "arg" << i << "=" << argv[i] << "\n";
  for (const char* name : {"APP_MODE", "GREETING", "PATH"}) {
    const char* v = getenv(name);
    std::cout << "env " << name << "=" << (v ? v : "(unset)") << "\n";
  }
  char cwd[4096];
  std::cout << "cwd=" << (getcwd(cwd, sizeof cwd) ? cwd : "?") << "\n";
  std::cout << "uid=" << getuid() << " gid=" << getgid() << "\n";
  for (const char* path : {"/etc/basic/assets/message.txt", "/srv/app/probe.txt"}) {
    std::ifstream in(path);
    std::string line;
    if (std::getline(in, line)) std::cout << "file " << path << ": " << line << "\n";
  }
  return 0;
}
