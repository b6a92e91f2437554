#include "build/rootfs.hpp"

#include "layer/writer.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/path_walk.hpp"

#include <algorithm>
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
        m_base_files.erase(gone);
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
      e.text = f->link;
      Node n;
      n.entry = &e;
      n.base_layer = &layer;
      // A hard link's bytes are its target's, an entry of the same layer.
      n.in_layer = f->type == 'h' ? archive::layer_path(f->link) : e.path;
      m_base_files.insert_or_assign(e.path, std::move(n));
    }
  }
}

void RootFs::add(const std::vector<layer::Entry>& entries) {
  std::vector<const layer::Entry*> sorted;
  sorted.reserve(entries.size());
  for (const auto& e : entries) sorted.push_back(&e);
  const auto by_path = [](const layer::Entry* a, const layer::Entry* b) { return a->path < b->path; };
  // Stable: of two entries with one path, the later wins, as in a tar.
  if (!std::is_sorted(sorted.begin(), sorted.end(), by_path)) std::stable_sort(sorted.begin(), sorted.end(), by_path);
  m_layers.push_back(std::move(sorted));
}

void RootFs::add(std::vector<layer::Entry>&& entries) { add(m_owned_entries.emplace_back(std::move(entries))); }

RootFs::Hit RootFs::lookup(const std::string_view path) const {
  // Our layers lie above the base's, the later above the earlier.
  for (auto layer = m_layers.rbegin(); layer != m_layers.rend(); ++layer) {
    auto it = std::upper_bound(layer->begin(), layer->end(), path,
                               [](std::string_view p, const layer::Entry* e) { return p < e->path; });
    if (it != layer->begin() && (*(it - 1))->path == path) return {*(it - 1), nullptr};
  }
  if (auto it = m_base_files.find(path); it != m_base_files.end()) return {it->second.entry, &it->second};
  return {};
}

RootFs::Hit RootFs::resolve(const std::string& path) const {
  const util::PathWalk w = util::walk_path(path, [this](const std::string& p) {
    const std::string_view key = std::string_view(p).substr(1);
    const Hit hit = lookup(key);
    if (hit.entry == nullptr) {
      return util::PathNode{has_children(key) ? util::PathNode::Type::Directory : util::PathNode::Type::Missing, {}};
    }
    switch (hit.entry->type) {
      case layer::Entry::Type::Directory: return util::PathNode{util::PathNode::Type::Directory, {}};
      case layer::Entry::Type::Symlink: return util::PathNode{util::PathNode::Type::Symlink, hit.entry->text};
      case layer::Entry::Type::File: break;
    }
    return util::PathNode{util::PathNode::Type::File, {}};
  });
  if (w.end != util::PathWalk::End::Found) return {};
  return lookup(std::string_view(w.path).substr(1));
}

const layer::Entry* RootFs::find(const std::string& path) const { return resolve(path).entry; }

std::optional<std::string> RootFs::read(const std::string& path, std::uint64_t max_bytes) const {
  const Hit hit = resolve(path);
  if (hit.entry == nullptr || hit.entry->type != layer::Entry::Type::File) return std::nullopt;
  if (hit.base != nullptr)
    return archive::read_base_file(*m_base, *hit.base->base_layer, hit.base->in_layer, max_bytes);
  const layer::Entry& e = *hit.entry;
  std::error_code ec;
  const std::uint64_t size = e.source.empty() ? e.text.size() : std::filesystem::file_size(e.source, ec);
  if (ec) throw Error("cannot read " + e.source + ": " + ec.message());
  if (size > max_bytes) {
    throw Error("/" + e.path + " has " + std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) +
                " it may have");
  }
  std::string bytes = e.source.empty() ? e.text : util::read_file(e.source);
  layer::apply_patches(e.patches, 0, bytes.data(), bytes.size());  // the bytes the layer holds
  return bytes;
}

bool RootFs::has_children(const std::string_view path) const {
  const std::string prefix = std::string(path) + "/";
  const auto under = [&prefix](std::string_view p) { return p.compare(0, prefix.size(), prefix) == 0; };
  for (const auto& layer : m_layers) {
    auto it = std::lower_bound(layer.begin(), layer.end(), prefix,
                               [](const layer::Entry* e, const std::string& p) { return e->path < p; });
    if (it != layer.end() && under((*it)->path)) return true;
  }
  auto it = m_base_files.lower_bound(prefix);
  return it != m_base_files.end() && under(it->first);
}

void RootFs::erase_under(const std::string& prefix) {
  for (auto it = m_base_files.lower_bound(prefix); it != m_base_files.end() && it->first.rfind(prefix, 0) == 0;) {
    it = m_base_files.erase(it);
  }
}

}  // namespace ocipack::build
