// One entry of a layer, as it goes into the tar: what the planner, the
// runtime dependency resolver and the layer writer share. Plain values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace ocipack::layer {

// Bytes that replace the same number of bytes of a File's content at
// `offset` in the layer (the source is never modified): a search path
// shortened in place.
struct Patch {
  std::uint64_t offset = 0;
  std::string bytes;
};

inline bool operator==(const Patch& a, const Patch& b) { return a.offset == b.offset && a.bytes == b.bytes; }

// A file's patches, sorted by offset: a list copied as a value, held on
// the heap only when there are any (a pointer in each of 100,000 entries,
// not an empty vector's three).
class Patches {
public:
  Patches() = default;
  Patches(std::initializer_list<Patch> patches) { *this = std::vector<Patch>(patches); }
  Patches(const Patches& o) : m_list(o.m_list ? std::make_unique<std::vector<Patch>>(*o.m_list) : nullptr) {}
  Patches(Patches&&) noexcept = default;
  Patches& operator=(const Patches& o) { return *this = Patches(o); }
  Patches& operator=(Patches&&) noexcept = default;
  Patches& operator=(std::initializer_list<Patch> list) { return *this = std::vector<Patch>(list); }
  Patches& operator=(std::vector<Patch> list) {
    m_list = list.empty() ? nullptr : std::make_unique<std::vector<Patch>>(std::move(list));
    return *this;
  }

  const std::vector<Patch>& list() const { return m_list ? *m_list : none(); }
  operator const std::vector<Patch>&() const { return list(); }
  bool empty() const { return !m_list; }
  std::size_t size() const { return list().size(); }
  std::vector<Patch>::const_iterator begin() const { return list().begin(); }
  std::vector<Patch>::const_iterator end() const { return list().end(); }
  friend bool operator==(const Patches& a, const Patches& b) { return a.list() == b.list(); }
  friend bool operator!=(const Patches& a, const Patches& b) { return !(a == b); }

private:
  static const std::vector<Patch>& none() {
    static const std::vector<Patch> empty;
    return empty;
  }
  std::unique_ptr<std::vector<Patch>> m_list;
};

// A layer of 100,000 files holds 100,000 of these (128 bytes each, and
// their strings) until its SBOM is written: members that only some types
// use share one, and patches take a pointer until there are any.
struct Entry {
  enum class Type : std::uint8_t { Directory, File, Symlink };

  std::string path;  // in-image path without the leading '/': "usr/bin/app"
  // File: where the bytes come from, a host path. A string, not a
  // std::filesystem::path: that keeps its parsed components too, which is
  // most of an entry's memory in a layer of 100,000 files.
  std::string source;
  // Symlink: its target. File without a source: its bytes, which ocipack
  // made (accounts, the skeleton).
  std::string text;
  Patches patches;            // File: sorted by offset, not overlapping, inside `size`
  std::uint64_t size = 0;     // File: size at planning time
  unsigned mode = 0644;       // permission bits only
  unsigned uid = 0, gid = 0;  // owner: root unless OWNER says
  Type type = Type::File;
  bool implied = false;  // a parent directory nobody asked for
};

// A file whose bytes ocipack makes (accounts, the skeleton), not copied.
inline Entry generated_file(std::string path, std::string content, unsigned mode = 0644) {
  Entry e;
  e.path = std::move(path);
  e.type = Entry::Type::File;
  e.mode = mode;
  e.size = content.size();
  e.text = std::move(content);
  return e;
}

// A build target of the layer: where it comes from and where it lands.
struct ElfFile {
  std::filesystem::path source;
  std::string image_path;  // absolute: "/usr/bin/app"
};

}  // namespace ocipack::layer
