// What goes into one layer: the in-image entries, decided from the spec and
// the build machine's files, sorted and complete with parent directories.
#pragma once

#include "spec/spec.hpp"

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace ocipack::layer {

struct Entry {
  enum class Type { Directory, File, Symlink };

  std::string path; // in-image path without the leading '/': "usr/bin/app"
  Type type = Type::File;
  unsigned mode = 0644;               // permission bits only
  std::filesystem::path source;       // File: where the bytes come from
  std::uint64_t size = 0;             // File: size at planning time
  std::string link_target;            // Symlink
};

// A build target of the layer: where it comes from and where it lands.
struct ElfFile {
  std::filesystem::path source;
  std::string image_path; // absolute: "/usr/bin/app"
};

struct Plan {
  std::vector<Entry> entries;     // sorted bytewise by path, parents first
  std::vector<ElfFile> elf_files; // the sources with elf = true
};

// Builds the plan of one layer. Every file and directory looked at is added
// to `inputs` (for the depfile). Throws Error naming the offending path.
Plan plan_layer(const spec::LayerSpec& layer, std::set<std::filesystem::path>& inputs);

// Adds every missing parent directory (0755) and sorts bytewise by path;
// the same path twice is an error unless both are directories or the same
// content. Exposed for tests.
void finalize(std::vector<Entry>& entries);

} // namespace ocipack::layer
