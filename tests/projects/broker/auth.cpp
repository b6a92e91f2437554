// The authentication plugin, loaded with dlopen() by the broker.
#include <string>

std::string authcore_describe();

extern "C" const char* auth_plugin_describe() {
  static const std::string text = "password checks by " + authcore_describe();
  return text.c_str();
}
