// Files that never show up half-written: OutputFile is renamed into place
// only by commit(); ScratchFile has no name at all once created.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ocipack::util {

// Buffered writer to a file descriptor the object owns.
class FdWriter {
public:
  FdWriter(int fd, std::string name);
  ~FdWriter();
  FdWriter(const FdWriter&) = delete;
  FdWriter& operator=(const FdWriter&) = delete;

  void write(const void* data, std::size_t size);
  void flush();
  // Appends exactly `size` bytes of the open file `in_fd` (from its start,
  // or a pipe's next bytes),
  // in the kernel where it can (copy_file_range: no copy through user
  // space; through a buffer where the kernel cannot). `what` names the
  // source in errors, also when it holds more or fewer bytes than `size`.
  void copy_from(int in_fd, std::uint64_t size, const std::string& what);
  // The same for the `size` bytes at `offset` of a larger file (a tar
  // entry read in place), without checking the file's size.
  void copy_range(int in_fd, std::uint64_t offset, std::uint64_t size, const std::string& what);
  // Overwrites bytes already written, at `offset` from the start.
  void write_at(std::uint64_t offset, const void* data, std::size_t size);
  // Drops everything from `offset` on; the next write goes there.
  void truncate_to(std::uint64_t offset);
  // Bytes written so far: the offset of the next byte.
  std::uint64_t bytes_written() const { return m_written; }
  int fd() const { return m_fd; }
  const std::string& name() const { return m_name; }

protected:
  void close_fd();

private:
  int m_fd;
  std::string m_name;
  std::vector<char> m_buffer;
  std::uint64_t m_written = 0;
};

// A file written next to its final path under a temporary name and renamed
// over it by commit(). Until then the final path is untouched; if the object
// is destroyed first (error, exception) the temporary file is removed.
class OutputFile : public FdWriter {
public:
  explicit OutputFile(const std::filesystem::path& final_path);
  ~OutputFile();
  // Flushes and renames into place (no fsync: see file.cpp).
  void commit();

private:
  struct Temp {
    int fd;
    std::filesystem::path path;
  };
  static Temp create_temp(const std::filesystem::path& final_path);
  OutputFile(const std::filesystem::path& final_path, Temp temp);

  std::filesystem::path m_final;
  std::filesystem::path m_temp;
  bool m_committed = false;
};

// An unnamed scratch file in `dir` (unlinked right after creation, so it is
// gone whatever happens to the process). Written once, then read back.
class ScratchFile : public FdWriter {
public:
  explicit ScratchFile(const std::filesystem::path& dir);
  // Streams the whole content to `sink(data, size)`.
  template <typename Sink>
  void read_all(Sink&& sink);
  // Gives the content the name `path` (atomically: a link, or a copy
  // renamed into place where the file cannot be linked).
  void persist(const std::filesystem::path& path);

private:
  void rewind();
  std::size_t read_some(char* buffer, std::size_t size);
};

template <typename Sink>
void ScratchFile::read_all(Sink&& sink) {
  flush();
  rewind();
  std::vector<char> buffer(1 << 20);
  for (;;) {
    std::size_t n = read_some(buffer.data(), buffer.size());
    if (n == 0) break;
    sink(buffer.data(), n);
  }
}

// A host path inside the sysroot `root` for an in-root absolute path.
std::filesystem::path in_root(const std::filesystem::path& root, const std::string& path);

// Whether `p` is a directory / a regular file, symlinks followed.
bool is_dir(const std::filesystem::path& p);
bool is_file(const std::filesystem::path& p);

// Reads a whole (small) file; errors name the path.
std::string read_file(const std::filesystem::path& path);

// Calls `line` for each line of the file at `path` (without its '\n'; a
// last line without one too), read in 64 KiB pieces whatever its size;
// errors name the path.
void for_each_line(const std::filesystem::path& path, const std::function<void(std::string_view)>& line);

// Writes `content` to `path` atomically (OutputFile).
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace ocipack::util
