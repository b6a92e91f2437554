// `ocipack inspect`: a readable (or JSON) summary of an image tarball.
#pragma once

#include <filesystem>
#include <iosfwd>

namespace ocipack::cli {

void inspect(const std::filesystem::path& tarball, bool as_json, std::ostream& out);

}  // namespace ocipack::cli
