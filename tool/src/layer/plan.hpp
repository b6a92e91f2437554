// What goes into one layer: the in-image entries, decided from the spec and
// the build machine's files, sorted and complete with parent directories.
#pragma once

#include "layer/entry.hpp"
#include "spec/spec.hpp"

#include <filesystem>
#include <set>
#include <vector>

namespace ocipack::layer {

struct Plan {
  std::vector<Entry> entries;      // sorted bytewise by path, parents first
  std::vector<ElfFile> elf_files;  // the sources with elf = true: build targets
  // Other regular files added that start with the ELF magic (plugins,
  // prebuilt programs, in added directories too): their libraries are
  // resolved like the targets'.
  std::vector<ElfFile> added_elf_files;
};

// Builds the plan of one layer. Every directory and symlink looked at is
// added to `inputs` (for the depfile; the regular files are the entries'
// sources). Throws Error naming the offending path.
Plan plan_layer(const spec::LayerSpec& layer, std::set<std::string>& inputs);

// /etc/passwd and /etc/group (root, nobody, nonroot 65532), /tmp 1777 and
// the homes: the SKELETON layer.
Plan skeleton();

// Adds every missing parent directory (0755) and sorts bytewise by path;
// the same path twice is an error unless both are directories or the same
// content. Also run on the runtime dependencies layer's entries.
void finalize(std::vector<Entry>& entries);

}  // namespace ocipack::layer
