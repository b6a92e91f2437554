#include "elf/dynamic.hpp"

#include "util/error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ocipack::elf {

void MemorySource::read(std::uint64_t offset, void* out, std::size_t n) const {
  if (offset > m_bytes.size() || n > m_bytes.size() - offset) {
    throw Error("truncated ELF file (read of " + std::to_string(n) + " bytes at offset " + std::to_string(offset) +
                " past the end)");
  }
  std::memcpy(out, m_bytes.data() + offset, n);
}

FileSource::FileSource(const std::filesystem::path& path) : m_name(path.string()) {
  m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m_fd < 0) throw_errno("cannot open " + m_name);
  struct stat st {};
  if (::fstat(m_fd, &st) != 0) throw_errno("cannot read " + m_name);
  m_size = static_cast<std::uint64_t>(st.st_size);
}

FileSource::~FileSource() {
  if (m_fd >= 0) ::close(m_fd);
}

void FileSource::read(std::uint64_t offset, void* out, std::size_t n) const {
  if (offset > m_size || n > m_size - offset) {
    throw Error("truncated ELF file (read of " + std::to_string(n) + " bytes at offset " + std::to_string(offset) +
                " past the end)");
  }
  auto* p = static_cast<char*>(out);
  while (n > 0) {
    ssize_t r = ::pread(m_fd, p, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw_errno("cannot read " + m_name);
    if (r == 0) throw Error("truncated ELF file");
    p += r;
    n -= static_cast<std::size_t>(r);
    offset += static_cast<std::uint64_t>(r);
  }
}

namespace {

constexpr std::uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3;
constexpr std::int64_t kDtNull = 0, kDtNeeded = 1, kDtStrtab = 5, kDtStrsz = 10, kDtSoname = 14, kDtRpath = 15,
                       kDtRunpath = 29;
// Sanity bounds: far above anything a real object has.
constexpr std::uint64_t kMaxSegments = 4096;
constexpr std::uint64_t kMaxDynamicEntries = 1u << 16;
constexpr std::uint64_t kMaxInterpreter = 4096;

struct Reader {
  const ByteSource& src;
  bool le;
  bool is64;

  std::uint64_t uint(std::uint64_t offset, std::size_t width) const {
    unsigned char b[8];
    src.read(offset, b, width);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) {
      v |= std::uint64_t(b[le ? i : width - 1 - i]) << (8 * i);
    }
    return v;
  }
  std::uint64_t word(std::uint64_t offset) const { return uint(offset, is64 ? 8 : 4); }
};

struct Segment {
  std::uint32_t type;
  std::uint64_t offset, vaddr, filesz;
};

// The file offset of a virtual address, through the PT_LOAD segments.
std::uint64_t file_offset(const std::vector<Segment>& segments, std::uint64_t vaddr) {
  for (const auto& s : segments) {
    if (s.type == kPtLoad && vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) {
      return s.offset + (vaddr - s.vaddr);
    }
  }
  throw Error("dynamic string table address " + std::to_string(vaddr) + " is in no loadable segment");
}

std::string string_at(const ByteSource& src, std::uint64_t table, std::uint64_t table_size, std::uint64_t index) {
  if (index >= table_size) throw Error("dynamic string index out of the string table");
  std::string out;
  char buffer[256];
  std::uint64_t pos = index;
  while (pos < table_size) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof buffer, table_size - pos));
    src.read(table + pos, buffer, n);
    const void* nul = std::memchr(buffer, '\0', n);
    if (nul != nullptr) {
      out.append(buffer, static_cast<const char*>(nul) - buffer);
      return out;
    }
    out.append(buffer, n);
    pos += n;
  }
  throw Error("unterminated string in the dynamic string table");
}

}  // namespace

Object parse_object(const ByteSource& src) {
  char ident[64] = {};
  std::size_t head = static_cast<std::size_t>(std::min<std::uint64_t>(src.size(), sizeof ident));
  src.read(0, ident, head);
  Object obj;
  obj.header = parse_header(std::string_view(ident, head));
  Reader r{src, obj.header.little_endian, obj.header.is_64};

  const std::uint64_t phoff = r.word(obj.header.is_64 ? 32 : 28);
  const std::uint64_t phentsize = r.uint(obj.header.is_64 ? 54 : 42, 2);
  const std::uint64_t phnum = r.uint(obj.header.is_64 ? 56 : 44, 2);
  if (phnum > kMaxSegments) throw Error("too many program headers");
  if (phnum > 0 && phentsize < (obj.header.is_64 ? 56u : 32u)) throw Error("invalid program header size");

  std::vector<Segment> segments;
  for (std::uint64_t i = 0; i < phnum; ++i) {
    std::uint64_t at = phoff + i * phentsize;
    if (at < phoff) throw Error("program header offset overflows");
    Segment s{};
    s.type = static_cast<std::uint32_t>(r.uint(at, 4));
    if (obj.header.is_64) {
      s.offset = r.uint(at + 8, 8);
      s.vaddr = r.uint(at + 16, 8);
      s.filesz = r.uint(at + 32, 8);
    } else {
      s.offset = r.uint(at + 4, 4);
      s.vaddr = r.uint(at + 8, 4);
      s.filesz = r.uint(at + 16, 4);
    }
    segments.push_back(s);
  }

  const Segment* dynamic = nullptr;
  for (const auto& s : segments) {
    if (s.type == kPtInterp) {
      if (s.filesz == 0 || s.filesz > kMaxInterpreter) throw Error("invalid PT_INTERP size");
      std::string interp(static_cast<std::size_t>(s.filesz), '\0');
      src.read(s.offset, interp.data(), interp.size());
      interp.resize(std::strlen(interp.c_str()));  // up to the NUL
      if (interp.empty()) throw Error("empty PT_INTERP");
      obj.interpreter = interp;
    } else if (s.type == kPtDynamic && dynamic == nullptr) {
      dynamic = &s;
    }
  }
  if (dynamic == nullptr) return obj;
  obj.is_dynamic = true;

  const std::uint64_t entry_size = obj.header.is_64 ? 16 : 8;
  const std::uint64_t count = dynamic->filesz / entry_size;
  if (count > kMaxDynamicEntries) throw Error("dynamic section too large");
  std::vector<std::pair<std::int64_t, std::uint64_t>> entries;
  std::uint64_t strtab = 0, strsz = 0;
  bool has_strtab = false;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t at = dynamic->offset + i * entry_size;
    auto tag = static_cast<std::int64_t>(r.word(at));
    if (!obj.header.is_64) tag = static_cast<std::int32_t>(tag);
    std::uint64_t val = r.word(at + entry_size / 2);
    if (tag == kDtNull) break;
    if (tag == kDtStrtab) {
      strtab = val;
      has_strtab = true;
    } else if (tag == kDtStrsz) {
      strsz = val;
    } else {
      entries.emplace_back(tag, val);
    }
  }
  bool wants_strings = false;
  for (const auto& [tag, val] : entries) {
    wants_strings = wants_strings || tag == kDtNeeded || tag == kDtSoname || tag == kDtRpath || tag == kDtRunpath;
  }
  if (!wants_strings) return obj;
  if (!has_strtab) throw Error("dynamic section has names but no DT_STRTAB");
  const std::uint64_t table = file_offset(segments, strtab);
  if (table > src.size()) throw Error("dynamic string table past the end of the file");
  strsz = std::min(strsz, src.size() - table);
  for (const auto& [tag, val] : entries) {
    switch (tag) {
      case kDtNeeded: obj.needed.push_back(string_at(src, table, strsz, val)); break;
      case kDtSoname: obj.soname = string_at(src, table, strsz, val); break;
      case kDtRpath: obj.rpath = string_at(src, table, strsz, val); break;
      case kDtRunpath: obj.runpath = string_at(src, table, strsz, val); break;
      default: break;
    }
  }
  return obj;
}

Object read_object(const std::filesystem::path& path) {
  return with_context(path.string(), [&] {
    FileSource src(path);
    return parse_object(src);
  });
}

}  // namespace ocipack::elf
