#include "archive/tarball.hpp"

#include "oci/annotations.hpp"
#include "oci/json.hpp"
#include "util/archive_ptr.hpp"
#include "util/error.hpp"

#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace ocipack::archive {

using nlohmann::json;

Blob file_blob(const oci::Digest& digest, std::uint64_t size, const std::filesystem::path& path) {
  return {digest, size, {}, [path] {
            int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) throw_errno("cannot open " + path.string());
            return fd;
          }};
}

oci::Index make_index(const oci::Descriptor& manifest, const std::vector<oci::Reference>& tags) {
  oci::Index index;
  for (const auto& tag : tags) {
    oci::Descriptor d = manifest;
    // containerd names the image from io.containerd.image.name; skopeo,
    // umoci and oci-image-tool look the tag up by ref.name.
    d.annotations[oci::annotation::kImageName] = tag.full();
    d.annotations[oci::annotation::kRefName] = tag.tag;
    index.manifests.push_back(d);
  }
  return index;
}

oci::Index make_index(const Image& image) { return make_index(image.manifest_desc, image.tags); }

std::string docker_manifest_json(const Image& image) { return docker_manifest_json(image.manifest, image.tags); }

std::string docker_manifest_json(const oci::Manifest& manifest, const std::vector<oci::Reference>& tags) {
  json repo_tags = json::array();
  for (const auto& t : tags) repo_tags.push_back(t.familiar());
  json layers = json::array();
  for (const auto& l : manifest.layers) layers.push_back("blobs/sha256/" + l.digest.hex);
  json entry = {{"Config", "blobs/sha256/" + manifest.config.digest.hex}, {"RepoTags", repo_tags}, {"Layers", layers}};
  return oci::canonical(json::array({entry}));
}

namespace {

constexpr std::size_t kBlock = 512;

// A tar header, as libarchive writes it (pax_restricted: plain ustar, an
// extended header only for what ustar cannot hold). Only the header is
// kept: libarchive then pads the data it was not given with zeros, which
// are dropped. (archive_write_fail() would skip that, but libarchive 3.6
// then leaks its output state.)
std::string tar_header(const std::string& path, unsigned type, std::uint64_t size, std::int64_t mtime) {
  struct Captured {
    std::string bytes;
    bool complete = false;
  } captured;
  util::ArchiveWriter a(archive_write_new());
  if (!a) throw Error("cannot create a tar writer (libarchive)");
  auto check = [&](int rc, const char* what) {
    if (rc < ARCHIVE_OK) throw Error(std::string(what) + " " + path + ": " + util::archive_message(a.get()));
  };
  check(archive_write_set_format_pax_restricted(a.get()), "tar format for");
  check(archive_write_set_bytes_per_block(a.get(), 0), "tar blocking for");
  check(archive_write_open2(
            a.get(), &captured, nullptr,
            [](::archive*, void* ctx, const void* data, size_t n) -> la_ssize_t {
              auto* c = static_cast<Captured*>(ctx);
              if (!c->complete) c->bytes.append(static_cast<const char*>(data), n);
              return static_cast<la_ssize_t>(n);
            },
            nullptr, nullptr),
        "opening a tar header for");
  // Only the path, type, mode, size and the fixed mtime: uid/gid 0, no
  // user or group names, no atime/ctime.
  util::ArchiveEntry e(archive_entry_new());
  archive_entry_copy_pathname(e.get(), path.c_str());
  archive_entry_set_filetype(e.get(), type);
  archive_entry_set_perm(e.get(), type == AE_IFDIR ? 0755 : 0644);
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
  archive_entry_set_uid(e.get(), 0);
  archive_entry_set_gid(e.get(), 0);
  archive_entry_set_mtime(e.get(), mtime, 0);
  check(archive_write_header(a.get(), e.get()), "writing the tar header of");
  captured.complete = true;
  check(archive_write_close(a.get()), "closing the tar header of");
  return captured.bytes;
}

}  // namespace

TarballWriter::TarballWriter(const std::filesystem::path& output, std::int64_t mtime) : m_out(output), m_mtime(mtime) {
  // Directories explicit, before the blobs.
  entry("blobs/", AE_IFDIR, 0);
  entry("blobs/sha256/", AE_IFDIR, 0);
}

void TarballWriter::entry(const std::string& path, unsigned type, std::uint64_t size) {
  const std::string header = tar_header(path, type, size, m_mtime);
  m_out.write(header.data(), header.size());
}

void TarballWriter::pad() {
  static const char zeros[kBlock] = {};
  const std::size_t over = m_out.bytes_written() % kBlock;
  if (over != 0) m_out.write(zeros, kBlock - over);
}

void TarballWriter::add(const Blob& blob) {
  if (m_in_blob) throw Error("tarball: a blob is being written");
  if (!m_written.insert(blob.digest.hex).second) return;  // two identical layers are one blob
  entry("blobs/sha256/" + blob.digest.hex, AE_IFREG, blob.size);
  if (!blob.open) {
    if (blob.bytes.size() != blob.size)
      throw Error("blob " + blob.digest.str() + " is not " + std::to_string(blob.size) + " bytes");
    m_out.write(blob.bytes.data(), blob.bytes.size());
  } else {
    int fd = blob.open();
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    if (blob.offset) {
      m_out.copy_range(fd, *blob.offset, blob.size, "blob " + blob.digest.str());
    } else {
      m_out.copy_from(fd, blob.size, "blob " + blob.digest.str());
    }
  }
  pad();
}

util::FdWriter& TarballWriter::begin_blob() {
  if (m_in_blob) throw Error("tarball: a blob is being written");
  static const char zeros[kBlock] = {};
  m_reserved = m_out.bytes_written();
  m_out.write(zeros, kBlock);
  m_in_blob = true;
  return m_out;
}

void TarballWriter::end_blob(const oci::Digest& digest) {
  if (!m_in_blob) throw Error("tarball: no blob is being written");
  m_in_blob = false;
  if (!m_written.insert(digest.hex).second) {
    m_out.truncate_to(m_reserved);  // already there: two identical layers are one blob
    return;
  }
  const std::uint64_t size = m_out.bytes_written() - m_reserved - kBlock;
  const std::string header = tar_header("blobs/sha256/" + digest.hex, AE_IFREG, size, m_mtime);
  if (header.size() != kBlock) {
    throw Error("blob " + digest.str() + " of " + std::to_string(size) +
                " bytes does not fit a tar header written in place");
  }
  pad();
  m_out.write_at(m_reserved, header.data(), header.size());
}

void TarballWriter::finish(const oci::Index& index, const std::string& docker_manifest) {
  if (m_in_blob) throw Error("tarball: a blob is being written");
  auto file = [&](const std::string& path, const std::string& bytes) {
    entry(path, AE_IFREG, bytes.size());
    m_out.write(bytes.data(), bytes.size());
    pad();
  };
  file("index.json", oci::canonical(oci::to_json(index)));
  file("manifest.json", docker_manifest);
  file("oci-layout", oci::canonical(json{{"imageLayoutVersion", "1.0.0"}}));
  // The end of the archive: two zero blocks.
  static const char zeros[2 * kBlock] = {};
  m_out.write(zeros, sizeof zeros);
  m_out.commit();
}

void write_tarball(const std::filesystem::path& output, const Image& image, std::int64_t mtime) {
  write_layout_tarball(output, image.blobs, make_index(image), docker_manifest_json(image), mtime);
}

void write_layout_tarball(const std::filesystem::path& output, const std::vector<Blob>& blobs, const oci::Index& index,
                          const std::string& docker_manifest, std::int64_t mtime) {
  TarballWriter tar(output, mtime);
  for (const auto& b : blobs) tar.add(b);
  tar.finish(index, docker_manifest);
}

}  // namespace ocipack::archive
