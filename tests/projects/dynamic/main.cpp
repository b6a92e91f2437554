#include <iostream>
#include <string>
std::string greeting();
int main() {
  std::cout << greeting() << " (version A)\n";
  return 0;
}
