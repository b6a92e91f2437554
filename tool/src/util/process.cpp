#include "util/process.hpp"

#include "util/error.hpp"

#include <cerrno>
#include <cstring>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace ocipack::util {

void run_program(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (int rc = ::posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ); rc != 0) {
    throw Error("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("waiting for " + argv[0]);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  std::string command;
  for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
  throw Error(command + " " +
              (WIFEXITED(status) ? "failed with exit status " + std::to_string(WEXITSTATUS(status))
                                 : "was killed by signal " + std::to_string(WTERMSIG(status))));
}

}  // namespace ocipack::util
