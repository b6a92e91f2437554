#include "layer/writer.hpp"

#include "layer/compress.hpp"
#include "util/archive_ptr.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"
#include "util/side_thread.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <unistd.h>
#include <vector>

namespace ocipack::layer {

namespace {

// Below this, a write is not worth handing to the helper thread.
constexpr std::size_t kOverlapMin = 64 * 1024;
// Files are read in pieces of this size: two of them are resident all
// along (1 MiB pieces cost 1.5 MiB more for no measurable speed).
constexpr std::size_t kReadSize = std::size_t{256} << 10;

// The stages every tar byte goes through, in order. libarchive calls
// on_write on this thread; the compressor calls its sink here too.
struct Pipeline {
  util::Sha256 diff_hash;  // diff_id: over the uncompressed tar
  util::Sha256 blob_hash;  // digest: over the compressed bytes (not for none)
  std::uint64_t uncompressed = 0;
  std::uint64_t blob_size = 0;
  const Sink* out = nullptr;
  bool compressed = true;
  std::unique_ptr<Compressor> compressor;
  util::SideThread side;               // writes `none` layers while this thread hashes
  util::SideThread reader;             // reads a file's next piece meanwhile
  std::unique_ptr<char[]> buffers[2];  // that piece and the one being written
  std::exception_ptr failure;          // an exception may not cross libarchive's C frames
};

la_ssize_t on_write(::archive*, void* ctx, const void* data, size_t size) {
  auto* p = static_cast<Pipeline*>(ctx);
  try {
    p->uncompressed += size;
    if (!p->compressed && size >= kOverlapMin) {
      // Uncompressed, the blob is the tar: its digest is the diff_id, so
      // the bytes are hashed once, while the helper writes them out.
      util::overlap(
          p->side, [p, data, size] { (*p->out)(data, size); }, [p, data, size] { p->diff_hash.update(data, size); });
      p->blob_size += size;
      return static_cast<la_ssize_t>(size);
    }
    // Handed to the compressor first: a chunk filled goes to a worker before
    // this thread hashes (the first one sooner, a core less idle).
    p->compressor->write(data, size);
    p->diff_hash.update(data, size);
    return static_cast<la_ssize_t>(size);
  } catch (...) {
    p->failure = std::current_exception();
    return -1;
  }
}

void check(::archive* a, int rc, Pipeline& p, const std::string& what) {
  if (p.failure) std::rethrow_exception(p.failure);
  if (rc < ARCHIVE_OK) throw Error(what + ": " + util::archive_message(a));
}

// Reads up to `size` bytes; fewer only at the end of the file.
std::size_t read_full(int fd, char* buffer, std::size_t size, const std::filesystem::path& path) {
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, buffer + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("cannot read " + path.string());
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

// A file's patches must lie in its `size` bytes, in order, apart: checked
// before its header is written.
void check_patches(const Entry& e, std::uint64_t size) {
  std::uint64_t end = 0;
  for (const Patch& patch : e.patches) {
    if (patch.offset < end || patch.offset > size || patch.bytes.size() > size - patch.offset) {
      throw Error("/" + e.path + ": a patch of " + std::to_string(patch.bytes.size()) + " bytes at offset " +
                  std::to_string(patch.offset) + " overlaps another or is outside the file's " + std::to_string(size) +
                  " bytes");
    }
    end = patch.offset + patch.bytes.size();
  }
}

// A file's bytes into the tar: read in pieces (kReadSize), the next one read by
// a helper thread while this one is patched, hashed (also into `file`, the
// SBOM's checksums: no second read), compressed or written.
void copy_file(::archive* a, const Entry& e, Pipeline& p, util::FileHasher* file) {
  int fd = ::open(e.source.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot open " + e.source);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  for (auto& b : p.buffers) {
    if (!b) b.reset(new char[kReadSize]);  // uninitialised: written by read() before use
  }
  // One byte more than promised is read to see a file that grew.
  const std::uint64_t want = e.size + 1;
  auto next_size = [&](std::uint64_t done) {
    return static_cast<std::size_t>(std::min<std::uint64_t>(kReadSize, want - done));
  };
  std::uint64_t total = 0;
  int current = 0;
  std::size_t n = read_full(fd, p.buffers[0].get(), next_size(0), e.source);
  while (n > 0 && total + n <= e.size) {
    char* data = p.buffers[current].get();
    apply_patches(e.patches, total, data, n);
    total += n;
    const std::size_t size = n;
    n = 0;
    const std::size_t ahead = next_size(total);  // at least the one byte past the end
    char* next = p.buffers[1 - current].get();
    auto write = [&] {
      if (archive_write_data(a, data, size) < 0) check(a, ARCHIVE_FATAL, p, "writing " + e.path);
      if (file != nullptr) file->update(data, size);  // after: the compressor has its copy
    };
    if (e.size < 2 * kReadSize) {
      write();
      n = read_full(fd, next, ahead, e.source);
    } else {
      util::overlap(
          p.reader, [&] { n = read_full(fd, next, ahead, e.source); }, write);
    }
    current = 1 - current;
  }
  // The header already promised e.size bytes: a file that changed size while
  // being read would give a layer that does not match its source.
  if (total + n != e.size) {
    throw Error(e.source + " changed size while being read (expected " + std::to_string(e.size) + " bytes); rebuild");
  }
}

}  // namespace

void apply_patches(const std::vector<Patch>& patches, std::uint64_t at, char* data, std::size_t n) {
  for (const Patch& patch : patches) {
    const std::uint64_t begin = std::max(patch.offset, at);
    const std::uint64_t end = std::min(patch.offset + patch.bytes.size(), at + n);
    if (begin < end) {
      std::memcpy(data + (begin - at), patch.bytes.data() + (begin - patch.offset),
                  static_cast<std::size_t>(end - begin));
    }
  }
}

std::uint64_t max_blob_size(const Plan& plan, const CompressionOptions& compression) {
  // Per entry: a ustar header, a pax header and its records (path, link,
  // size, charset: bounded by their lengths), the data padded to 512.
  auto blocks = [](std::uint64_t n) { return (n + 511) / 512 * 512; };
  std::uint64_t tar = 1024;  // the two zero blocks at the end
  for (const Entry& e : plan.entries) {
    tar += 3 * 512 + blocks(2 * (e.path.size() + e.text.size()) + 256);
    tar += blocks(e.source.empty() ? e.text.size() : e.size);
  }
  if (compression.method == Compression::None) return tar;
  // deflate never grows data by more than a few bytes per 64 KiB block,
  // plus 18 bytes of gzip header and trailer per chunk.
  return tar + tar / 16 + (std::uint64_t{1} << 20);
}

Written write_layer(const Plan& plan, const CompressionOptions& compression, std::int64_t mtime, const Sink& out,
                    unsigned threads, bool hash_files) {
  Pipeline p;
  p.out = &out;
  p.compressed = compression.method != Compression::None;
  std::uint64_t expected = 0;
  for (const Entry& e : plan.entries) expected += e.source.empty() ? e.text.size() : e.size;
  p.compressor = make_compressor(
      compression,
      [&p](const void* data, std::size_t size) {
        if (p.compressed) p.blob_hash.update(data, size);
        p.blob_size += size;
        (*p.out)(data, size);
      },
      threads, gzip_chunk_size(expected));

  util::ArchiveWriter a(archive_write_new());
  if (!a) throw Error("cannot create a tar writer (libarchive)");
  // pax_restricted: plain ustar headers, plus an extended header only when a
  // name or size does not fit ustar; never atime/ctime.
  check(a.get(), archive_write_set_format_pax_restricted(a.get()), p, "tar format");
  // No blocking: the stream ends right after the two zero end blocks, and
  // bytes pass straight through to the hashers without being re-buffered.
  check(a.get(), archive_write_set_bytes_per_block(a.get(), 0), p, "tar blocking");
  check(a.get(), archive_write_open2(a.get(), &p, nullptr, on_write, nullptr, nullptr), p, "opening the layer");

  std::vector<HashedFile> files;
  if (hash_files) {
    files.reserve(static_cast<std::size_t>(std::count_if(plan.entries.begin(), plan.entries.end(),
                                                         [](const Entry& e) { return e.type == Entry::Type::File; })));
  }
  for (const Entry& e : plan.entries) {
    // Built from scratch, never from stat(): only path, type, mode, size,
    // link and the fixed mtime reach the tar; uid/gid 0 (unless OWNER) and no user/group
    // names so the layer does not depend on who built it.
    util::ArchiveEntry entry(archive_entry_new());
    std::string path = e.path;
    switch (e.type) {
      case Entry::Type::Directory:
        archive_entry_set_filetype(entry.get(), AE_IFDIR);
        path += "/";
        break;
      case Entry::Type::File:
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(e.size));
        break;
      case Entry::Type::Symlink:
        archive_entry_set_filetype(entry.get(), AE_IFLNK);
        archive_entry_copy_symlink(entry.get(), e.text.c_str());
        break;
    }
    archive_entry_copy_pathname(entry.get(), path.c_str());
    archive_entry_set_perm(entry.get(), e.mode);
    archive_entry_set_uid(entry.get(), e.uid);
    archive_entry_set_gid(entry.get(), e.gid);
    archive_entry_set_mtime(entry.get(), mtime, 0);
    // ARCHIVE_WARN: a name that is not UTF-8 (cli::run sets a UTF-8
    // locale) is written as its bytes with a pax hdrcharset=BINARY record.
    if (e.type == Entry::Type::File) check_patches(e, e.source.empty() ? e.text.size() : e.size);
    int rc = archive_write_header(a.get(), entry.get());
    check(a.get(), rc == ARCHIVE_WARN ? ARCHIVE_OK : rc, p, "writing /" + e.path);
    if (e.type != Entry::Type::File) continue;
    std::optional<util::FileHasher> file;
    if (hash_files) file.emplace();
    if (e.source.empty()) {
      std::string content = e.text;  // small: a file ocipack generates
      apply_patches(e.patches, 0, content.data(), content.size());
      if (file) file->update(content.data(), content.size());
      if (archive_write_data(a.get(), content.data(), content.size()) < 0) {
        check(a.get(), ARCHIVE_FATAL, p, "writing /" + e.path);
      }
    } else {
      copy_file(a.get(), e, p, file ? &*file : nullptr);
    }
    if (file) files.push_back({e.path, file->finish()});
  }
  check(a.get(), archive_write_close(a.get()), p, "finishing the layer");
  p.compressor->finish();

  Written w;
  w.diff_id = oci::Digest{p.diff_hash.finish_hex()};
  w.uncompressed_size = p.uncompressed;
  w.descriptor.media_type = layer_media_type(compression);
  w.descriptor.digest = p.compressed ? oci::Digest{p.blob_hash.finish_hex()} : w.diff_id;
  w.descriptor.size = p.blob_size;
  w.files = std::move(files);
  w.files_hashed = hash_files;
  return w;
}

}  // namespace ocipack::layer
