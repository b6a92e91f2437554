// The image's file system as the container will see it: the base layers
// (whiteouts and opaque directories applied, in order) under ocipack's own
// layers. The build-time checks ask it what a path is (through the image's
// symlinks), and it reads a file's content from whichever layer has it.
#pragma once

#include "archive/base.hpp"
#include "layer/entry.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ocipack::build {

class RootFs {
public:
  // The layers of `base`, bottom first. `base` must outlive the view: its
  // layers are read again when read() asks for one of their files.
  void add_base(const archive::BaseImage& base);
  // One of ocipack's layers, above everything added before.
  void add(const std::vector<layer::Entry>& entries);

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
  struct Node {
    layer::Entry entry;
    const archive::BaseLayer* base_layer = nullptr;  // null: one of ours
    std::string in_layer;                            // base: the tar entry holding the bytes
  };
  const Node* resolve(const std::string& path) const;
  bool has_children(const std::string& path) const;
  void erase_under(const std::string& prefix);

  const archive::BaseImage* m_base = nullptr;
  std::map<std::string, Node> m_files;  // by path without the leading '/'
};

}  // namespace ocipack::build
