// Images written by hand for the reader tests: layer tars in memory, OCI
// layout directories (blobs by digest, index.json) and their tarballs.
#pragma once

#include "oci/annotations.hpp"
#include "oci/json.hpp"
#include "test_util.hpp"
#include "util/archive_ptr.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ocipack::testing {

// One entry of a layer tar: '-' a file, 'd' a directory, 'l' a symlink,
// 'h' a hard link to `link`.
struct TarMember {
  std::string path;
  char type = '-';
  std::string data;
  std::string link;
  unsigned mode = 0644;
};

// What a libarchive writer set up by `configure` writes while `body` runs.
inline std::string written_by(const std::function<void(::archive*)>& configure,
                              const std::function<void(::archive*)>& body) {
  std::string out;
  util::ArchiveWriter a(archive_write_new());
  configure(a.get());
  archive_write_set_bytes_per_block(a.get(), 0);
  archive_write_open2(
      a.get(), &out, nullptr,
      [](::archive*, void* ctx, const void* data, size_t n) -> la_ssize_t {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr, nullptr);
  body(a.get());
  archive_write_close(a.get());
  return out;
}

// `bytes` as one stream of a libarchive filter (archive_write_add_filter_gzip, ...).
inline std::string filtered(const std::string& bytes, int (*add_filter)(::archive*)) {
  return written_by(
      [&](::archive* a) {
        archive_write_set_format_raw(a);
        add_filter(a);
      },
      [&](::archive* a) {
        util::ArchiveEntry e(archive_entry_new());
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_write_header(a, e.get());
        archive_write_data(a, bytes.data(), bytes.size());
      });
}

// A tar stream of `members`.
inline std::string make_tar(const std::vector<TarMember>& members) {
  auto write_member = [](::archive* a, const TarMember& m) {
    util::ArchiveEntry e(archive_entry_new());
    archive_entry_copy_pathname(e.get(), m.path.c_str());
    archive_entry_set_perm(e.get(), m.mode);
    switch (m.type) {
      case 'd': archive_entry_set_filetype(e.get(), AE_IFDIR); break;
      case 'l':
        archive_entry_set_filetype(e.get(), AE_IFLNK);
        archive_entry_copy_symlink(e.get(), m.link.c_str());
        break;
      case 'h':
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_copy_hardlink(e.get(), m.link.c_str());
        break;
      default:
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_size(e.get(), static_cast<la_int64_t>(m.data.size()));
    }
    EXPECT_EQ(archive_write_header(a, e.get()), ARCHIVE_OK) << util::archive_message(a);
    if (m.type == '-') archive_write_data(a, m.data.data(), m.data.size());
  };
  return written_by([](::archive* a) { archive_write_set_format_pax_restricted(a); },
                    [&](::archive* a) {
                      for (const auto& m : members) write_member(a, m);
                    });
}

inline oci::Descriptor tagged(oci::Descriptor d, const std::string& name, const std::string& tag) {
  d.annotations[oci::annotation::kImageName] = name;
  d.annotations[oci::annotation::kRefName] = tag;
  return d;
}

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// An OCI layout directory written by hand.
class LayoutDir {
public:
  explicit LayoutDir(const std::filesystem::path& dir) : m_dir(dir) {
    write(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  }
  const std::filesystem::path& path() const { return m_dir; }

  oci::Descriptor blob(const std::string& bytes, const char* media_type) {
    oci::Descriptor d{media_type, oci::Digest{util::Sha256::hex_of(bytes)}, bytes.size(), {}, {}};
    write(m_dir / "blobs/sha256" / d.digest.hex, bytes);
    return d;
  }
  oci::Descriptor json_blob(const nlohmann::json& j, const char* media_type) {
    return blob(oci::canonical(j), media_type);
  }
  // One image of these layers (tar, or gzip when `gzip`) for a platform;
  // returns its manifest descriptor, with the platform.
  oci::Descriptor image(const std::string& arch, const std::vector<std::string>& layers = {std::string(1024, '\0')},
                        bool gzip = false) {
    oci::ImageConfig c;
    c.platform = {arch, "linux", ""};
    c.created = oci::rfc3339(0);
    c.config.env = {"FROM=" + arch};
    std::vector<oci::Descriptor> stored;
    for (const auto& layer : layers) {
      c.diff_ids.push_back(oci::Digest{util::Sha256::hex_of(layer)});
      c.history.push_back({c.created, "layer of " + arch, false});
      stored.push_back(gzip ? blob(filtered(layer, archive_write_add_filter_gzip), oci::media_type::kLayerGzip)
                            : blob(layer, oci::media_type::kLayerTar));
    }
    return manifest(c, stored);
  }
  // The manifest of this config and these layers (blobs already written),
  // with the config's platform.
  oci::Descriptor manifest(const oci::ImageConfig& c, const std::vector<oci::Descriptor>& layers) {
    oci::Manifest m;
    m.layers = layers;
    m.config = json_blob(oci::to_json(c), oci::media_type::kConfig);
    oci::Descriptor d = json_blob(oci::to_json(m), oci::media_type::kManifest);
    d.platform = c.platform;
    return d;
  }
  // An image index of `entries`.
  oci::Descriptor index_blob(const std::vector<oci::Descriptor>& entries) {
    oci::Index i;
    i.manifests = entries;
    return json_blob(oci::to_json(i), oci::media_type::kIndex);
  }
  void index(const std::vector<oci::Descriptor>& entries) {
    oci::Index i;
    i.manifests = entries;
    write(m_dir / "index.json", oci::canonical(oci::to_json(i)));
  }
  // The layout as a tarball (an OCI archive), by the system's tar.
  std::filesystem::path tarball(const std::filesystem::path& out) const {
    const std::string tar = "tar -C '" + m_dir.string() + "' -cf '" + out.string() + "' .";
    EXPECT_EQ(std::system(tar.c_str()), 0) << tar;
    return out;
  }

private:
  std::filesystem::path m_dir;
};

}  // namespace ocipack::testing
