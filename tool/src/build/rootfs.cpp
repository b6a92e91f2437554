#include "build/rootfs.hpp"

#include "layer/writer.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/path_walk.hpp"

#include <filesystem>

namespace ocipack::build {

namespace {

constexpr const char* kWhiteout = ".wh.";
constexpr const char* kOpaque = ".wh..wh..opq";

layer::Entry::Type type_of(char tar_type) {
  switch (tar_type) {
    case 'd': return layer::Entry::Type::Directory;
    case 'l': return layer::Entry::Type::Symlink;
    default: return layer::Entry::Type::File;
  }
}

}  // namespace

void RootFs::add_base(const archive::BaseImage& base) {
  m_base = &base;
  for (const auto& layer : base.layers) {
    // Whiteouts hide what the layers below have, not what their own layer
    // has: all of a layer's are applied before its files are added.
    std::vector<const archive::LayerFile*> files;
    for (const auto& f : layer.files) {
      const std::string path = archive::layer_path(f.path);
      const std::size_t slash = path.rfind('/');
      const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
      const std::string name = path.substr(slash == std::string::npos ? 0 : slash + 1);
      if (name == kOpaque) {
        erase_under(dir);  // opaque directory: hides what lower layers had in it
      } else if (name.rfind(kWhiteout, 0) == 0) {
        const std::string gone = dir + name.substr(4);
        m_files.erase(gone);
        erase_under(gone + "/");
      } else {
        files.push_back(&f);
      }
    }
    for (const archive::LayerFile* f : files) {
      layer::Entry& e = m_base_entries.emplace_back();
      e.path = archive::layer_path(f->path);
      e.type = type_of(f->type);
      e.mode = f->mode;
      e.link_target = f->link;
      Node n;
      n.entry = &e;
      n.base_layer = &layer;
      // A hard link's bytes are its target's, an entry of the same layer.
      n.in_layer = f->type == 'h' ? archive::layer_path(f->link) : e.path;
      m_files.insert_or_assign(e.path, std::move(n));
    }
  }
}

void RootFs::add(const std::vector<layer::Entry>& entries) {
  for (const auto& e : entries) m_files.insert_or_assign(e.path, Node{&e, nullptr, {}});
}

void RootFs::add(std::vector<layer::Entry>&& entries) { add(m_owned_entries.emplace_back(std::move(entries))); }

const RootFs::Node* RootFs::resolve(const std::string& path) const {
  const util::PathWalk w = util::walk_path(path, [this](const std::string& p) {
    const std::string_view key = std::string_view(p).substr(1);
    auto it = m_files.find(key);
    if (it == m_files.end()) {
      return util::PathNode{has_children(key) ? util::PathNode::Type::Directory : util::PathNode::Type::Missing, {}};
    }
    switch (it->second.entry->type) {
      case layer::Entry::Type::Directory: return util::PathNode{util::PathNode::Type::Directory, {}};
      case layer::Entry::Type::Symlink:
        return util::PathNode{util::PathNode::Type::Symlink, it->second.entry->link_target};
      case layer::Entry::Type::File: break;
    }
    return util::PathNode{util::PathNode::Type::File, {}};
  });
  if (w.end != util::PathWalk::End::Found) return nullptr;
  auto it = m_files.find(std::string_view(w.path).substr(1));
  return it == m_files.end() ? nullptr : &it->second;
}

const layer::Entry* RootFs::find(const std::string& path) const {
  const Node* n = resolve(path);
  return n == nullptr ? nullptr : n->entry;
}

std::optional<std::string> RootFs::read(const std::string& path, std::uint64_t max_bytes) const {
  const Node* n = resolve(path);
  if (n == nullptr || n->entry->type != layer::Entry::Type::File) return std::nullopt;
  if (n->base_layer != nullptr) return archive::read_base_file(*m_base, *n->base_layer, n->in_layer, max_bytes);
  const layer::Entry& e = *n->entry;
  std::error_code ec;
  const std::uint64_t size = e.source.empty() ? e.content.size() : std::filesystem::file_size(e.source, ec);
  if (ec) throw Error("cannot read " + e.source + ": " + ec.message());
  if (size > max_bytes) {
    throw Error("/" + e.path + " has " + std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) +
                " it may have");
  }
  std::string bytes = e.source.empty() ? e.content : util::read_file(e.source);
  layer::apply_patches(e.patches, 0, bytes.data(), bytes.size());  // the bytes the layer holds
  return bytes;
}

bool RootFs::has_children(const std::string_view path) const {
  const std::string prefix = std::string(path) + "/";
  auto it = m_files.lower_bound(prefix);
  return it != m_files.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

void RootFs::erase_under(const std::string& prefix) {
  for (auto it = m_files.lower_bound(prefix); it != m_files.end() && it->first.rfind(prefix, 0) == 0;) {
    it = m_files.erase(it);
  }
}

}  // namespace ocipack::build
