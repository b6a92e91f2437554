#include <string>
std::string greeting() { return "greeting from libgreet.so.1.2.3"; }
