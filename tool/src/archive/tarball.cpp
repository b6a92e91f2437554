#include "archive/tarball.hpp"

#include "oci/json.hpp"
#include "util/archive_ptr.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>
#include <vector>
#include <exception>
#include <map>

namespace ocipack::archive {

using nlohmann::json;

ByteStream file_stream(const std::filesystem::path& path) {
  return [path](const ByteSink& sink) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("cannot open " + path.string());
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    std::vector<char> buffer(1 << 20);
    for (;;) {
      ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("cannot read " + path.string());
      if (n == 0) break;
      sink(buffer.data(), static_cast<std::size_t>(n));
    }
  };
}

oci::Index make_index(const Image& image) {
  oci::Index index;
  for (const auto& tag : image.tags) {
    oci::Descriptor d = image.manifest_desc;
    // containerd names the image from io.containerd.image.name; skopeo,
    // umoci and oci-image-tool look the tag up by ref.name.
    d.annotations["io.containerd.image.name"] = tag.full();
    d.annotations["org.opencontainers.image.ref.name"] = tag.tag;
    index.manifests.push_back(d);
  }
  return index;
}

std::string docker_manifest_json(const Image& image) {
  return docker_manifest_json(image.manifest, image.tags);
}

std::string docker_manifest_json(const oci::Manifest& manifest, const std::vector<oci::Reference>& tags) {
  json repo_tags = json::array();
  for (const auto& t : tags) repo_tags.push_back(t.familiar());
  json layers = json::array();
  for (const auto& l : manifest.layers) layers.push_back("blobs/sha256/" + l.digest.hex);
  json entry = {{"Config", "blobs/sha256/" + manifest.config.digest.hex},
                {"RepoTags", repo_tags},
                {"Layers", layers}};
  return oci::canonical(json::array({entry}));
}

namespace {

struct Sink {
  util::OutputFile* out;
  std::exception_ptr failure;
};

la_ssize_t on_write(::archive*, void* ctx, const void* data, size_t size) {
  auto* s = static_cast<Sink*>(ctx);
  try {
    s->out->write(data, size);
    return static_cast<la_ssize_t>(size);
  } catch (...) {
    s->failure = std::current_exception();
    return -1;
  }
}

class TarWriter {
public:
  TarWriter(util::OutputFile& out, std::int64_t mtime) : m_sink{&out, nullptr}, m_mtime(mtime) {
    m_a.reset(archive_write_new());
    if (!m_a) throw Error("cannot create a tar writer (libarchive)");
    check(archive_write_set_format_pax_restricted(m_a.get()), "tar format");
    check(archive_write_set_bytes_per_block(m_a.get(), 0), "tar blocking");
    check(archive_write_open2(m_a.get(), &m_sink, nullptr, on_write, nullptr, nullptr), "opening");
  }

  void directory(const std::string& path) { header(path, AE_IFDIR, 0755, 0); }

  void file(const std::string& path, const Blob& blob) {
    header(path, AE_IFREG, 0644, blob.size);
    if (!blob.stream) {
      data(blob.bytes.data(), blob.bytes.size());
      return;
    }
    std::uint64_t copied = 0;
    blob.stream([&](const char* p, std::size_t n) {
      copied += n;
      if (copied > blob.size) throw Error("blob " + blob.digest.str() + " grew on disk");
      data(p, n);
    });
    if (copied != blob.size) throw Error("blob " + blob.digest.str() + " changed size on disk");
  }

  void close() { check(archive_write_close(m_a.get()), "finishing the tarball"); }

private:
  void header(const std::string& path, unsigned type, unsigned mode, std::uint64_t size) {
    util::ArchiveEntry e(archive_entry_new());
    archive_entry_copy_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), type);
    archive_entry_set_perm(e.get(), mode);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    archive_entry_set_mtime(e.get(), m_mtime, 0);
    check(archive_write_header(m_a.get(), e.get()), "writing " + path);
  }

  void data(const void* p, std::size_t n) {
    if (archive_write_data(m_a.get(), p, n) < 0) check(ARCHIVE_FATAL, "writing data");
  }

  void check(int rc, const std::string& what) {
    if (m_sink.failure) std::rethrow_exception(m_sink.failure);
    if (rc < ARCHIVE_OK) throw Error(what + ": " + util::archive_message(m_a.get()));
  }

  Sink m_sink;
  std::int64_t m_mtime;
  util::ArchiveWriter m_a;
};

} // namespace

void write_tarball(const std::filesystem::path& output, const Image& image, std::int64_t mtime) {
  write_layout_tarball(output, image.blobs, make_index(image), docker_manifest_json(image), mtime);
}

void write_layout_tarball(const std::filesystem::path& output, const std::vector<Blob>& all_blobs,
                          const oci::Index& index_json, const std::string& docker_manifest, std::int64_t mtime) {
  Blob index{}, manifest{}, layout{};
  index.bytes = oci::canonical(oci::to_json(index_json));
  manifest.bytes = docker_manifest;
  layout.bytes = oci::canonical(json{{"imageLayoutVersion", "1.0.0"}});
  for (Blob* b : {&index, &manifest, &layout}) b->size = b->bytes.size();

  // Blobs by digest, each once (two identical layers are one blob).
  std::map<std::string, const Blob*> blobs;
  for (const auto& b : all_blobs) blobs.emplace(b.digest.hex, &b);

  util::OutputFile out(output);
  TarWriter tar(out, mtime);
  // Entries in bytewise order of their paths, directories explicit.
  tar.directory("blobs/");
  tar.directory("blobs/sha256/");
  for (const auto& [hex, blob] : blobs) tar.file("blobs/sha256/" + hex, *blob);
  tar.file("index.json", index);
  tar.file("manifest.json", manifest);
  tar.file("oci-layout", layout);
  tar.close();
  out.commit();
}

} // namespace ocipack::archive
