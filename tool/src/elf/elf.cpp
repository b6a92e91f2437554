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
constexpr std::uint16_t kEm386 = 3, kEmMips = 8, kEmPpc = 20, kEmPpc64 = 21, kEmS390 = 22, kEmArm = 40, kEmX86_64 = 62,
                        kEmAarch64 = 183, kEmRiscv = 243, kEmLoongarch = 258;

enum class Width { Any, Bits32, Bits64 };
enum class Order { Any, Little, Big };

struct MachineRow {
  std::uint16_t em;
  Width width;
  Order order;
  Machine machine;
};

// The first row that matches wins. The 32-bit s390, RISC-V and MIPS rows
// keep the 64-bit multiarch names the resolver has always searched.
constexpr MachineRow kMachines[] = {
    {kEmX86_64, Width::Any, Order::Any, {"amd64", "", "x86_64-linux-gnu", "x86_64"}},
    {kEm386, Width::Any, Order::Any, {"386", "", "i386-linux-gnu", "i686"}},
    {kEmAarch64, Width::Any, Order::Any, {"arm64", "", "aarch64-linux-gnu", "aarch64"}},  // variant v8 is implied
    // EABI hard/soft float cannot tell v6 from v7; v7 is what current
    // 32-bit ARM distributions (Debian armhf) target.
    {kEmArm, Width::Any, Order::Any, {"arm", "v7", "arm-linux-gnueabihf", "v7l"}},
    {kEmPpc64, Width::Any, Order::Little, {"ppc64le", "", "powerpc64le-linux-gnu", "ppc64le"}},
    {kEmPpc64, Width::Any, Order::Big, {"ppc64", "", "powerpc64-linux-gnu", "ppc64"}},
    {kEmPpc, Width::Any, Order::Any, {"ppc", "", nullptr, nullptr}},
    {kEmS390, Width::Bits64, Order::Any, {"s390x", "", "s390x-linux-gnu", "s390x"}},
    {kEmS390, Width::Bits32, Order::Any, {"s390", "", "s390x-linux-gnu", "s390x"}},
    {kEmRiscv, Width::Bits64, Order::Any, {"riscv64", "", "riscv64-linux-gnu", "riscv64"}},
    {kEmRiscv, Width::Bits32, Order::Any, {"riscv32", "", "riscv64-linux-gnu", "riscv64"}},
    {kEmLoongarch, Width::Any, Order::Any, {"loong64", "", "loongarch64-linux-gnu", "loongarch64"}},
    {kEmMips, Width::Bits64, Order::Little, {"mips64le", "", "mips64el-linux-gnuabi64", "mips"}},
    {kEmMips, Width::Bits64, Order::Big, {"mips64", "", "mips64-linux-gnuabi64", "mips"}},
    {kEmMips, Width::Bits32, Order::Little, {"mipsle", "", "mips64el-linux-gnuabi64", "mips"}},
    {kEmMips, Width::Bits32, Order::Big, {"mips", "", "mips64-linux-gnuabi64", "mips"}},
};

// This tool's own machine, as the compiler targets it.
#if defined(__x86_64__)
constexpr std::uint16_t kHostMachine = kEmX86_64;
#elif defined(__aarch64__)
constexpr std::uint16_t kHostMachine = kEmAarch64;
#elif defined(__i386__)
constexpr std::uint16_t kHostMachine = kEm386;
#elif defined(__arm__)
constexpr std::uint16_t kHostMachine = kEmArm;
#elif defined(__powerpc64__)
constexpr std::uint16_t kHostMachine = kEmPpc64;
#elif defined(__powerpc__)
constexpr std::uint16_t kHostMachine = kEmPpc;
#elif defined(__s390__)
constexpr std::uint16_t kHostMachine = kEmS390;
#elif defined(__riscv)
constexpr std::uint16_t kHostMachine = kEmRiscv;
#elif defined(__loongarch__)
constexpr std::uint16_t kHostMachine = kEmLoongarch;
#elif defined(__mips__)
constexpr std::uint16_t kHostMachine = kEmMips;
#else
constexpr std::uint16_t kHostMachine = 0;  // none: not in the table
#endif

std::uint16_t u16(const unsigned char* p, bool le) {
  return le ? static_cast<std::uint16_t>(p[0] | p[1] << 8) : static_cast<std::uint16_t>(p[1] | p[0] << 8);
}
std::uint32_t u32(const unsigned char* p, bool le) {
  return le ? (std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24)
            : (std::uint32_t(p[3]) | std::uint32_t(p[2]) << 8 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[0]) << 24);
}
}  // namespace

Header parse_header(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < 4 || std::memcmp(p,
                                      "\x7f"
                                      "ELF",
                                      4) != 0) {
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

const Machine* find_machine(const Header& h) {
  for (const MachineRow& row : kMachines) {
    if (row.em != h.machine) continue;
    if (row.width != Width::Any && (row.width == Width::Bits64) != h.is_64) continue;
    if (row.order != Order::Any && (row.order == Order::Little) != h.little_endian) continue;
    return &row.machine;
  }
  return nullptr;
}

oci::Platform platform_of(const Header& h) {
  if (h.os_abi != kOsAbiSysv && h.os_abi != kOsAbiGnu) {
    throw Error("ELF OS ABI " + std::to_string(h.os_abi) + " is not Linux");
  }
  const Machine* m = find_machine(h);
  if (m == nullptr) throw Error("ELF machine " + std::to_string(h.machine) + " has no OCI architecture name");
  oci::Platform p;
  p.os = "linux";
  p.architecture = m->architecture;
  p.variant = m->variant;
  return p;
}

oci::Platform host_platform() {
  Header h;
  h.is_64 = sizeof(void*) == 8;
  h.little_endian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
  h.machine = kHostMachine;
  const Machine* m = find_machine(h);
  oci::Platform p;
  p.architecture = m != nullptr ? m->architecture : "unknown";
  p.variant = m != nullptr ? m->variant : "";
  return p;
}

}  // namespace ocipack::elf
