// Says which machine it was built for and which one it runs on.
#include <iostream>
#include <sys/utsname.h>

int main() {
#if defined(__aarch64__)
  const char* built_for = "arm64";
#elif defined(__x86_64__)
  const char* built_for = "amd64";
#else
  const char* built_for = "another architecture";
#endif
  utsname u{};
  uname(&u);
  std::cout << "hello from a C++ program built for " << built_for << ", running on " << u.machine << "\n";
  return 0;
}
