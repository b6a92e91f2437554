#include "archive/reader.hpp"

#include "oci/json.hpp"
#include "util/archive_ptr.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

#include <map>
#include <regex>

namespace ocipack::archive {

namespace {

// Documents (index, manifests, configs) are small; a larger one is refused
// rather than read into memory.
constexpr std::uint64_t kMaxDocument = 16u << 20;

util::ArchiveReader open_tar(const std::filesystem::path& path) {
  util::ArchiveReader a(archive_read_new());
  if (!a) throw Error("cannot create a tar reader (libarchive)");
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    throw Error("cannot open " + path.string() + ": " + util::archive_message(a.get()));
  }
  return a;
}

std::string blob_path(const oci::Digest& d) { return "blobs/sha256/" + d.hex; }

} // namespace

ReadImage read_image(const std::filesystem::path& tarball) {
  return with_context(tarball.string(), [&] {
    util::ArchiveReader a = open_tar(tarball);
    std::map<std::string, std::string> documents; // path -> bytes
    std::map<std::string, std::uint64_t> blob_sizes;
    static const std::regex blob_re("blobs/sha256/([0-9a-f]{64})");
    archive_entry* e = nullptr;
    int rc;
    while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
      std::string path = archive_entry_pathname(e);
      if (path.rfind("./", 0) == 0) path = path.substr(2);
      if (archive_entry_filetype(e) != AE_IFREG) continue;
      std::smatch m;
      bool is_blob = std::regex_match(path, m, blob_re);
      bool is_document = path == "index.json" || path == "manifest.json" || path == "oci-layout";
      if (!is_blob && !is_document) continue;
      if (documents.count(path) != 0 || (is_blob && blob_sizes.count(m[1].str()) != 0)) {
        throw Error("the tarball has " + path + " twice");
      }
      util::Sha256 hash;
      std::string bytes;
      std::uint64_t size = 0;
      char buffer[1 << 16];
      la_ssize_t n;
      while ((n = archive_read_data(a.get(), buffer, sizeof buffer)) > 0) {
        hash.update(buffer, static_cast<std::size_t>(n));
        size += static_cast<std::uint64_t>(n);
        if (size <= kMaxDocument) bytes.append(buffer, static_cast<std::size_t>(n));
      }
      if (n < 0) throw Error("reading " + path + ": " + util::archive_message(a.get()));
      if (is_blob) {
        std::string hex = hash.finish_hex();
        if (hex != m[1].str()) throw Error("blob " + path + " does not match its digest (content hashes to sha256:" + hex + ")");
        blob_sizes[m[1].str()] = size;
      }
      if (size <= kMaxDocument) documents[path] = std::move(bytes);
    }
    if (rc != ARCHIVE_EOF) throw Error("reading the tarball: " + util::archive_message(a.get()));

    auto document = [&](const std::string& path) -> const std::string& {
      auto it = documents.find(path);
      if (it == documents.end()) throw Error("missing " + path);
      return it->second;
    };
    auto blob = [&](const oci::Descriptor& d) -> const std::string& {
      auto size = blob_sizes.find(d.digest.hex);
      if (size == blob_sizes.end()) throw Error("missing blob " + d.digest.str());
      if (size->second != d.size) {
        throw Error("blob " + d.digest.str() + " has " + std::to_string(size->second) +
                    " bytes, its descriptor says " + std::to_string(d.size));
      }
      return document(blob_path(d.digest));
    };

    ReadImage result;
    oci::Index index = with_context("index.json", [&] {
      return oci::index_from_json(oci::parse_json(document("index.json"), "index.json"));
    });
    // A multi-platform image: an entry pointing at an image index, whose
    // manifests each become a record carrying the entry's names.
    std::vector<oci::Descriptor> entries;
    for (const auto& d : index.manifests) {
      if (d.media_type != oci::media_type::kIndex) {
        entries.push_back(d);
        continue;
      }
      oci::Index nested = with_context("index " + d.digest.str(), [&] {
        return oci::index_from_json(oci::parse_json(blob(d), "the index"));
      });
      for (auto m : nested.manifests) {
        if (m.media_type == oci::media_type::kIndex) throw Error("image indexes nested more than once");
        for (const auto& [k, v] : d.annotations) m.annotations.emplace(k, v);
        entries.push_back(m);
      }
    }
    for (const auto& d : entries) {
      ImageRecord r;
      r.descriptor = d;
      r.manifest = with_context("manifest " + d.digest.str(), [&] {
        return oci::manifest_from_json(oci::parse_json(blob(d), "the manifest"));
      });
      r.config = with_context("config " + r.manifest.config.digest.str(), [&] {
        return oci::config_from_json(oci::parse_json(blob(r.manifest.config), "the config"));
      });
      for (const auto& l : r.manifest.layers) {
        auto size = blob_sizes.find(l.digest.hex);
        if (size == blob_sizes.end()) throw Error("missing layer blob " + l.digest.str());
        if (size->second != l.size) throw Error("layer blob " + l.digest.str() + " has the wrong size");
      }
      result.images.push_back(std::move(r));
    }
    if (documents.count("manifest.json") != 0) {
      nlohmann::json m = oci::parse_json(documents["manifest.json"], "manifest.json");
      if (m.is_array()) {
        for (const auto& entry : m) {
          if (!entry.is_object()) continue;
          auto tags = entry.find("RepoTags");
          if (tags == entry.end() || !tags->is_array()) continue;
          for (const auto& t : *tags) {
            if (t.is_string()) result.repo_tags.push_back(t.get<std::string>());
          }
        }
      }
    }
    return result;
  });
}

LayerFile layer_file_of(::archive_entry* f) {
  LayerFile lf;
  lf.path = archive_entry_pathname(f);
  switch (archive_entry_filetype(f)) {
    case AE_IFREG: lf.type = archive_entry_hardlink(f) ? 'h' : '-'; break;
    case AE_IFDIR: lf.type = 'd'; break;
    case AE_IFLNK: lf.type = 'l'; break;
    default: lf.type = archive_entry_hardlink(f) ? 'h' : '?'; break;
  }
  lf.mode = archive_entry_perm(f);
  lf.uid = archive_entry_uid(f);
  lf.gid = archive_entry_gid(f);
  if (const char* s = archive_entry_uname(f)) lf.uname = s;
  if (const char* s = archive_entry_gname(f)) lf.gname = s;
  lf.mtime = archive_entry_mtime(f);
  lf.size = static_cast<std::uint64_t>(archive_entry_size(f));
  if (const char* s = archive_entry_symlink(f)) lf.link = s;
  if (const char* s = archive_entry_hardlink(f)) lf.link = s;
  return lf;
}

namespace {
struct Nested {
  ::archive* outer;
  char buffer[1 << 16];
};
la_ssize_t nested_read(::archive*, void* ctx, const void** out) {
  auto* n = static_cast<Nested*>(ctx);
  *out = n->buffer;
  return archive_read_data(n->outer, n->buffer, sizeof n->buffer);
}
} // namespace

void list_layer(const std::filesystem::path& tarball, const oci::Digest& digest,
                const std::function<void(const LayerFile&)>& on_file) {
  with_context("layer " + digest.str(), [&] {
    util::ArchiveReader outer = open_tar(tarball);
    archive_entry* e = nullptr;
    const std::string wanted = blob_path(digest);
    while (archive_read_next_header(outer.get(), &e) == ARCHIVE_OK) {
      std::string path = archive_entry_pathname(e);
      if (path.rfind("./", 0) == 0) path = path.substr(2);
      if (path != wanted) continue;
      auto nested = std::make_unique<Nested>();
      nested->outer = outer.get();
      util::ArchiveReader inner(archive_read_new());
      archive_read_support_filter_all(inner.get());
      archive_read_support_format_tar(inner.get());
      if (archive_read_open(inner.get(), nested.get(), nullptr, nested_read, nullptr) != ARCHIVE_OK) {
        throw Error(util::archive_message(inner.get()));
      }
      archive_entry* f = nullptr;
      int rc;
      std::size_t entries = 0;
      while ((rc = archive_read_next_header(inner.get(), &f)) == ARCHIVE_OK) {
        if (++entries > 1000000) throw Error("more than 1000000 files in one layer");
        on_file(layer_file_of(f));
      }
      if (rc != ARCHIVE_EOF) throw Error(util::archive_message(inner.get()));
      return;
    }
    throw Error("not found in " + tarball.string());
  });
}

} // namespace ocipack::archive
