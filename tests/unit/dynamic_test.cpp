#include "elf/dynamic.hpp"
#include "elf_builder.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>

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

namespace {

// Every truncation and random byte flips of `good`: an Error or a result,
// never a crash or a hang; some flips are errors.
void expect_errors_never_crashes(const std::string& good) {
  for (std::size_t n = 0; n < good.size(); ++n) {
    try {
      elf::parse_object(elf::MemorySource(std::string_view(good.data(), n)));
    } catch (const Error&) {}
  }
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
}

ElfSpec with_symbols(SymbolLookup lookup) {
  ElfSpec spec;
  spec.needed = {"libc.so.6"};
  spec.lookup = lookup;
  spec.symbols = {{"iconv_open", false}, {"main", true}, {"dlopen", false}, {"helper", true},
                  {"dlopen", false},     {"", false},    {"extra", true}};
  return spec;
}

const SymbolLookup kLookups[] = {SymbolLookup::Sections, SymbolLookup::Hash, SymbolLookup::GnuHash};

// The undefined symbols readelf lists in the dynamic symbol table, without versions.
std::vector<std::string> readelf_imports(const std::string& path) {
  std::vector<std::string> out;
  FILE* f = ::popen(("readelf --dyn-syms -W " + path + " 2>/dev/null").c_str(), "r");
  if (f == nullptr) return out;
  char line[4096];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    std::istringstream in(line);
    std::vector<std::string> fields;
    for (std::string field; in >> field;) fields.push_back(field);
    // Num: Value Size Type Bind Vis Ndx Name
    if (fields.size() < 8 || fields[0].back() != ':' || fields[6] != "UND") continue;
    out.push_back(fields[7].substr(0, fields[7].find('@')));
  }
  ::pclose(f);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

TEST(ElfDynamic, MalformedInputIsAnErrorNeverACrash) {
  ElfSpec spec;
  spec.interpreter = "/lib/ld.so";
  spec.needed = {"liba.so"};
  spec.runpath = "/x";
  const std::string good = make_elf(spec);
  expect_errors_never_crashes(good);
  // Specific lies: a huge program header count, a string table outside the file.
  std::string lie = good;
  lie[56] = '\xff';
  lie[57] = '\xff';
  EXPECT_THROW(elf::parse_object(elf::MemorySource(lie)), Error);
  EXPECT_THROW(elf::parse_object(elf::MemorySource(good.substr(0, 100))), Error);
  EXPECT_THROW(elf::read_object("/etc/passwd"), Error);
}

TEST(ElfDynamic, ReadsTheUndefinedDynamicSymbols) {
  for (SymbolLookup lookup : kLookups) {
    for (bool is64 : {true, false}) {
      for (bool le : {true, false}) {
        ElfSpec spec = with_symbols(lookup);
        spec.is64 = is64;
        spec.little_endian = le;
        SCOPED_TRACE(std::to_string(static_cast<int>(lookup)) + (is64 ? " 64" : " 32") + (le ? " LE" : " BE"));
        elf::Object o = elf::parse_object(elf::MemorySource(make_elf(spec)));
        EXPECT_EQ(o.imports, (std::vector<std::string>{"dlopen", "iconv_open"}));
        EXPECT_TRUE(elf::imports_symbol(o, "dlopen"));
        EXPECT_FALSE(elf::imports_symbol(o, "main"));
        EXPECT_FALSE(elf::imports_symbol(o, "dlsym"));
        EXPECT_EQ(o.needed, spec.needed);
      }
    }
  }
}

TEST(ElfDynamic, GnuHashCountsTheSymbolsOfEveryBucket) {
  // One defined symbol leaves the first bucket empty; none leaves both.
  for (std::size_t defined = 0; defined < 4; ++defined) {
    ElfSpec spec;
    spec.lookup = SymbolLookup::GnuHash;
    spec.symbols = {{"dlopen", false}};
    for (std::size_t i = 0; i < defined; ++i) spec.symbols.push_back({"f" + std::to_string(i), true});
    spec.symbols.push_back({"zlast", false});  // still before the defined ones in the table
    elf::Object o = elf::parse_object(elf::MemorySource(make_elf(spec)));
    EXPECT_EQ(o.imports, (std::vector<std::string>{"dlopen", "zlast"})) << defined;
  }
}

TEST(ElfDynamic, StaticBinaryImportsNothing) {
  ElfSpec spec = with_symbols(SymbolLookup::Sections);
  spec.dynamic = false;
  EXPECT_TRUE(elf::parse_object(elf::MemorySource(make_elf(spec))).imports.empty());
}

TEST(ElfDynamic, ImportsAreReadelfsUndefinedSymbols) {
  if (std::system("command -v readelf >/dev/null 2>&1") != 0) GTEST_SKIP() << "no readelf";
  int compared = 0;
  for (const char* path : {"/usr/bin/cmake", "/usr/bin/python3"}) {
    if (!std::filesystem::exists(path)) continue;
    const std::vector<std::string> want = readelf_imports(path);
    ASSERT_FALSE(want.empty()) << path;
    const elf::Object o = elf::read_object(path);
    EXPECT_EQ(o.imports, want) << path;
    // Without its section headers, through the dynamic section's hash table.
    std::string bytes = util::read_file(path);
    std::fill_n(bytes.begin() + (o.header.is_64 ? 40 : 32), o.header.is_64 ? 8 : 4, '\0');  // e_shoff
    EXPECT_EQ(elf::parse_object(elf::MemorySource(bytes)).imports, want) << path;
    ++compared;
  }
  if (compared == 0) GTEST_SKIP() << "no cmake or python3 in /usr/bin";
}

TEST(ElfDynamic, MalformedSymbolTableIsAnError) {
  for (SymbolLookup lookup : kLookups) {
    SCOPED_TRACE(static_cast<int>(lookup));
    expect_errors_never_crashes(make_elf(with_symbols(lookup)));
    ElfSpec names_past_strsz = with_symbols(lookup);
    names_past_strsz.needed.clear();  // the symbols' names alone in the string table
    names_past_strsz.strsz = 1;
    EXPECT_THROW(elf::parse_object(elf::MemorySource(make_elf(names_past_strsz))), Error);
    if (lookup == SymbolLookup::GnuHash) continue;
    ElfSpec past_the_end = with_symbols(lookup);
    past_the_end.extra_symbols = 1000;
    try {
      elf::parse_object(elf::MemorySource(make_elf(past_the_end)));
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("past the end of the file"), std::string::npos) << e.what();
    }
  }
}

TEST(ElfDynamic, SaysWhereTheSearchPathsLie) {
  for (bool is64 : {true, false}) {
    ElfSpec spec;
    spec.is64 = is64;
    spec.needed = {"liba.so"};
    spec.rpath = "/opt/a:$ORIGIN";
    spec.runpath = "/build/lib:$ORIGIN/../lib";
    const std::string bytes = make_elf(spec);
    elf::Object o = elf::parse_object(elf::MemorySource(bytes));
    ASSERT_TRUE(o.rpath_at && o.runpath_at);
    EXPECT_EQ(bytes.substr(o.rpath_at->offset, o.rpath_at->size), *spec.rpath);
    EXPECT_EQ(bytes.substr(o.runpath_at->offset, o.runpath_at->size + 1), *spec.runpath + '\0');
  }
  ElfSpec none;
  none.needed = {"liba.so"};
  elf::Object o = elf::parse_object(elf::MemorySource(make_elf(none)));
  EXPECT_FALSE(o.rpath_at || o.runpath_at);
}

TEST(ElfDynamic, PaddedSearchPathKeepsTheSize) {
  EXPECT_EQ(elf::padded_search_path("$ORIGIN/../lib", 20), std::string("$ORIGIN/../lib\0\0\0\0\0\0", 20));
  EXPECT_EQ(elf::padded_search_path("", 3), std::string(3, '\0'));
  EXPECT_EQ(elf::padded_search_path("/abc", 4), "/abc");
  EXPECT_THROW(elf::padded_search_path("/abcd", 4), Error);
}
