// `ocipack index`: single-platform image tarballs in, one multi-platform
// image tarball out (an OCI image index, one entry per platform).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ocipack::build {

struct IndexOptions {
  std::vector<std::filesystem::path> inputs;
  std::filesystem::path output;
  std::vector<std::string> tags;  // empty: the tags of the first input
  std::int64_t source_date_epoch = 0;
};

void run_index(const IndexOptions& options);

}  // namespace ocipack::build
