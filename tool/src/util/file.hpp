// Files that never show up half-written: OutputFile is renamed into place
// only by commit(); ScratchFile has no name at all once created.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
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
  // Flushes, fsyncs and renames into place.
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
  template <typename Sink> void read_all(Sink&& sink);
  // Gives the content the name `path` (atomically: a link, or a copy
  // renamed into place where the file cannot be linked).
  void persist(const std::filesystem::path& path);

private:
  void rewind();
  std::size_t read_some(char* buffer, std::size_t size);
};

template <typename Sink> void ScratchFile::read_all(Sink&& sink) {
  flush();
  rewind();
  std::vector<char> buffer(1 << 20);
  for (;;) {
    std::size_t n = read_some(buffer.data(), buffer.size());
    if (n == 0) break;
    sink(buffer.data(), n);
  }
}

// Reads a whole (small) file; errors name the path.
std::string read_file(const std::filesystem::path& path);

// Writes `content` to `path` atomically (OutputFile).
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

} // namespace ocipack::util
