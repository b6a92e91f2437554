#include "archive/layer_reader.hpp"

#include "util/archive_ptr.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

#include <cerrno>
#include <exception>

namespace ocipack::archive {

namespace {

constexpr std::uint64_t kMaxExpansion = 2048;  // uncompressed : compressed

// libarchive pulls a ByteReader's bytes through this callback. An Error the
// reader throws is kept and rethrown once libarchive has returned: no C++
// exception crosses libarchive's C frames.
struct Pull {
  explicit Pull(ByteReader& from) : in(from) {}
  ByteReader& in;
  std::vector<char> buffer = std::vector<char>(1 << 16);
  std::exception_ptr error;

  void rethrow() const {
    if (error) std::rethrow_exception(error);
  }
};

la_ssize_t pull(::archive* a, void* ctx, const void** out) {
  auto* p = static_cast<Pull*>(ctx);
  try {
    *out = p->buffer.data();
    return static_cast<la_ssize_t>(p->in.read(p->buffer.data(), p->buffer.size()));
  } catch (...) {
    p->error = std::current_exception();
    archive_set_error(a, EIO, "reading the layer failed");
    return ARCHIVE_FATAL;
  }
}

util::ArchiveReader open_reader(Pull& pull_from, void (*formats)(::archive*), const std::string& failure) {
  util::ArchiveReader a(archive_read_new());
  if (!a) throw Error("cannot create a reader (libarchive)");
  formats(a.get());
  if (archive_read_open(a.get(), &pull_from, nullptr, pull, nullptr) != ARCHIVE_OK) {
    pull_from.rethrow();
    throw Error(failure + util::archive_message(a.get()));
  }
  return a;
}

// The uncompressed bytes of a layer (gzip, zstd, bzip2, xz or plain), hashed
// on the way: the diff_id.
class Uncompressed final : public ByteReader {
public:
  // `hash`: compute the diff_id.
  Uncompressed(ByteReader& stored, std::uint64_t stored_size, const std::string& name, bool hash)
      : m_pull(stored),
        m_raw(open_reader(
            m_pull,
            [](::archive* a) {
              archive_read_support_filter_all(a);
              archive_read_support_format_raw(a);
            },
            "cannot read layer " + name + ": ")),
        // gzip expands at most ~1032:1; other formats far more. A layer that
        // expands beyond this is refused as a decompression bomb.
        m_limit(stored_size * kMaxExpansion + (64u << 20)),
        m_name(name),
        m_hash(hash ? std::make_unique<util::Sha256>() : nullptr) {
    archive_entry* e = nullptr;
    m_at_end = archive_read_next_header(m_raw.get(), &e) != ARCHIVE_OK;  // empty
    m_pull.rethrow();
  }

  std::size_t read(char* buffer, std::size_t size) override {
    if (m_at_end) return 0;
    la_ssize_t n = archive_read_data(m_raw.get(), buffer, size);
    if (n < 0) {
      m_pull.rethrow();
      throw Error("cannot decompress layer " + m_name + ": " + util::archive_message(m_raw.get()));
    }
    if (n == 0) m_at_end = true;
    if (m_hash) m_hash->update(buffer, static_cast<std::size_t>(n));
    m_total += static_cast<std::uint64_t>(n);
    if (m_total > m_limit) {
      throw Error("layer " + m_name + " decompresses to more than " + std::to_string(m_limit) +
                  " bytes: refused as a decompression bomb");
    }
    return static_cast<std::size_t>(n);
  }

  // Reads what the tar reader left (the padding after its end); the sha256
  // of the whole stream.
  oci::Digest finish() {
    std::vector<char> buffer(1 << 20);
    while (read(buffer.data(), buffer.size()) > 0) {}
    return oci::Digest{m_hash ? m_hash->finish_hex() : std::string()};
  }

private:
  Pull m_pull;
  util::ArchiveReader m_raw;
  std::uint64_t m_limit;
  std::string m_name;
  std::unique_ptr<util::Sha256> m_hash;
  std::uint64_t m_total = 0;
  bool m_at_end = false;
};

// The entries of the tar in a stream of uncompressed bytes.
class TarEntries {
public:
  TarEntries(ByteReader& in, const std::string& name)
      : m_pull(in),
        m_tar(open_reader(
            m_pull, [](::archive* a) { archive_read_support_format_tar(a); }, "layer " + name + ": ")),
        m_name(name) {}

  // The next entry; nullptr at the end.
  archive_entry* next() {
    archive_entry* e = nullptr;
    const int rc = archive_read_next_header(m_tar.get(), &e);
    m_pull.rethrow();
    if (rc == ARCHIVE_EOF) return nullptr;
    if (rc != ARCHIVE_OK) throw Error("layer " + m_name + ": " + util::archive_message(m_tar.get()));
    if (++m_entries > kMaxLayerEntries) {
      throw Error("layer " + m_name + ": more than " + std::to_string(kMaxLayerEntries) + " files in one layer");
    }
    return e;
  }

  // The current entry's data, `size` bytes.
  std::string data(std::size_t size) {
    std::string out(size, '\0');
    std::size_t done = 0;
    while (done < size) {
      const std::size_t n = read_some(out.data() + done, size - done);
      if (n == 0) break;
      done += n;
    }
    out.resize(done);
    return out;
  }

  // The current entry's data, piece by piece, to `hasher`.
  void hash_data(util::FileHasher& hasher) {
    while (const std::size_t n = read_some(m_piece.data(), m_piece.size())) hasher.update(m_piece.data(), n);
  }

private:
  std::size_t read_some(char* out, std::size_t size) {
    la_ssize_t n = archive_read_data(m_tar.get(), out, size);
    m_pull.rethrow();
    if (n < 0) throw Error("layer " + m_name + ": " + util::archive_message(m_tar.get()));
    return static_cast<std::size_t>(n);
  }

  Pull m_pull;
  util::ArchiveReader m_tar;
  std::string m_name;
  std::size_t m_entries = 0;
  std::vector<char> m_piece = std::vector<char>(1 << 16);
};

LayerFile layer_file_of(archive_entry* f) {
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

}  // namespace

namespace {

// `full`: the diff_id and each regular file's checksums, in the one pass.
LayerScan scan(ByteReader& stored, std::uint64_t stored_size, const std::string& name, bool full,
               const KeepContent& keep) {
  Uncompressed bytes(stored, stored_size, name, full);
  TarEntries tar(bytes, name);
  LayerScan scan;
  while (archive_entry* e = tar.next()) {
    LayerFile f = layer_file_of(e);
    if (f.type == '-' && full) {
      util::FileHasher hasher;
      tar.hash_data(hasher);
      f.digests = hasher.finish();
    } else if (f.type == '-' && keep && f.size <= kMaxKeptFile && keep(layer_path(f.path))) {
      f.content = tar.data(static_cast<std::size_t>(f.size));
    }
    scan.files.push_back(std::move(f));
  }
  scan.diff_id = bytes.finish();
  return scan;
}

}  // namespace

LayerScan scan_layer(ByteReader& stored, std::uint64_t stored_size, const std::string& name) {
  return scan(stored, stored_size, name, true, {});
}

std::vector<LayerFile> list_layer(ByteReader& stored, std::uint64_t stored_size, const std::string& name,
                                  const KeepContent& keep) {
  return scan(stored, stored_size, name, false, keep).files;
}

std::optional<std::string> read_layer_file(ByteReader& stored, std::uint64_t stored_size, const std::string& name,
                                           const std::string& path, std::uint64_t max_bytes) {
  Uncompressed bytes(stored, stored_size, name, false);
  TarEntries tar(bytes, name);
  while (archive_entry* e = tar.next()) {
    if (layer_path(archive_entry_pathname(e)) != path) continue;
    if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) != nullptr) return std::nullopt;
    const auto size = static_cast<std::uint64_t>(archive_entry_size(e));
    if (size > max_bytes) {
      throw Error("/" + path + " in layer " + name + " has " + std::to_string(size) + " bytes, more than the " +
                  std::to_string(max_bytes) + " it may have");
    }
    return tar.data(static_cast<std::size_t>(size));
  }
  return std::nullopt;
}

std::string_view trim_layer_path(std::string_view path) {
  while (path.rfind("./", 0) == 0) path.remove_prefix(2);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path;
}

std::string layer_path(const std::string& entry_name) { return std::string(trim_layer_path(entry_name)); }

}  // namespace ocipack::archive
