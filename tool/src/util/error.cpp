#include "util/error.hpp"

#include <cerrno>
#include <cstring>

namespace ocipack {

void throw_errno(const std::string& message) { throw Error(message + ": " + std::strerror(errno)); }

std::string printable(const std::string& value) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace ocipack
