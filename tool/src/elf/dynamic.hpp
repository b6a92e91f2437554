// What the dynamic loader reads from an ELF object: its interpreter
// (PT_INTERP), its dynamic section (DT_NEEDED, DT_RPATH, DT_RUNPATH,
// DT_SONAME) and the names its dynamic symbol table imports. Every offset
// and size is bounds-checked: a malformed file is an Error, never a crash.
#pragma once

#include "elf/elf.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocipack::elf {

// Random access to the bytes of an object (a file, or memory in tests).
class ByteSource {
public:
  virtual ~ByteSource() = default;
  virtual std::uint64_t size() const = 0;
  // Reads exactly `n` bytes at `offset`; throws Error past the end.
  virtual void read(std::uint64_t offset, void* out, std::size_t n) const = 0;
};

class MemorySource final : public ByteSource {
public:
  explicit MemorySource(std::string_view bytes) : m_bytes(bytes) {}
  std::uint64_t size() const override { return m_bytes.size(); }
  void read(std::uint64_t offset, void* out, std::size_t n) const override;

private:
  std::string_view m_bytes;
};

class FileSource final : public ByteSource {
public:
  explicit FileSource(const std::filesystem::path& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  std::uint64_t size() const override { return m_size; }
  void read(std::uint64_t offset, void* out, std::size_t n) const override;

private:
  int m_fd = -1;
  std::uint64_t m_size = 0;
  std::string m_name;
};

// Where a string of the dynamic string table lies in the file.
struct StringAt {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;  // without the NUL
};

struct Object {
  Header header;
  std::string interpreter;             // PT_INTERP; empty when there is none
  bool is_dynamic = false;             // has a PT_DYNAMIC segment
  std::vector<std::string> needed;     // DT_NEEDED, in order
  std::optional<std::string> rpath;    // DT_RPATH
  std::optional<std::string> runpath;  // DT_RUNPATH
  std::optional<StringAt> rpath_at, runpath_at;
  std::string soname;  // DT_SONAME
  // The undefined symbols of the dynamic symbol table (versions ignored),
  // sorted and unique: what another object must define ("dlopen").
  std::vector<std::string> imports;
};

Object parse_object(const ByteSource& source);
// Reads the object at `path`; errors name the file.
Object read_object(const std::filesystem::path& path);

bool imports_symbol(const Object& object, std::string_view name);

// A search path to write over one of `size` bytes in place (see StringAt):
// `value` padded with NULs to exactly `size` bytes, so no other byte of the
// file moves. Throws Error when `value` is longer.
std::string padded_search_path(const std::string& value, std::uint64_t size);

}  // namespace ocipack::elf
