#include "layer/writer.hpp"

#include "layer/compress.hpp"
#include "util/archive_ptr.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

#include <cerrno>
#include <exception>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

namespace ocipack::layer {

namespace {

// The stages every tar byte goes through, in order. The compressor calls
// its sink on this (the libarchive) thread, so nothing here needs a lock.
struct Pipeline {
  util::Sha256 diff_hash;               // diff_id: over the uncompressed tar
  util::Sha256 blob_hash;               // digest: over the compressed bytes (gzip only)
  std::uint64_t uncompressed = 0;
  util::ScratchFile* out = nullptr;
  std::unique_ptr<Compressor> compressor;
  std::exception_ptr failure;           // an exception may not cross libarchive's C frames
};

la_ssize_t on_write(::archive*, void* ctx, const void* data, size_t size) {
  auto* p = static_cast<Pipeline*>(ctx);
  try {
    p->diff_hash.update(data, size);
    p->uncompressed += size;
    p->compressor->write(data, size);
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

void copy_file(::archive* a, const Entry& e, Pipeline& p) {
  int fd = ::open(e.source.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot open " + e.source.string());
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  std::vector<char> buffer(1 << 20);
  std::uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot read " + e.source.string());
    }
    if (n == 0) break;
    total += static_cast<std::uint64_t>(n);
    if (total > e.size) break;
    la_ssize_t w = archive_write_data(a, buffer.data(), static_cast<size_t>(n));
    if (w < 0) check(a, ARCHIVE_FATAL, p, "writing " + e.path);
  }
  // The header already promised e.size bytes: a file that changed size while
  // being read would give a layer that does not match its source.
  if (total != e.size) {
    throw Error(e.source.string() + " changed size while being read (expected " +
                std::to_string(e.size) + " bytes); rebuild");
  }
}

} // namespace

Blob write_layer(const Plan& plan, spec::Compression compression, std::int64_t mtime,
                 const std::filesystem::path& scratch_dir) {
  Blob blob;
  blob.file = std::make_unique<util::ScratchFile>(scratch_dir);
  Pipeline p;
  p.out = blob.file.get();
  const bool compressed = compression != spec::Compression::None;
  p.compressor = make_compressor(compression, [&p, compressed](const void* data, std::size_t size) {
    // Uncompressed, the blob is the tar itself: its digest is the diff_id,
    // so the bytes are hashed once.
    if (compressed) p.blob_hash.update(data, size);
    p.out->write(data, size);
  });

  util::ArchiveWriter a(archive_write_new());
  if (!a) throw Error("cannot create a tar writer (libarchive)");
  // pax_restricted: plain ustar headers, plus an extended header only when a
  // name or size does not fit ustar; never atime/ctime.
  check(a.get(), archive_write_set_format_pax_restricted(a.get()), p, "tar format");
  // No blocking: the stream ends right after the two zero end blocks, and
  // bytes pass straight through to the hashers without being re-buffered.
  check(a.get(), archive_write_set_bytes_per_block(a.get(), 0), p, "tar blocking");
  check(a.get(), archive_write_open2(a.get(), &p, nullptr, on_write, nullptr, nullptr), p,
        "opening the layer");

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
        archive_entry_copy_symlink(entry.get(), e.link_target.c_str());
        break;
    }
    archive_entry_copy_pathname(entry.get(), path.c_str());
    archive_entry_set_perm(entry.get(), e.mode);
    archive_entry_set_uid(entry.get(), e.uid);
    archive_entry_set_gid(entry.get(), e.gid);
    archive_entry_set_mtime(entry.get(), mtime, 0);
    // ARCHIVE_WARN: a name that is not UTF-8 (cli::run sets a UTF-8
    // locale) is written as its bytes with a pax hdrcharset=BINARY record.
    int rc = archive_write_header(a.get(), entry.get());
    check(a.get(), rc == ARCHIVE_WARN ? ARCHIVE_OK : rc, p, "writing /" + e.path);
    if (e.type == Entry::Type::File && e.source.empty()) {
      if (archive_write_data(a.get(), e.content.data(), e.content.size()) < 0) {
        check(a.get(), ARCHIVE_FATAL, p, "writing /" + e.path);
      }
    } else if (e.type == Entry::Type::File) {
      copy_file(a.get(), e, p);
    }
  }
  check(a.get(), archive_write_close(a.get()), p, "finishing the layer");
  p.compressor->finish();
  blob.file->flush();

  blob.diff_id = oci::Digest{p.diff_hash.finish_hex()};
  blob.uncompressed_size = p.uncompressed;
  blob.descriptor.media_type = layer_media_type(compression);
  blob.descriptor.digest = compressed ? oci::Digest{p.blob_hash.finish_hex()} : blob.diff_id;
  blob.descriptor.size = blob.file->bytes_written();
  return blob;
}

} // namespace ocipack::layer
