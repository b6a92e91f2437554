// `ocipack build`: spec in, image tarball out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace ocipack::build {

// Layer descriptor annotation: where each file of the runtime dependencies
// layer came from ("<image path> <- <host path> (<why>)", one per line).
inline constexpr const char* kOriginsAnnotation = "dev.ocipack.origins";

struct Options {
  std::filesystem::path spec;
  std::filesystem::path output;
  std::optional<std::filesystem::path> depfile;
  std::optional<std::filesystem::path> cache_dir;  // per-layer blobs kept between builds
  std::int64_t source_date_epoch = 0;
};

// Reads SOURCE_DATE_EPOCH (0 when unset); throws Error if it is malformed.
std::int64_t source_date_epoch_from_env();

void run(const Options& options);

} // namespace ocipack::build
