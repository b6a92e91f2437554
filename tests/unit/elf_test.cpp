#include "elf/elf.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace ocipack;

namespace {
// A minimal ELF header: class, data encoding, OS ABI and machine.
std::string header(bool is64, bool le, std::uint16_t machine, std::uint8_t abi = 0) {
  std::string h(is64 ? 64 : 52, '\0');
  h[0] = 0x7f;
  h[1] = 'E';
  h[2] = 'L';
  h[3] = 'F';
  h[4] = is64 ? 2 : 1;
  h[5] = le ? 1 : 2;
  h[6] = 1;
  h[7] = static_cast<char>(abi);
  h[16] = le ? 2 : 0;
  h[17] = le ? 0 : 2;  // ET_EXEC
  h[18] = static_cast<char>(le ? machine & 0xff : machine >> 8);
  h[19] = static_cast<char>(le ? machine >> 8 : machine & 0xff);
  return h;
}
}  // namespace

TEST(Elf, MapsMachinesToOciArchitectures) {
  EXPECT_EQ(elf::platform_of(elf::parse_header(header(true, true, 62))).str(), "linux/amd64");
  EXPECT_EQ(elf::platform_of(elf::parse_header(header(true, true, 183))).str(), "linux/arm64");
  EXPECT_EQ(elf::platform_of(elf::parse_header(header(false, true, 40))).str(), "linux/arm/v7");
  EXPECT_EQ(elf::platform_of(elf::parse_header(header(false, true, 3, 3))).str(), "linux/386");
  EXPECT_EQ(elf::platform_of(elf::parse_header(header(true, true, 21))).str(), "linux/ppc64le");
  EXPECT_EQ(elf::platform_of(elf::parse_header(header(true, false, 22))).str(), "linux/s390x");
  EXPECT_EQ(elf::platform_of(elf::parse_header(header(true, true, 243))).str(), "linux/riscv64");
  EXPECT_EQ(elf::platform_of(elf::parse_header(header(false, false, 8))).str(), "linux/mips");
}

TEST(Elf, ReadsBothEndiannesses) {
  auto be = elf::parse_header(header(false, false, 8));
  EXPECT_FALSE(be.little_endian);
  EXPECT_FALSE(be.is_64);
  EXPECT_EQ(be.machine, 8);
  EXPECT_EQ(be.type, 2);
}

TEST(Elf, RefusesWhatIsNotElf) {
  EXPECT_THROW(elf::parse_header("#!/bin/sh\necho hi\n"), Error);
  EXPECT_THROW(elf::parse_header(""), Error);
  EXPECT_THROW(elf::parse_header(header(true, true, 62).substr(0, 40)), Error);  // truncated
  std::string bad_class = header(true, true, 62);
  bad_class[4] = 9;
  EXPECT_THROW(elf::parse_header(bad_class), Error);
  EXPECT_THROW(elf::platform_of(elf::parse_header(header(true, true, 9999))), Error);
  EXPECT_THROW(elf::platform_of(elf::parse_header(header(true, true, 62, 9))), Error);  // FreeBSD
}

TEST(Elf, ReadsARealBinary) {
  // This test binary itself was built for the host.
  oci::Platform p = elf::platform_of(elf::read_header("/proc/self/exe"));
  EXPECT_EQ(p, elf::host_platform());
  try {
    elf::read_header("/etc/hostname-does-not-exist");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/etc/hostname-does-not-exist"), std::string::npos);
  }
}
