#include "util/error.hpp"

#include <cerrno>
#include <cstring>

namespace ocipack {

void throw_errno(const std::string& message) {
  throw Error(message + ": " + std::strerror(errno));
}

} // namespace ocipack
