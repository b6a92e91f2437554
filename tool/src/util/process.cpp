#include "util/process.hpp"

#include "util/error.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ocipack::util {

namespace {

constexpr std::size_t kMaxOutput = 1 << 20;

std::vector<char*> c_args(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  return args;
}

// Waits for `pid`: its exit status, -1 when a signal ended it.
int wait_for(pid_t pid, const std::string& name, int* signal = nullptr) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("waiting for " + name);
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (signal != nullptr) *signal = WTERMSIG(status);
  return -1;
}

// A pipe whose ends are closed with the object.
struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0) throw_errno("cannot create a pipe");
  }
  ~Pipe() {
    close(0);
    close(1);
  }
  void close(int end) {
    if (fd[end] >= 0) ::close(fd[end]);
    fd[end] = -1;
  }
};

// Writes `input` to `to` and reads `from` until both are done (poll: a
// program that answers before it has read all of its input cannot block us).
std::string exchange(int& to, int from, const std::string& input) {
  std::string out;
  std::size_t sent = 0;
  if (input.empty()) {
    ::close(to);
    to = -1;
  }
  char buffer[65536];
  while (from >= 0) {
    pollfd fds[2] = {{from, POLLIN, 0}, {to, POLLOUT, 0}};
    if (::poll(fds, to >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    if (to >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t n = ::write(to, input.data() + sent, input.size() - sent);
      if (n > 0) sent += static_cast<std::size_t>(n);
      if (n < 0 || sent == input.size()) {
        ::close(to);
        to = -1;
      }
    }
    if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) {
      const ssize_t n = ::read(from, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (out.size() < kMaxOutput) out.append(buffer, std::min<std::size_t>(n, kMaxOutput - out.size()));
    }
  }
  if (to >= 0) ::close(to);
  to = -1;
  return out;
}

}  // namespace

void run_program(const std::vector<std::string>& argv) {
  std::vector<char*> args = c_args(argv);
  pid_t pid = 0;
  if (int rc = ::posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ); rc != 0) {
    throw Error("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  int signal = 0;
  const int status = wait_for(pid, argv[0], &signal);
  if (status == 0) return;
  std::string command;
  for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
  throw Error(command + " " +
              (status > 0 ? "failed with exit status " + std::to_string(status)
                          : "was killed by signal " + std::to_string(signal)));
}

ProgramOutput run_program_captured(const std::vector<std::string>& argv, const std::string& input) {
  Pipe in, out;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], STDOUT_FILENO);
  std::vector<char*> args = c_args(argv);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw Error("cannot run " + argv[0] + ": " + std::strerror(rc));
  in.close(0);
  out.close(1);
  // A helper that exits before reading its input must not kill us.
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);
  ProgramOutput result;
  try {
    result.out = exchange(in.fd[1], out.fd[0], input);
  } catch (...) {
    ::sigaction(SIGPIPE, &old, nullptr);
    wait_for(pid, argv[0]);
    throw;
  }
  ::sigaction(SIGPIPE, &old, nullptr);
  result.exit_status = wait_for(pid, argv[0]);
  return result;
}

std::optional<std::filesystem::path> find_program(const std::string& name, const std::string& search_path) {
  std::size_t start = 0;
  while (start <= search_path.size()) {
    std::size_t end = search_path.find(':', start);
    if (end == std::string::npos) end = search_path.size();
    const std::string dir = search_path.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) continue;  // an empty entry would mean the current directory: not trusted
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace ocipack::util
