#include "archive/blob_source.hpp"

#include "util/archive_ptr.hpp"
#include "util/error.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace ocipack::archive {

namespace {
constexpr std::uint64_t kMaxDocument = 16u << 20;  // index, manifests, configs

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};
} // namespace

std::string BlobSource::read_document(const std::string& path) const {
  if (!has(path)) throw Error("missing " + path);
  if (size(path) > kMaxDocument) throw Error(path + " is larger than " + std::to_string(kMaxDocument) + " bytes");
  Fd f{open(path)};
  std::string out(static_cast<std::size_t>(size(path)), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(f.fd, out.data() + done, out.size() - done);
    if (n <= 0) throw Error("cannot read " + path);
    done += static_cast<std::size_t>(n);
  }
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

class TarSource final : public BlobSource {
public:
  TarSource(const fs::path& tarball, const fs::path& scratch_dir) {
    util::ArchiveReader a(archive_read_new());
    archive_read_support_format_tar(a.get());
    if (archive_read_open_filename(a.get(), tarball.c_str(), 1 << 16) != ARCHIVE_OK) {
      throw Error("is not an image: not a tar archive (" + util::archive_message(a.get()) + ")");
    }
    archive_entry* e = nullptr;
    int rc;
    std::vector<char> buffer(1 << 20);
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
      if (m_files.count(path)) throw Error(tarball.string() + " has " + path + " twice");
      Entry entry;
      entry.file = std::make_shared<util::ScratchFile>(scratch_dir);
      util::Sha256 hash;
      la_ssize_t n;
      while ((n = archive_read_data(a.get(), buffer.data(), buffer.size())) > 0) {
        hash.update(buffer.data(), static_cast<std::size_t>(n));
        entry.file->write(buffer.data(), static_cast<std::size_t>(n));
      }
      if (n < 0) throw Error("reading " + path + " in " + tarball.string() + ": " + util::archive_message(a.get()));
      entry.file->flush();
      entry.size = entry.file->bytes_written();
      entry.sha256 = hash.finish_hex();
      m_files.emplace(path, std::move(entry));
    }
    if (rc != ARCHIVE_EOF && first) {
      throw Error("is not an image: not a tar archive (" + util::archive_message(a.get()) + ")");
    }
    if (rc != ARCHIVE_EOF) throw Error("reading " + tarball.string() + ": " + util::archive_message(a.get()));
  }

  bool has(const std::string& path) const override { return find(path) != nullptr; }
  std::uint64_t size(const std::string& path) const override { return get(path).size; }
  std::string sha256(const std::string& path) const override { return get(path).sha256; }
  int open(const std::string& path) const override {
    // An independent description of the unnamed file, at offset 0.
    std::string proc = "/proc/self/fd/" + std::to_string(get(path).file->fd());
    int fd = ::open(proc.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("cannot reopen " + path);
    return fd;
  }

private:
  struct Entry {
    std::shared_ptr<util::ScratchFile> file;
    std::uint64_t size = 0;
    std::string sha256;
  };
  const Entry* find(std::string path) const {
    for (int hops = 0; hops < 16; ++hops) {
      auto it = m_files.find(path);
      if (it != m_files.end()) return &it->second;
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
  std::map<std::string, Entry> m_files;
  std::map<std::string, std::string> m_links;
};

class DirSource final : public BlobSource {
public:
  explicit DirSource(const fs::path& dir) : m_dir(dir) {}
  bool has(const std::string& path) const override {
    struct stat st {};
    return ::stat(full(path).c_str(), &st) == 0 && S_ISREG(st.st_mode);
  }
  std::uint64_t size(const std::string& path) const override {
    struct stat st {};
    if (::stat(full(path).c_str(), &st) != 0) throw Error("missing " + path);
    return static_cast<std::uint64_t>(st.st_size);
  }
  std::string sha256(const std::string& path) const override {
    auto it = m_hashes.find(path);
    if (it != m_hashes.end()) return it->second;
    Fd f{open(path)};
    util::Sha256 hash;
    std::vector<char> buffer(1 << 20);
    ssize_t n;
    while ((n = ::read(f.fd, buffer.data(), buffer.size())) > 0) hash.update(buffer.data(), static_cast<std::size_t>(n));
    if (n < 0) throw_errno("cannot read " + full(path).string());
    return m_hashes[path] = hash.finish_hex();
  }
  int open(const std::string& path) const override {
    int fd = ::open(full(path).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("cannot open " + full(path).string());
    return fd;
  }

private:
  fs::path full(const std::string& path) const { return m_dir / clean_path(path); }
  fs::path m_dir;
  mutable std::map<std::string, std::string> m_hashes;
};


} // namespace

std::shared_ptr<const BlobSource> open_blob_source(const fs::path& path, const fs::path& scratch_dir) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw_errno("cannot open");
  if (S_ISDIR(st.st_mode)) return std::make_shared<DirSource>(path);
  if (S_ISREG(st.st_mode)) return std::make_shared<TarSource>(path, scratch_dir);
  throw Error("is neither a tarball nor an OCI layout directory");
}

} // namespace ocipack::archive
