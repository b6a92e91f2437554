// Builds small but well-formed ELF objects for the tests: an ELF header, a
// PT_LOAD covering the file, PT_INTERP and PT_DYNAMIC with DT_NEEDED,
// DT_RPATH, DT_RUNPATH and DT_SONAME. Either class, either byte order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ocipack::testing {

struct ElfSpec {
  bool is64 = true;
  bool little_endian = true;
  std::uint16_t machine = 62;  // EM_X86_64
  std::uint16_t type = 3;      // ET_DYN
  std::string interpreter;     // empty: no PT_INTERP
  std::vector<std::string> needed;
  std::optional<std::string> rpath, runpath;
  std::string soname;
  bool dynamic = true;  // false: no PT_DYNAMIC (a static binary)
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
  std::size_t strtab_at = out.size();
  out += strtab;
  while (out.size() % 8) out += '\0';
  std::size_t dyn_at = out.size();
  dyn.push_back({5, base + strtab_at});
  dyn.push_back({10, strtab.size()});
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
