// Byte-wise escaping for identifiers and URLs: what is not kept becomes a
// marker and two upper-case hex digits.
#pragma once

#include <string>
#include <string_view>

namespace ocipack::util {

// `value` with every byte for which `keep` is false written as `marker`
// followed by its two hex digits ('%' gives percent-encoding).
std::string escape_bytes(std::string_view value, bool (*keep)(unsigned char), char marker);

}  // namespace ocipack::util
