#include "build/command_check.hpp"

#include "util/error.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace ocipack::build {

void check_command(const oci::ContainerConfig& config, const RootFs& files) {
  const bool has_entrypoint = config.entrypoint && !config.entrypoint->empty();
  const std::vector<std::string>* argv = has_entrypoint ? &*config.entrypoint : (config.cmd ? &*config.cmd : nullptr);
  if (argv == nullptr || argv->empty()) return;
  const std::string& program = argv->front();
  const char* what = has_entrypoint ? "ENTRYPOINT" : "CMD";
  std::vector<std::string> candidates;
  std::string searched;
  if (program.find('/') != std::string::npos) {
    std::string workdir = config.working_dir.empty() ? "/" : config.working_dir;
    candidates.push_back(program[0] == '/' ? program : workdir + "/" + program);
  } else {
    for (const auto& e : config.env) {
      if (e.rfind("PATH=", 0) != 0) continue;
      searched = e;
      std::string dirs = e.substr(5);
      std::size_t i = 0;
      while (i <= dirs.size()) {
        std::size_t j = dirs.find(':', i);
        if (j == std::string::npos) j = dirs.size();
        std::string dir = dirs.substr(i, j - i);
        if (!dir.empty()) candidates.push_back(dir + "/" + program);
        i = j + 1;
      }
    }
  }
  for (const auto& c : candidates) {
    const layer::Entry* e = files.find(c);
    if (e == nullptr) continue;
    if (e->type != layer::Entry::Type::File || (e->mode & 0111) == 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", e->mode);
      throw Error(
          std::string(what) + " program \"" + program + "\" (" + c + ") is not an executable file in the image (" +
          (e->type == layer::Entry::Type::Directory ? std::string("a directory") : std::string("mode ") + mode) + ")");
    }
    return;
  }
  throw Error(std::string(what) + " program \"" + program + "\" is not in the image" +
              (searched.empty() ? std::string() : " (searched " + searched + ")") +
              "; add it with TARGETS or container_image_add_files()");
}

}  // namespace ocipack::build
