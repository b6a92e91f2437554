#include "util/escape.hpp"

namespace ocipack::util {

std::string escape_bytes(std::string_view value, bool (*keep)(unsigned char), char marker) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (keep(c)) {
      out += static_cast<char>(c);
    } else {
      out += marker;
      out += digits[c >> 4];
      out += digits[c & 0xf];
    }
  }
  return out;
}

}  // namespace ocipack::util
