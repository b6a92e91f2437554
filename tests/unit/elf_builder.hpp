// Builds small but well-formed ELF objects for the tests: an ELF header, a
// PT_LOAD covering the file, PT_INTERP and PT_DYNAMIC with DT_NEEDED,
// DT_RPATH, DT_RUNPATH and DT_SONAME, and a dynamic symbol table found
// through section headers, DT_HASH or DT_GNU_HASH. Either class, either
// byte order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ocipack::testing {

struct ElfSymbol {
  std::string name;
  bool defined = false;
};

// How a reader finds the number of dynamic symbols.
enum class SymbolLookup { Sections, Hash, GnuHash };

struct ElfSpec {
  bool is64 = true;
  bool little_endian = true;
  std::uint16_t machine = 62;  // EM_X86_64
  std::uint16_t type = 3;      // ET_DYN
  std::string interpreter;     // empty: no PT_INTERP
  std::vector<std::string> needed;
  std::optional<std::string> rpath, runpath;
  std::string soname;
  bool dynamic = true;             // false: no PT_DYNAMIC (a static binary)
  std::vector<ElfSymbol> symbols;  // after the null symbol; none: no symbol table
  SymbolLookup lookup = SymbolLookup::Sections;
  // Lies, to test a reader: symbols counted that are not in the file (not
  // for GnuHash), a DT_STRSZ.
  std::uint64_t extra_symbols = 0;
  std::optional<std::uint64_t> strsz;
};

inline std::string make_elf(const ElfSpec& s) {
  const std::uint64_t base = 0x400000;
  const std::size_t ehsize = s.is64 ? 64 : 52, phentsize = s.is64 ? 56 : 32, dynsize = s.is64 ? 16 : 8;
  std::string out(ehsize + 3 * phentsize, '\0');
  auto put = [&](std::size_t at, std::uint64_t v, std::size_t width) {
    if (out.size() < at + width) out.resize(at + width, '\0');
    for (std::size_t i = 0; i < width; ++i) {
      out[at + (s.little_endian ? i : width - 1 - i)] = static_cast<char>((v >> (8 * i)) & 0xff);
    }
  };
  const std::size_t word = s.is64 ? 8 : 4;

  std::size_t interp_at = out.size();
  out += s.interpreter + '\0';
  std::string strtab(1, '\0');
  auto add_string = [&](const std::string& str) {
    std::size_t at = strtab.size();
    strtab += str + '\0';
    return at;
  };
  std::vector<std::pair<std::uint64_t, std::uint64_t>> dyn;
  for (const auto& n : s.needed) dyn.push_back({1, add_string(n)});
  if (s.rpath) dyn.push_back({15, add_string(*s.rpath)});
  if (s.runpath) dyn.push_back({29, add_string(*s.runpath)});
  if (!s.soname.empty()) dyn.push_back({14, add_string(s.soname)});
  // The undefined symbols first, as a GNU hash table wants them.
  std::vector<ElfSymbol> symbols;
  for (bool defined : {false, true}) {
    for (const auto& sym : s.symbols) {
      if (sym.defined == defined) symbols.push_back(sym);
    }
  }
  std::vector<std::size_t> names;
  for (const auto& sym : symbols) names.push_back(add_string(sym.name));
  std::size_t strtab_at = out.size();
  out += strtab;
  auto align = [&] {
    while (out.size() % 8) out += '\0';
  };
  align();
  const std::size_t symsize = s.is64 ? 24 : 16, symtab_at = out.size();
  const std::uint64_t nsyms = symbols.size() + 1, counted = nsyms + s.extra_symbols;
  if (!symbols.empty()) {
    out.resize(symtab_at + nsyms * symsize, '\0');  // symbol 0: the null symbol
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      const std::size_t at = symtab_at + (i + 1) * symsize;
      put(at, names[i], 4);
      put(at + (s.is64 ? 4 : 12), 0x12, 1);                        // STB_GLOBAL, STT_FUNC
      put(at + (s.is64 ? 6 : 14), symbols[i].defined ? 5 : 0, 2);  // a section, or SHN_UNDEF
    }
    dyn.push_back({6, base + symtab_at});
    align();
  }
  const std::size_t hash_at = out.size();
  if (!symbols.empty() && s.lookup == SymbolLookup::Hash) {
    // nbucket, nchain, the one bucket, then the chain.
    for (std::uint64_t v : {std::uint64_t{1}, counted, std::uint64_t{0}}) put(out.size(), v, 4);
    for (std::uint64_t i = 0; i < nsyms; ++i) put(out.size(), 0, 4);
    dyn.push_back({4, base + hash_at});
  } else if (!symbols.empty() && s.lookup == SymbolLookup::GnuHash) {
    // Two buckets, each holding half of the defined symbols (either may be empty).
    const auto undefined = std::count_if(symbols.begin(), symbols.end(), [](const ElfSymbol& x) { return !x.defined; });
    const std::uint64_t first = 1 + static_cast<std::uint64_t>(undefined);
    const std::uint64_t defined = nsyms - first, half = defined / 2;
    // nbuckets, the first hashed symbol, the bloom filter's size and shift.
    for (std::uint64_t v : {std::uint64_t{2}, first, std::uint64_t{1}, std::uint64_t{6}}) put(out.size(), v, 4);
    put(out.size(), 0, word);  // the bloom filter
    put(out.size(), half > 0 ? first : 0, 4);
    put(out.size(), defined > half ? first + half : 0, 4);
    for (std::uint64_t i = first; i < nsyms; ++i) {
      const bool last = i == first + half - 1 || i == nsyms - 1;  // the end of a bucket's chain
      put(out.size(), last ? 1 : 0, 4);
    }
    dyn.push_back({0x6ffffef5, base + hash_at});
  }
  align();
  std::size_t dyn_at = out.size();
  dyn.push_back({5, base + strtab_at});
  dyn.push_back({10, s.strsz ? *s.strsz : strtab.size()});
  dyn.push_back({0, 0});
  for (std::size_t i = 0; i < dyn.size(); ++i) {
    put(dyn_at + i * dynsize, dyn[i].first, word);
    put(dyn_at + i * dynsize + word, dyn[i].second, word);
  }
  const std::size_t total = out.size();

  out[0] = 0x7f;
  out[1] = 'E';
  out[2] = 'L';
  out[3] = 'F';
  out[4] = s.is64 ? 2 : 1;
  out[5] = s.little_endian ? 1 : 2;
  out[6] = 1;
  put(16, s.type, 2);
  put(18, s.machine, 2);
  put(20, 1, 4);
  put(s.is64 ? 32 : 28, ehsize, word);  // e_phoff
  put(s.is64 ? 52 : 40, ehsize, 2);     // e_ehsize
  put(s.is64 ? 54 : 42, phentsize, 2);  // e_phentsize
  struct Ph {
    std::uint32_t type;
    std::uint64_t off, size;
  };
  std::vector<Ph> phs = {{1, 0, total}};
  if (!s.interpreter.empty()) phs.push_back({3, interp_at, s.interpreter.size() + 1});
  if (s.dynamic) phs.push_back({2, dyn_at, dyn.size() * dynsize});
  put(s.is64 ? 56 : 44, phs.size(), 2);  // e_phnum
  if (!symbols.empty() && s.lookup == SymbolLookup::Sections) {
    // Section headers: the null one, .dynsym and its string table.
    const std::size_t shentsize = s.is64 ? 64 : 40, shoff = (out.size() + 7) / 8 * 8;
    out.resize(shoff + 3 * shentsize, '\0');
    put(s.is64 ? 40 : 32, shoff, word);   // e_shoff
    put(s.is64 ? 58 : 46, shentsize, 2);  // e_shentsize
    put(s.is64 ? 60 : 48, 3, 2);          // e_shnum
    auto section = [&](std::size_t i, std::uint32_t type, std::uint64_t off, std::uint64_t size, std::uint32_t link,
                       std::uint64_t entsize) {
      const std::size_t at = shoff + i * shentsize;
      put(at + 4, type, 4);
      put(at + (s.is64 ? 24 : 16), off, word);
      put(at + (s.is64 ? 32 : 20), size, word);
      put(at + (s.is64 ? 40 : 24), link, 4);
      put(at + (s.is64 ? 56 : 36), entsize, word);
    };
    section(1, 11, symtab_at, counted * symsize, 2, symsize);            // SHT_DYNSYM
    section(2, 3, strtab_at, s.strsz ? *s.strsz : strtab.size(), 0, 0);  // SHT_STRTAB
  }
  for (std::size_t i = 0; i < phs.size(); ++i) {
    std::size_t at = ehsize + i * phentsize;
    put(at, phs[i].type, 4);
    if (s.is64) {
      put(at + 8, phs[i].off, 8);
      put(at + 16, base + phs[i].off, 8);
      put(at + 32, phs[i].size, 8);
      put(at + 40, phs[i].size, 8);
    } else {
      put(at + 4, phs[i].off, 4);
      put(at + 8, base + phs[i].off, 4);
      put(at + 16, phs[i].size, 4);
      put(at + 20, phs[i].size, 4);
    }
  }
  return out;
}

}  // namespace ocipack::testing
