#include "elf/elf.hpp"

#include "util/error.hpp"

#include <cstring>
#include <fstream>

namespace ocipack::elf {

namespace {
// Values from the System V ABI / <elf.h>, spelled out so that the tool does
// not depend on the build machine's headers knowing every machine.
constexpr std::uint8_t kClass32 = 1, kClass64 = 2;
constexpr std::uint8_t kData2Lsb = 1, kData2Msb = 2;
constexpr std::uint8_t kOsAbiSysv = 0, kOsAbiGnu = 3;
constexpr std::uint16_t kEm386 = 3, kEmMips = 8, kEmPpc = 20, kEmPpc64 = 21, kEmS390 = 22,
                        kEmArm = 40, kEmX86_64 = 62, kEmAarch64 = 183, kEmRiscv = 243,
                        kEmLoongarch = 258;

std::uint16_t u16(const unsigned char* p, bool le) {
  return le ? static_cast<std::uint16_t>(p[0] | p[1] << 8)
            : static_cast<std::uint16_t>(p[1] | p[0] << 8);
}
std::uint32_t u32(const unsigned char* p, bool le) {
  return le ? (std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
               std::uint32_t(p[3]) << 24)
            : (std::uint32_t(p[3]) | std::uint32_t(p[2]) << 8 | std::uint32_t(p[1]) << 16 |
               std::uint32_t(p[0]) << 24);
}
} // namespace

Header parse_header(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < 4 || std::memcmp(p, "\x7f" "ELF", 4) != 0) {
    throw Error("not an ELF file");
  }
  if (bytes.size() < 52) throw Error("truncated ELF header");
  Header h;
  if (p[4] == kClass32) {
    h.is_64 = false;
  } else if (p[4] == kClass64) {
    h.is_64 = true;
  } else {
    throw Error("invalid ELF class " + std::to_string(p[4]));
  }
  if (p[5] == kData2Lsb) {
    h.little_endian = true;
  } else if (p[5] == kData2Msb) {
    h.little_endian = false;
  } else {
    throw Error("invalid ELF data encoding " + std::to_string(p[5]));
  }
  if (h.is_64 && bytes.size() < 64) throw Error("truncated ELF header");
  h.os_abi = p[7];
  h.type = u16(p + 16, h.little_endian);
  h.machine = u16(p + 18, h.little_endian);
  h.flags = u32(p + (h.is_64 ? 48 : 36), h.little_endian);
  return h;
}

Header read_header(const std::filesystem::path& path) {
  return with_context(path.string(), [&] {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open");
    char buffer[64] = {};
    in.read(buffer, sizeof buffer);
    return parse_header(std::string_view(buffer, static_cast<std::size_t>(in.gcount())));
  });
}

oci::Platform platform_of(const Header& h) {
  oci::Platform p;
  if (h.os_abi != kOsAbiSysv && h.os_abi != kOsAbiGnu) {
    throw Error("ELF OS ABI " + std::to_string(h.os_abi) + " is not Linux");
  }
  p.os = "linux";
  switch (h.machine) {
    case kEmX86_64: p.architecture = "amd64"; break;
    case kEm386: p.architecture = "386"; break;
    case kEmAarch64: p.architecture = "arm64"; break; // variant v8 is implied
    case kEmArm:
      // EABI hard/soft float cannot tell v6 from v7; v7 is what current
      // 32-bit ARM distributions (Debian armhf) target.
      p.architecture = "arm";
      p.variant = "v7";
      break;
    case kEmPpc64: p.architecture = h.little_endian ? "ppc64le" : "ppc64"; break;
    case kEmPpc: p.architecture = "ppc"; break;
    case kEmS390: p.architecture = h.is_64 ? "s390x" : "s390"; break;
    case kEmRiscv: p.architecture = h.is_64 ? "riscv64" : "riscv32"; break;
    case kEmLoongarch: p.architecture = "loong64"; break;
    case kEmMips:
      p.architecture = std::string(h.is_64 ? "mips64" : "mips") + (h.little_endian ? "le" : "");
      break;
    default: throw Error("ELF machine " + std::to_string(h.machine) + " has no OCI architecture name");
  }
  return p;
}

} // namespace ocipack::elf
