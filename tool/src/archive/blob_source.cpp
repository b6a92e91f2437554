#include "archive/blob_source.hpp"

#include <cstring>

#include "util/archive_ptr.hpp"
#include "util/error.hpp"

#include <cerrno>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace ocipack::archive {

namespace {
constexpr std::uint64_t kMaxDocument = 16u << 20;  // index, manifests, configs
constexpr int kMaxLinkHops = 16;                   // links to links within a tarball

// An open file shared by the readers and blobs made from it.
struct SharedFd {
  int fd;
  explicit SharedFd(const fs::path& path) : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd < 0) throw_errno("cannot open " + path.string());
  }
  ~SharedFd() { ::close(fd); }
  SharedFd(const SharedFd&) = delete;
  SharedFd& operator=(const SharedFd&) = delete;
};

// `size` bytes at `offset` of a file, read with pread: any number of these
// read one file at once, none moves another's position.
class RangeReader final : public ByteReader {
public:
  RangeReader(std::shared_ptr<const SharedFd> file, std::uint64_t offset, std::uint64_t size, std::string name)
      : m_file(std::move(file)), m_offset(offset), m_left(size), m_name(std::move(name)) {}

  std::size_t read(char* buffer, std::size_t size) override {
    if (m_left == 0) return 0;
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size, m_left));
    ssize_t n;
    do {
      n = ::pread(m_file->fd, buffer, want, static_cast<off_t>(m_offset));
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("cannot read " + m_name);
    if (n == 0) throw Error(m_name + " ends " + std::to_string(m_left) + " bytes early (the file is truncated)");
    m_offset += static_cast<std::uint64_t>(n);
    m_left -= static_cast<std::uint64_t>(n);
    return static_cast<std::size_t>(n);
  }

private:
  std::shared_ptr<const SharedFd> m_file;
  std::uint64_t m_offset, m_left;
  std::string m_name;
};

}  // namespace

std::string BlobSource::read_document(const std::string& path) const {
  std::optional<std::uint64_t> bytes = size(path);
  if (!bytes) throw Error("missing " + path);
  if (*bytes > kMaxDocument) throw Error(path + " is larger than " + std::to_string(kMaxDocument) + " bytes");
  std::string out(static_cast<std::size_t>(*bytes), '\0');
  std::unique_ptr<ByteReader> in = open(path);
  for (std::size_t done = 0; done < out.size();) done += in->read(out.data() + done, out.size() - done);
  return out;
}

std::string clean_path(const std::string& path) {
  std::string out;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string c = path.substr(i, j - i);
    if (c == "..") throw Error("path \"" + path + "\" leaves the image");
    if (!c.empty() && c != ".") out += (out.empty() ? "" : "/") + c;
    i = j + 1;
  }
  return out;
}

namespace {

// Where a symlink at `link` (a cleaned path in the tarball) points: its
// target resolved against the link's directory, as `docker save` (20.10)
// writes it ("../<id>/layer.tar"). ".." may climb within the tarball, never
// out of it.
std::string resolve_link(const std::string& link, const std::string& target) {
  std::vector<std::string> parts;
  auto push = [&](const std::string& path) {
    std::size_t i = 0;
    while (i <= path.size()) {
      std::size_t j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      std::string c = path.substr(i, j - i);
      if (c == "..") {
        if (parts.empty()) throw Error("symlink \"" + link + "\" -> \"" + target + "\" leaves the image");
        parts.pop_back();
      } else if (!c.empty() && c != ".") {
        parts.push_back(c);
      }
      i = j + 1;
    }
  };
  if (target.empty() || target[0] != '/') {
    std::size_t slash = link.rfind('/');
    if (slash != std::string::npos) push(link.substr(0, slash));
  }
  push(target);
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

// A tarball read in place: its headers are read once, for each regular
// file's data offset and size; its bytes are read from there when asked.
class TarSource final : public BlobSource {
public:
  explicit TarSource(const fs::path& tarball) : m_file(std::make_shared<SharedFd>(tarball)) {
    struct stat st {};
    if (::fstat(m_file->fd, &st) != 0) throw_errno("cannot read " + tarball.string());
    const auto file_size = static_cast<std::uint64_t>(st.st_size);
    util::ArchiveReader a(archive_read_new());
    if (!a) throw Error("cannot create a tar reader (libarchive)");
    // No decompression filter: the data offsets are those of the file.
    archive_read_support_format_tar(a.get());
    if (archive_read_open_fd(a.get(), m_file->fd, 1 << 16) != ARCHIVE_OK) {
      throw Error("is not an image: not a tar archive (" + util::archive_message(a.get()) + ")");
    }
    archive_entry* e = nullptr;
    int rc;
    bool first = true;
    while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
      first = false;
      std::string path = clean_path(archive_entry_pathname(e));
      if (const char* link = archive_entry_hardlink(e)) {
        m_links[path] = clean_path(link);
        continue;
      }
      if (archive_entry_filetype(e) == AE_IFLNK) {
        // `docker save` (20.10) links a layer it already wrote.
        m_links[path] = resolve_link(path, archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
        continue;
      }
      if (archive_entry_filetype(e) != AE_IFREG) continue;
      if (m_entries.count(path) != 0) throw Error("the tarball has " + path + " twice");
      if (archive_entry_sparse_count(e) > 0) throw Error("the tarball has " + path + " as a sparse file");
      // What the tar reader has consumed: the headers, up to the data.
      const auto offset = static_cast<std::uint64_t>(archive_filter_bytes(a.get(), 0));
      const auto size = static_cast<std::uint64_t>(archive_entry_size(e));
      if (offset > file_size || size > file_size - offset) {
        throw Error("the tarball is truncated: " + path + " ends past its end");
      }
      m_entries.emplace(path, Entry{offset, size});
    }
    if (rc != ARCHIVE_EOF && first) {
      throw Error("is not an image: not a tar archive (" + util::archive_message(a.get()) + ")");
    }
    if (rc != ARCHIVE_EOF) throw Error("reading the tarball: " + util::archive_message(a.get()));
  }

  std::optional<std::uint64_t> size(const std::string& path) const override {
    const Entry* e = find(path);
    if (e == nullptr) return std::nullopt;
    return e->size;
  }
  std::unique_ptr<ByteReader> open(const std::string& path, std::uint64_t offset) const override {
    const Entry& e = get(path);
    if (offset > e.size) throw Error(path + " has fewer than " + std::to_string(offset) + " bytes");
    return std::make_unique<RangeReader>(m_file, e.offset + offset, e.size - offset, path);
  }
  Blob blob(const std::string& path, const oci::Digest& digest) const override {
    const Entry& e = get(path);
    std::shared_ptr<const SharedFd> file = m_file;
    return {digest,
            e.size,
            {},
            [file] {
              int fd = ::dup(file->fd);
              if (fd < 0) throw_errno("cannot read the tarball");
              return fd;
            },
            e.offset};
  }

private:
  struct Entry {
    std::uint64_t offset = 0;  // of the data in the tarball
    std::uint64_t size = 0;
  };
  const Entry* find(std::string path) const {
    for (int hops = 0; hops < kMaxLinkHops; ++hops) {
      auto it = m_entries.find(path);
      if (it != m_entries.end()) return &it->second;
      auto link = m_links.find(path);
      if (link == m_links.end()) return nullptr;
      path = link->second;
    }
    return nullptr;
  }
  const Entry& get(const std::string& path) const {
    const Entry* e = find(path);
    if (e == nullptr) throw Error("missing " + path);
    return *e;
  }
  std::shared_ptr<const SharedFd> m_file;
  std::map<std::string, Entry> m_entries;
  std::map<std::string, std::string> m_links;
};

class DirSource final : public BlobSource {
public:
  explicit DirSource(const fs::path& dir) : m_dir(dir) {}
  std::optional<std::uint64_t> size(const std::string& path) const override {
    struct stat st {};
    if (::stat(full(path).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return static_cast<std::uint64_t>(st.st_size);
  }
  std::unique_ptr<ByteReader> open(const std::string& path, std::uint64_t offset) const override {
    auto file = std::make_shared<const SharedFd>(full(path));
    struct stat st {};
    if (::fstat(file->fd, &st) != 0) throw_errno("cannot read " + full(path).string());
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (offset > size) throw Error(path + " has fewer than " + std::to_string(offset) + " bytes");
    return std::make_unique<RangeReader>(std::move(file), offset, size - offset, full(path).string());
  }
  Blob blob(const std::string& path, const oci::Digest& digest) const override {
    std::optional<std::uint64_t> bytes = size(path);
    if (!bytes) throw Error("missing " + path);
    return file_blob(digest, *bytes, full(path));
  }

private:
  fs::path full(const std::string& path) const { return m_dir / clean_path(path); }
  fs::path m_dir;
};

}  // namespace

std::size_t StringReader::read(char* buffer, std::size_t size) {
  const std::size_t n = std::min(size, m_data.size() - m_at);
  if (n > 0) std::memcpy(buffer, m_data.data() + m_at, n);
  m_at += n;
  return n;
}

std::shared_ptr<const BlobSource> open_blob_source(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw_errno("cannot open");
  if (S_ISDIR(st.st_mode)) return std::make_shared<DirSource>(path);
  if (S_ISREG(st.st_mode)) return std::make_shared<TarSource>(path);
  throw Error("is neither a tarball nor an OCI layout directory");
}

}  // namespace ocipack::archive
