#include "build/search_paths.hpp"

#include "elf/dynamic.hpp"

#include <algorithm>
#include <optional>
#include <string>

namespace ocipack::build {

namespace {

// The entries of `value` that the image can use: what the loader expands
// ($ORIGIN, $LIB, $PLATFORM), relative ones, and absolute directories that
// the image has.
std::string kept_entries(const std::string& value, const RootFs& files) {
  std::string kept;
  bool first = true;
  for (std::size_t start = 0; start <= value.size();) {
    std::size_t end = value.find(':', start);
    if (end == std::string::npos) end = value.size();
    const std::string entry = value.substr(start, end - start);
    start = end + 1;
    if (!entry.empty() && entry[0] == '/' && entry.find('$') == std::string::npos) {
      const layer::Entry* found = files.find(entry);
      if (found == nullptr || found->type != layer::Entry::Type::Directory) continue;
    }
    kept += (first ? "" : ":") + entry;
    first = false;
  }
  return kept;
}

void drop_in(std::vector<layer::Patch>& patches, const std::optional<std::string>& value,
             const std::optional<elf::StringAt>& at, const RootFs& files) {
  if (!value || !at) return;
  const std::string kept = kept_entries(*value, files);
  if (kept == *value) return;
  patches.push_back({at->offset, elf::padded_search_path(kept, at->size)});
}

}  // namespace

void drop_foreign_search_paths(layer::Entry& entry, const RootFs& files) {
  if (entry.type != layer::Entry::Type::File || entry.source.empty()) return;
  const elf::Object object = elf::read_object(entry.source);
  std::vector<layer::Patch> patches = entry.patches.list();
  drop_in(patches, object.rpath, object.rpath_at, files);
  drop_in(patches, object.runpath, object.runpath_at, files);
  // Patches go in file order; DT_RPATH and DT_RUNPATH may lie either way round.
  std::sort(patches.begin(), patches.end(),
            [](const layer::Patch& a, const layer::Patch& b) { return a.offset < b.offset; });
  entry.patches = std::move(patches);
}

}  // namespace ocipack::build
