#include "elf/dynamic.hpp"

#include "util/error.hpp"

#include <algorithm>
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
  if (n == 0) return;  // `out` may be null then (an empty table's buffer)
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
constexpr std::uint32_t kShtDynsym = 11;
constexpr std::int64_t kDtNull = 0, kDtNeeded = 1, kDtHash = 4, kDtStrtab = 5, kDtSymtab = 6, kDtStrsz = 10,
                       kDtSoname = 14, kDtRpath = 15, kDtRunpath = 29, kDtGnuHash = 0x6ffffef5;
// Sanity bounds: far above anything a real object has.
constexpr std::uint64_t kMaxSegments = 4096;
constexpr std::uint64_t kMaxDynamicEntries = 1u << 16;
constexpr std::uint64_t kMaxInterpreter = 4096;
constexpr std::uint64_t kMaxSymbols = 1u << 22;
// Symbols are read this many at a time.
constexpr std::uint64_t kSymbolBlock = 4096;

std::uint64_t decode(const unsigned char* b, std::size_t width, bool le) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    v |= std::uint64_t(b[le ? i : width - 1 - i]) << (8 * i);
  }
  return v;
}

struct Reader {
  const ByteSource& src;
  bool le;
  bool is64;

  std::uint64_t uint(std::uint64_t offset, std::size_t width) const {
    unsigned char b[8];
    src.read(offset, b, width);
    return decode(b, width, le);
  }
  std::uint64_t word(std::uint64_t offset) const { return uint(offset, is64 ? 8 : 4); }
  // Elf32_Sym or Elf64_Sym.
  std::uint64_t symbol_size() const { return is64 ? 24 : 16; }
};

struct Segment {
  std::uint32_t type;
  std::uint64_t offset, vaddr, filesz;
};

// A table in the file: strings, or `count` symbols.
struct Table {
  std::uint64_t offset = 0, size = 0;
};

struct Symbols {
  std::uint64_t offset = 0, count = 0;
  Table strings;
};

// What the dynamic section says, its string table not yet read.
struct Dynamic {
  std::vector<std::pair<std::int64_t, std::uint64_t>> names;  // DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH
  std::optional<std::uint64_t> strtab, symtab, hash, gnu_hash;
  std::uint64_t strsz = 0;
};

// The file offset of a virtual address, through the PT_LOAD segments.
std::uint64_t file_offset(const std::vector<Segment>& segments, std::uint64_t vaddr, const char* what) {
  for (const auto& s : segments) {
    if (s.type == kPtLoad && vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) {
      return s.offset + (vaddr - s.vaddr);
    }
  }
  throw Error(std::string(what) + " address " + std::to_string(vaddr) + " is in no loadable segment");
}

std::string string_at(const ByteSource& src, const Table& table, std::uint64_t index) {
  if (index >= table.size) throw Error("dynamic string index out of the string table");
  std::string out;
  char buffer[256];
  std::uint64_t pos = index;
  while (pos < table.size) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof buffer, table.size - pos));
    src.read(table.offset + pos, buffer, n);
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

std::vector<Segment> read_segments(const Reader& r) {
  const std::uint64_t phoff = r.word(r.is64 ? 32 : 28);
  const std::uint64_t phentsize = r.uint(r.is64 ? 54 : 42, 2);
  const std::uint64_t phnum = r.uint(r.is64 ? 56 : 44, 2);
  if (phnum > kMaxSegments) throw Error("too many program headers");
  if (phnum > 0 && phentsize < (r.is64 ? 56u : 32u)) throw Error("invalid program header size");
  std::vector<Segment> segments;
  for (std::uint64_t i = 0; i < phnum; ++i) {
    std::uint64_t at = phoff + i * phentsize;
    if (at < phoff) throw Error("program header offset overflows");
    Segment s{};
    s.type = static_cast<std::uint32_t>(r.uint(at, 4));
    if (r.is64) {
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
  return segments;
}

Dynamic read_dynamic(const Reader& r, const Segment& segment) {
  const std::uint64_t entry_size = r.is64 ? 16 : 8;
  const std::uint64_t count = segment.filesz / entry_size;
  if (count > kMaxDynamicEntries) throw Error("dynamic section too large");
  Dynamic d;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t at = segment.offset + i * entry_size;
    auto tag = static_cast<std::int64_t>(r.word(at));
    if (!r.is64) tag = static_cast<std::int32_t>(tag);
    std::uint64_t val = r.word(at + entry_size / 2);
    switch (tag) {
      case kDtNull: return d;
      case kDtStrtab: d.strtab = val; break;
      case kDtStrsz: d.strsz = val; break;
      case kDtSymtab: d.symtab = val; break;
      case kDtHash: d.hash = val; break;
      case kDtGnuHash: d.gnu_hash = val; break;
      case kDtNeeded:
      case kDtSoname:
      case kDtRpath:
      case kDtRunpath: d.names.emplace_back(tag, val); break;
      default: break;
    }
  }
  return d;
}

Table dynamic_strings(const ByteSource& src, const std::vector<Segment>& segments, const Dynamic& d) {
  if (!d.strtab) throw Error("dynamic section has names but no DT_STRTAB");
  const std::uint64_t table = file_offset(segments, *d.strtab, "dynamic string table");
  if (table > src.size()) throw Error("dynamic string table past the end of the file");
  return Table{table, std::min(d.strsz, src.size() - table)};
}

// The number of symbols in a GNU hash table: one past the last symbol of
// the chain of the highest bucket.
std::uint64_t gnu_hash_count(const Reader& r, std::uint64_t at) {
  const std::uint64_t buckets = r.uint(at, 4), first = r.uint(at + 4, 4), bloom = r.uint(at + 8, 4);
  if (buckets > kMaxSymbols || bloom > kMaxSymbols) throw Error("GNU hash table too large");
  const std::uint64_t buckets_at = at + 16 + bloom * (r.is64 ? 8 : 4);
  std::vector<unsigned char> bytes(static_cast<std::size_t>(buckets * 4));
  r.src.read(buckets_at, bytes.data(), bytes.size());
  std::uint64_t last = 0;
  for (std::uint64_t i = 0; i < buckets; ++i) last = std::max(last, decode(&bytes[i * 4], 4, r.le));
  if (last == 0 || last < first) return first;  // every bucket empty
  const std::uint64_t chain_at = buckets_at + buckets * 4;
  // The low bit of a chain entry ends the chain.
  while ((r.uint(chain_at + (last - first) * 4, 4) & 1) == 0) {
    if (++last >= kMaxSymbols) throw Error("GNU hash chain too long");
  }
  return last + 1;
}

// The dynamic symbol table through the dynamic section, for a file without
// section headers: its size is only known from the hash table.
Symbols dynsym_from_dynamic(const Reader& r, const std::vector<Segment>& segments, const Dynamic& d) {
  Symbols syms;
  if (!d.symtab) return syms;
  syms.offset = file_offset(segments, *d.symtab, "dynamic symbol table");
  if (d.gnu_hash) {
    syms.count = gnu_hash_count(r, file_offset(segments, *d.gnu_hash, "GNU hash table"));
  } else if (d.hash) {
    syms.count = r.uint(file_offset(segments, *d.hash, "hash table") + 4, 4);  // nchain
  }
  // Without a hash table the loader looks up nothing in the object.
  if (syms.count > 0) syms.strings = dynamic_strings(r.src, segments, d);
  return syms;
}

// The SHT_DYNSYM section and the string table it links to, when the file
// has section headers.
std::optional<Symbols> dynsym_section(const Reader& r) {
  const std::uint64_t shoff = r.word(r.is64 ? 40 : 32);
  const std::uint64_t shentsize = r.uint(r.is64 ? 58 : 46, 2);
  const std::uint64_t shnum = r.uint(r.is64 ? 60 : 48, 2);
  if (shoff == 0 || shnum == 0) return std::nullopt;
  if (shentsize < (r.is64 ? 64u : 40u)) throw Error("invalid section header size");
  auto header = [&](std::uint64_t i) {
    const std::uint64_t at = shoff + i * shentsize;
    if (at < shoff) throw Error("section header offset overflows");
    return at;
  };
  auto table = [&](std::uint64_t at) {
    return Table{r.word(at + (r.is64 ? 24 : 16)), r.word(at + (r.is64 ? 32 : 20))};
  };
  for (std::uint64_t i = 0; i < shnum; ++i) {
    const std::uint64_t at = header(i);
    if (r.uint(at + 4, 4) != kShtDynsym) continue;
    if (r.word(at + (r.is64 ? 56 : 36)) != r.symbol_size()) throw Error("unexpected dynamic symbol size");
    const std::uint64_t link = r.uint(at + (r.is64 ? 40 : 24), 4);
    if (link >= shnum) throw Error("dynamic symbol table links to no string table");
    const Table symbols = table(at);
    return Symbols{symbols.offset, symbols.size / r.symbol_size(), table(header(link))};
  }
  return std::nullopt;
}

std::vector<std::string> read_imports(const Reader& r, const Symbols& syms) {
  const std::uint64_t size = r.symbol_size();
  if (syms.count > kMaxSymbols) throw Error("dynamic symbol table too large");
  if (syms.offset > r.src.size() || syms.count * size > r.src.size() - syms.offset) {
    throw Error("dynamic symbol table past the end of the file");
  }
  std::vector<std::string> imports;
  std::vector<unsigned char> block;
  for (std::uint64_t first = 0; first < syms.count; first += kSymbolBlock) {
    const std::uint64_t n = std::min(kSymbolBlock, syms.count - first);
    block.resize(static_cast<std::size_t>(n * size));
    r.src.read(syms.offset + first * size, block.data(), block.size());
    for (std::uint64_t i = 0; i < n; ++i) {
      const unsigned char* sym = &block[i * size];
      const std::uint64_t name = decode(sym, 4, r.le);
      const std::uint64_t section = decode(sym + (r.is64 ? 6 : 14), 2, r.le);
      if (section != 0 || name == 0) continue;  // defined, or no name: SHN_UNDEF is 0
      std::string import = string_at(r.src, syms.strings, name);
      if (!import.empty()) imports.push_back(std::move(import));
    }
  }
  std::sort(imports.begin(), imports.end());
  imports.erase(std::unique(imports.begin(), imports.end()), imports.end());
  return imports;
}

}  // namespace

Object parse_object(const ByteSource& src) {
  char ident[64] = {};
  std::size_t head = static_cast<std::size_t>(std::min<std::uint64_t>(src.size(), sizeof ident));
  src.read(0, ident, head);
  Object obj;
  obj.header = parse_header(std::string_view(ident, head));
  Reader r{src, obj.header.little_endian, obj.header.is_64};
  const std::vector<Segment> segments = read_segments(r);

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

  const Dynamic d = read_dynamic(r, *dynamic);
  if (!d.names.empty()) {
    const Table strings = dynamic_strings(src, segments, d);
    auto at = [&](std::uint64_t index, std::string& value) {
      value = string_at(src, strings, index);
      return StringAt{strings.offset + index, value.size()};
    };
    for (const auto& [tag, val] : d.names) {
      switch (tag) {
        case kDtNeeded: obj.needed.push_back(string_at(src, strings, val)); break;
        case kDtSoname: obj.soname = string_at(src, strings, val); break;
        case kDtRpath: obj.rpath_at = at(val, obj.rpath.emplace()); break;
        case kDtRunpath: obj.runpath_at = at(val, obj.runpath.emplace()); break;
        default: break;
      }
    }
  }
  std::optional<Symbols> syms = dynsym_section(r);
  obj.imports = read_imports(r, syms ? *syms : dynsym_from_dynamic(r, segments, d));
  return obj;
}

bool imports_symbol(const Object& object, std::string_view name) {
  return std::binary_search(object.imports.begin(), object.imports.end(), name);
}

std::string padded_search_path(const std::string& value, std::uint64_t size) {
  if (value.size() > size) {
    throw Error("search path " + value + " is longer than the " + std::to_string(size) + " bytes it replaces");
  }
  return value + std::string(static_cast<std::size_t>(size - value.size()), '\0');
}

Object read_object(const std::filesystem::path& path) {
  return with_context(path.string(), [&] {
    FileSource src(path);
    return parse_object(src);
  });
}

}  // namespace ocipack::elf
