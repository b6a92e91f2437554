// The time 1700000000 (2023-11-14 22:13:20 UTC) in Europe/Paris.
#include <cstdlib>
#include <ctime>
#include <iostream>

int main() {
  setenv("TZ", "Europe/Paris", 1);
  tzset();
  const std::time_t t = 1700000000;
  std::tm local{};
  localtime_r(&t, &local);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %Z", &local);
  std::cout << "Europe/Paris: " << text << std::endl;
  return 0;
}
