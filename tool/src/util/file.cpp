#include "util/file.hpp"

#include "util/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ocipack::util {

namespace {
constexpr std::size_t kBufferSize = 256 << 10;

// Gives an O_TMPFILE file the name `name` (through /proc); false when the
// file cannot be linked (it was made with mkstemp and unlinked).
bool link_unnamed(int fd, const fs::path& name) {
  ::unlink(name.c_str());
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  return ::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0;
}

std::string dir_of(const fs::path& path) {
  fs::path parent = path.parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}
// write(2) until all of it is written (it may write less, or be interrupted).
void write_all(int fd, const char* p, std::size_t size, const std::string& name) {
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot write " + name);
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace

FdWriter::FdWriter(int fd, std::string name) : m_fd(fd), m_name(std::move(name)) { m_buffer.reserve(kBufferSize); }

FdWriter::~FdWriter() { close_fd(); }

void FdWriter::close_fd() {
  if (m_fd >= 0) {
    ::close(m_fd);
    m_fd = -1;
  }
}

void FdWriter::write(const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  m_written += size;
  if (m_buffer.size() + size < kBufferSize) {
    m_buffer.insert(m_buffer.end(), p, p + size);
    return;
  }
  flush();
  if (size >= kBufferSize) {
    write_all(m_fd, p, size, m_name);  // large writes bypass the buffer: no extra copy
    return;
  }
  m_buffer.insert(m_buffer.end(), p, p + size);
}

void FdWriter::flush() {
  write_all(m_fd, m_buffer.data(), m_buffer.size(), m_name);
  m_buffer.clear();
}

void FdWriter::copy_from(int in_fd, std::uint64_t size, const std::string& what) {
  flush();
  struct stat st {};
  if (::fstat(in_fd, &st) != 0) throw_errno("cannot read " + what);
  if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) != size) {
    throw Error(what + " has " + std::to_string(st.st_size) + " bytes, not the " + std::to_string(size) +
                " expected; rebuild");
  }
  copy_range(in_fd, 0, size, what);
}

void FdWriter::copy_range(int in_fd, std::uint64_t offset, std::uint64_t size, const std::string& what) {
  flush();
  std::uint64_t left = size;
  bool in_kernel = true;
  std::vector<char> buffer;
  while (left > 0) {
    ssize_t n = -1;
    const auto chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, 1u << 30));
    if (in_kernel) {
      auto from = static_cast<loff_t>(offset);
      n = ::copy_file_range(in_fd, &from, m_fd, nullptr, chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP || errno == EBADF ||
                    errno == EPERM || errno == ESPIPE)) {
        // Not between these two files (another file system, an old kernel,
        // a pipe): through a buffer then.
        in_kernel = false;
        continue;
      }
      if (n < 0) throw_errno("cannot copy " + what + " into " + m_name);
    } else {
      if (buffer.empty()) buffer.resize(kBufferSize);
      const std::size_t want = std::min(chunk, buffer.size());
      // A pipe has no offsets: its next bytes.
      n = ::pread(in_fd, buffer.data(), want, static_cast<off_t>(offset));
      if (n < 0 && errno == ESPIPE) n = ::read(in_fd, buffer.data(), want);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("cannot read " + what);
      write_all(m_fd, buffer.data(), static_cast<std::size_t>(n), m_name);
    }
    if (n == 0) break;
    left -= static_cast<std::uint64_t>(n);
    offset += static_cast<std::uint64_t>(n);
    m_written += static_cast<std::uint64_t>(n);
  }
  if (left != 0) {
    throw Error(what + " ended after " + std::to_string(size - left) + " of its " + std::to_string(size) +
                " bytes; rebuild");
  }
}

void FdWriter::write_at(std::uint64_t offset, const void* data, std::size_t size) {
  flush();
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::pwrite(m_fd, p, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot write " + m_name);
    }
    p += n;
    offset += static_cast<std::uint64_t>(n);
    size -= static_cast<std::size_t>(n);
  }
}

void FdWriter::truncate_to(std::uint64_t offset) {
  flush();
  if (::ftruncate(m_fd, static_cast<off_t>(offset)) != 0 ||
      ::lseek(m_fd, static_cast<off_t>(offset), SEEK_SET) != static_cast<off_t>(offset)) {
    throw_errno("cannot truncate " + m_name);
  }
  m_written = offset;
}

OutputFile::Temp OutputFile::create_temp(const fs::path& final_path) {
  // Same directory as the final file, so that rename() is atomic. Unnamed
  // (O_TMPFILE) where the file system allows it: even a killed build leaves
  // nothing behind; it gets a name only in commit().
#ifdef O_TMPFILE
  int tmp = ::open(dir_of(final_path).c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
  if (tmp >= 0) return {tmp, {}};
#endif
  std::string templ =
      (fs::path(dir_of(final_path)) / ("." + final_path.filename().string() + ".ocipack-XXXXXX")).string();
  int fd = ::mkstemp(templ.data());
  if (fd < 0) throw_errno("cannot create a temporary file in " + dir_of(final_path));
  return {fd, templ};
}

OutputFile::OutputFile(const fs::path& final_path) : OutputFile(final_path, create_temp(final_path)) {}

OutputFile::OutputFile(const fs::path& final_path, Temp temp)
    : FdWriter(temp.fd, final_path.string()), m_final(final_path), m_temp(std::move(temp.path)) {}

OutputFile::~OutputFile() {
  if (!m_committed) {
    close_fd();
    if (!m_temp.empty()) ::unlink(m_temp.c_str());
  }
}

void OutputFile::commit() {
  flush();
  // mkstemp creates 0600; an output is an ordinary file: 0644 less the umask.
  mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd(), 0666 & ~mask) != 0) throw_errno("cannot set the mode of " + name());
  // No fsync, as compilers, linkers and `docker save` do not: the rename
  // is what makes the file appear whole to every reader; a power cut may
  // lose a build output, which the next build writes again (the cache
  // checks its entries' sizes), and waiting for the disk would cost more
  // than the whole build of a large layer.
  if (m_temp.empty()) {
    // Name the unnamed file next to its final path, then rename it over.
    fs::path temp = m_final.string() + ".ocipack-" + std::to_string(::getpid());
    if (!link_unnamed(fd(), temp)) throw_errno("cannot create " + temp.string());
    m_temp = temp;
  }
  close_fd();
  if (::rename(m_temp.c_str(), m_final.c_str()) != 0) {
    throw_errno("cannot rename " + m_temp.string() + " to " + m_final.string());
  }
  m_committed = true;
}

static int open_scratch(const fs::path& dir) {
  int fd = -1;
#ifdef O_TMPFILE
  // Anonymous from birth: nothing to clean up even after SIGKILL.
  fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
#endif
  std::string templ = (dir / ".ocipack-scratch-XXXXXX").string();
  fd = ::mkstemp(templ.data());
  if (fd < 0) throw_errno("cannot create a scratch file in " + dir.string());
  ::unlink(templ.c_str());
  return fd;
}

ScratchFile::ScratchFile(const fs::path& dir) : FdWriter(open_scratch(dir), "scratch file in " + dir.string()) {}

void ScratchFile::rewind() {
  if (::lseek(fd(), 0, SEEK_SET) != 0) throw_errno("cannot seek in " + name());
}

std::size_t ScratchFile::read_some(char* buffer, std::size_t size) {
  for (;;) {
    ssize_t n = ::read(fd(), buffer, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw_errno("cannot read " + name());
  }
}

void ScratchFile::persist(const fs::path& path) {
  flush();
  // An O_TMPFILE file gets a name through /proc; rename() then replaces an
  // existing file atomically.
  fs::path temp = path.string() + ".ocipack-" + std::to_string(::getpid());
  if (link_unnamed(fd(), temp)) {
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      ::unlink(temp.c_str());
      throw_errno("cannot rename " + temp.string() + " to " + path.string());
    }
    return;
  }
  OutputFile copy(path);
  read_all([&](const char* p, std::size_t n) { copy.write(p, n); });
  copy.commit();
}

fs::path in_root(const fs::path& root, const std::string& path) {
  return root == "/" ? fs::path(path) : fs::path(root.string() + path);
}

bool is_dir(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string read_file(const fs::path& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw_errno("cannot open " + path.string());
  std::string content;
  char buffer[65536];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) content.append(buffer, n);
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw Error("cannot read " + path.string());
  return content;
}

void for_each_line(const fs::path& path, const std::function<void(std::string_view)>& line) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot open " + path.string());
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  char buffer[65536];
  std::string carry;  // a line begun in the previous piece
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("cannot read " + path.string());
    if (n == 0) break;
    const char* at = buffer;
    const char* const end = buffer + n;
    while (const void* found = std::memchr(at, '\n', static_cast<std::size_t>(end - at))) {
      const char* newline = static_cast<const char*>(found);
      if (carry.empty()) {
        line(std::string_view(at, static_cast<std::size_t>(newline - at)));
      } else {
        carry.append(at, newline);
        line(carry);
        carry.clear();
      }
      at = newline + 1;
    }
    carry.append(at, end);
  }
  if (!carry.empty()) line(carry);
}

void write_file_atomically(const fs::path& path, const std::string& content) {
  OutputFile out(path);
  out.write(content.data(), content.size());
  out.commit();
}

}  // namespace ocipack::util
