// Prints who and where it runs, for the base image tests.
#include <iostream>
#include <unistd.h>
#ifndef APP_NAME
#define APP_NAME "app"
#endif
int main() {
  char cwd[4096];
  std::cout << APP_NAME << " says hi as uid=" << getuid() << " in " << (getcwd(cwd, sizeof cwd) ? cwd : "?")
            << "\n";
  return 0;
}
