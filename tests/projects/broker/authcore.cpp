// The plugin's own library: what a real plugin would link (a client of an
// identity service, a password hashing library).
#include <string>

std::string authcore_describe() { return "authcore 1.0"; }
