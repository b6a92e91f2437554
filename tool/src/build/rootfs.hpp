// The image's file system as the container will see it: the base layers
// (whiteouts and opaque directories applied, in order) under ocipack's own
// layers. The build-time checks ask it what a path is (through the image's
// symlinks), and it reads a file's content from whichever layer has it.
#pragma once

#include "archive/base.hpp"
#include "layer/entry.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocipack::build {

class RootFs {
public:
  // Moved, never copied: a copy's pointers would name the original's entries.
  RootFs() = default;
  RootFs(const RootFs&) = delete;
  RootFs& operator=(const RootFs&) = delete;
  RootFs(RootFs&&) = default;
  RootFs& operator=(RootFs&&) = default;

  // The layers of `base`, bottom first. `base` must outlive the view: its
  // layers are read again when read() asks for one of their files.
  void add_base(const archive::BaseImage& base);
  // One of ocipack's layers, above everything added before. The view keeps
  // pointers to the entries: they must stay where they are (a vector that
  // is moved keeps its elements in place) and outlive it.
  void add(const std::vector<layer::Entry>& entries);
  // The same for entries the view keeps itself.
  void add(std::vector<layer::Entry>&& entries);

  // `path` (absolute or not) as the kernel would open it, through the
  // image's symlinks; nullptr when there is nothing there. A directory that
  // a layer only implies (it holds files, but has no entry) has no Entry
  // either.
  const layer::Entry* find(const std::string& path) const;

  // The content of the regular file at `path` (symlinks followed), from
  // the layer it comes from; nullopt when the image has no regular file
  // there. A file larger than `max_bytes` is an Error.
  std::optional<std::string> read(const std::string& path, std::uint64_t max_bytes) const;

private:
  // A base file: pointers, not copies (an image of 100,000 files would
  // hold each twice).
  struct Node {
    const layer::Entry* entry = nullptr;             // one of m_base_entries
    const archive::BaseLayer* base_layer = nullptr;  // the layer holding the bytes
    std::string in_layer;                            // the tar entry holding them
  };
  // What a path is: one of our entries (base == nullptr) or a base file.
  struct Hit {
    const layer::Entry* entry = nullptr;
    const Node* base = nullptr;
  };
  Hit lookup(std::string_view path) const;
  Hit resolve(const std::string& path) const;
  bool has_children(std::string_view path) const;
  void erase_under(const std::string& prefix);

  const archive::BaseImage* m_base = nullptr;
  std::deque<layer::Entry> m_base_entries;                // the base's files as entries (a deque: they never move)
  std::map<std::string_view, Node> m_base_files;          // by path without the leading '/', viewing the entry's path
  std::deque<std::vector<layer::Entry>> m_owned_entries;  // add()ed as temporaries
  // Our layers, bottom first: each a list of its entries sorted by path
  // (a finalize()d layer is already: no map node per file, 8 bytes each).
  std::vector<std::vector<const layer::Entry*>> m_layers;
};

}  // namespace ocipack::build
