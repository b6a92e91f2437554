// dropper             as root: become "worker", write /data/hello.txt
// dropper --show      print /data/hello.txt and its owner
// dropper --whoami    print who runs it, and its home directory's owner
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

int whoami() {
  const passwd* pw = getpwuid(getuid());
  if (pw == nullptr) {
    std::cerr << "dropper: uid " << getuid() << " has no passwd entry\n";
    return 1;
  }
  struct stat home {};
  if (stat(pw->pw_dir, &home) != 0) {
    std::cerr << "dropper: no home directory " << pw->pw_dir << "\n";
    return 1;
  }
  const group* gr = getgrgid(getgid());
  std::cout << pw->pw_name << " " << getuid() << ":" << getgid() << " group " << (gr != nullptr ? gr->gr_name : "?")
            << " home " << pw->pw_dir << " owned by " << home.st_uid << ":" << home.st_gid << " mode " << std::oct
            << (home.st_mode & 07777) << " shell " << pw->pw_shell << std::endl;
  return 0;
}

int show() {
  struct stat st {};
  std::ifstream in("/data/hello.txt");
  if (!in || stat("/data/hello.txt", &st) != 0) {
    std::cerr << "dropper: no /data/hello.txt\n";
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::cout << "owner " << st.st_uid << ":" << st.st_gid << ": " << text.str();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "--whoami") return whoami();
  if (mode == "--show") return show();
  const passwd* pw = getpwnam("worker");
  if (pw == nullptr) {
    std::cerr << "dropper: no user worker\n";
    return 1;
  }
  if (setgroups(0, nullptr) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
    std::perror("dropper: cannot drop privileges");
    return 1;
  }
  if (setuid(0) == 0) {
    std::cerr << "dropper: still able to become root\n";
    return 1;
  }
  std::ofstream out("/data/hello.txt");
  out << "written by worker (uid " << getuid() << ")\n";
  if (!out.flush()) {
    std::cerr << "dropper: cannot write /data/hello.txt as worker\n";
    return 1;
  }
  std::cout << "dropped to worker (uid " << getuid() << "), wrote /data/hello.txt" << std::endl;
  return 0;
}
