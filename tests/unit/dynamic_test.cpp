#include "elf/dynamic.hpp"
#include "elf_builder.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

TEST(ElfDynamic, ReadsInterpreterNeededPathsAndSoname) {
  for (bool is64 : {true, false}) {
    for (bool le : {true, false}) {
      ElfSpec spec;
      spec.is64 = is64;
      spec.little_endian = le;
      spec.machine = is64 ? 183 : 8;
      spec.interpreter = "/lib/ld-test.so.1";
      spec.needed = {"libfoo.so.1", "libc.so.6"};
      spec.rpath = "/opt/a:$ORIGIN/../lib";
      spec.runpath = "/opt/b";
      spec.soname = "libself.so.2";
      std::string bytes = make_elf(spec);
      elf::Object o = elf::parse_object(elf::MemorySource(bytes));
      SCOPED_TRACE(std::string(is64 ? "64" : "32") + (le ? " LE" : " BE"));
      EXPECT_EQ(o.header.is_64, is64);
      EXPECT_EQ(o.header.little_endian, le);
      EXPECT_EQ(o.header.machine, spec.machine);
      EXPECT_TRUE(o.is_dynamic);
      EXPECT_EQ(o.interpreter, "/lib/ld-test.so.1");
      EXPECT_EQ(o.needed, spec.needed);
      EXPECT_EQ(o.rpath, spec.rpath);
      EXPECT_EQ(o.runpath, spec.runpath);
      EXPECT_EQ(o.soname, "libself.so.2");
    }
  }
}

TEST(ElfDynamic, StaticBinaryHasNoDynamicSection) {
  ElfSpec spec;
  spec.dynamic = false;
  elf::Object o = elf::parse_object(elf::MemorySource(make_elf(spec)));
  EXPECT_FALSE(o.is_dynamic);
  EXPECT_TRUE(o.interpreter.empty());
  EXPECT_TRUE(o.needed.empty());
}

TEST(ElfDynamic, ReadsARealBinary) {
  // The test binary itself: dynamically linked against libstdc++ and libc.
  elf::Object o = elf::read_object("/proc/self/exe");
  EXPECT_TRUE(o.is_dynamic);
  EXPECT_FALSE(o.interpreter.empty());
  bool has_libc = false;
  for (const auto& n : o.needed) has_libc = has_libc || n == "libc.so.6";
  EXPECT_TRUE(has_libc);
}

TEST(ElfDynamic, MalformedInputIsAnErrorNeverACrash) {
  ElfSpec spec;
  spec.interpreter = "/lib/ld.so";
  spec.needed = {"liba.so"};
  spec.runpath = "/x";
  const std::string good = make_elf(spec);
  // Every truncation.
  for (std::size_t n = 0; n < good.size(); ++n) {
    try {
      elf::parse_object(elf::MemorySource(std::string_view(good.data(), n)));
    } catch (const Error&) {}
  }
  // Random byte flips: an Error or a result, never a crash or a hang.
  std::mt19937 rng(42);
  int errors = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string bad = good;
    for (int k = 0; k < 4; ++k) bad[rng() % bad.size()] = static_cast<char>(rng());
    try {
      elf::parse_object(elf::MemorySource(bad));
    } catch (const Error&) {
      ++errors;
    }
  }
  EXPECT_GT(errors, 0);
  // Specific lies: a huge program header count, a string table outside the file.
  std::string lie = good;
  lie[56] = '\xff';
  lie[57] = '\xff';
  EXPECT_THROW(elf::parse_object(elf::MemorySource(lie)), Error);
  EXPECT_THROW(elf::parse_object(elf::MemorySource(good.substr(0, 100))), Error);
  EXPECT_THROW(elf::read_object("/etc/passwd"), Error);
}
