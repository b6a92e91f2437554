#include "build/runtime_data.hpp"

#include "elf_builder.hpp"
#include "test_util.hpp"

#include <algorithm>

using namespace ocipack;
using ocipack::testing::expect_error_contains;
using ocipack::testing::TempDir;
using ocipack::testing::write;
namespace fs = std::filesystem;

namespace {

const elf::Header kX86_64{true, true, 0, 3, 62, 0};
const elf::Header kAarch64{true, true, 0, 3, 183, 0};
const elf::Header kS390x{true, false, 0, 3, 22, 0};  // big-endian

const char* const kPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

// A fake sysroot and a fake build machine, side by side.
class RuntimeDataTest : public ::testing::Test {
protected:
  build::RuntimeData collect(const spec::RuntimeDataSpec& spec, const elf::Header& target = kX86_64) {
    return build::collect_runtime_data(spec, sysroot, target, inputs, host);
  }
  const layer::Entry* find(const build::RuntimeData& data, const std::string& path) {
    auto it = std::find_if(data.entries.begin(), data.entries.end(), [&](const auto& e) { return e.path == path; });
    return it == data.entries.end() ? nullptr : &*it;
  }
  // libc.so.6 of `header` in `root`'s `dir`, naming `gconv` as its modules' directory.
  static void libc(const fs::path& root, const std::string& dir, const elf::Header& header, const std::string& gconv) {
    ocipack::testing::ElfSpec e;
    e.machine = header.machine;
    e.soname = "libc.so.6";
    write(root / dir / "libc.so.6", ocipack::testing::make_elf(e) + std::string("\0/no/gconv-modules.cache\0", 25) +
                                        gconv + std::string("\0", 1));
  }
  // A gconv directory: ISO-8859-1 (alias LATIN1), UTF-16 and UTF-16LE in
  // gconv-modules, EUC-JP (alias EUCJP) in gconv-modules.d.
  static void gconv(const fs::path& dir) {
    write(dir / "gconv-modules",
          "# comment\nalias\tLATIN1//\t\tISO-8859-1//\n"
          "module\tISO-8859-1//\tINTERNAL\tISO8859-1\t1\nmodule\tINTERNAL\tISO-8859-1//\tISO8859-1\t1\n"
          "module UTF-16// INTERNAL UTF-16 1\nmodule INTERNAL UTF-16// UTF-16 1\n"
          "module UTF-16LE// INTERNAL UTF-16 1  # same file\nmodule INTERNAL UTF-16LE// UTF-16 1\n");
    write(dir / "gconv-modules.d/extra.conf",
          "alias EUCJP// EUC-JP//\nmodule EUC-JP// INTERNAL EUC-JP 1\nmodule INTERNAL EUC-JP// EUC-JP 1\n");
    write(dir / "gconv-modules.cache", "cache");
    for (const char* so : {"ISO8859-1.so", "UTF-16.so", "EUC-JP.so", "libJIS.so"}) write(dir / so, "module");
  }

  TempDir dir;
  fs::path sysroot = dir / "sysroot", host = dir / "host";
  std::set<std::string> inputs;
};

std::vector<std::string> image_paths(const std::vector<layer::ElfFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.image_path);
  return out;
}

}  // namespace

TEST_F(RuntimeDataTest, NothingAskedNothingRead) {
  build::RuntimeData data = collect({});
  EXPECT_TRUE(data.entries.empty() && data.modules.empty() && data.notes.empty());
  EXPECT_TRUE(inputs.empty());
}

TEST_F(RuntimeDataTest, CertificatesWithACompanyCa) {
  write(sysroot / "etc/ssl/certs/ca-certificates.crt", "-----BEGIN CERTIFICATE-----\nSYS\n-----END CERTIFICATE-----");
  write(dir / "company.pem", kPem);
  spec::RuntimeDataSpec spec;
  spec.ca_certificates = true;
  spec.ca_files = {dir / "company.pem"};
  build::RuntimeData data = collect(spec);
  const layer::Entry* bundle = find(data, "etc/ssl/certs/ca-certificates.crt");
  ASSERT_NE(bundle, nullptr);
  EXPECT_EQ(bundle->text, std::string("-----BEGIN CERTIFICATE-----\nSYS\n-----END CERTIFICATE-----\n") + kPem);
  EXPECT_EQ(bundle->mode, 0644u);
  EXPECT_EQ(bundle->size, bundle->text.size());
  ASSERT_NE(find(data, "usr/lib/ssl/cert.pem"), nullptr);
  EXPECT_EQ(find(data, "usr/lib/ssl/cert.pem")->text, "/etc/ssl/certs/ca-certificates.crt");
  ASSERT_NE(find(data, "usr/lib/ssl/certs"), nullptr);
  EXPECT_EQ(find(data, "usr/lib/ssl/certs")->text, "/etc/ssl/certs");
  ASSERT_NE(find(data, "etc/ssl"), nullptr);  // parents explicit
  EXPECT_TRUE(data.notes.empty());
  EXPECT_EQ(inputs.count(sysroot / "etc/ssl/certs/ca-certificates.crt"), 1u);
  EXPECT_EQ(inputs.count(dir / "company.pem"), 1u);

  write(dir / "company.pem", "not a certificate");
  expect_error_contains([&] { collect(spec); },
                        "CA_CERTIFICATES " + (dir / "company.pem").string() + ": not a PEM file");
  spec.ca_files = {dir / "absent.pem"};
  expect_error_contains([&] { collect(spec); }, "CA_CERTIFICATES " + (dir / "absent.pem").string());
}

TEST_F(RuntimeDataTest, CertificatesFromTheBuildMachineOfACrossSysroot) {
  spec::RuntimeDataSpec spec;
  spec.ca_certificates = true;
  expect_error_contains([&] { collect(spec); },
                        "CA_CERTIFICATES: no CA bundle /etc/ssl/certs/ca-certificates.crt in the sysroot " +
                            sysroot.string() + " nor on the build machine: install the ca-certificates package");
  write(host / "etc/ssl/certs/ca-certificates.crt", kPem);
  build::RuntimeData data = collect(spec);
  ASSERT_NE(find(data, "etc/ssl/certs/ca-certificates.crt"), nullptr);
  EXPECT_EQ(find(data, "etc/ssl/certs/ca-certificates.crt")->text, kPem);
  ASSERT_EQ(data.notes.size(), 1u);
  EXPECT_NE(data.notes[0].find("CA_CERTIFICATES: the sysroot " + sysroot.string() +
                               " has no /etc/ssl/certs/ca-certificates.crt; taken from the build machine"),
            std::string::npos)
      << data.notes[0];
  // The build machine's own root is no cross sysroot: no fallback, no note.
  expect_error_contains([&] { build::collect_runtime_data(spec, sysroot, kX86_64, inputs, sysroot); },
                        "in the sysroot " + sysroot.string() + ": install the ca-certificates package there");
}

TEST_F(RuntimeDataTest, ZoneinfoWithItsSymlinks) {
  const fs::path zi = sysroot / "usr/share/zoneinfo";
  write(zi / "Europe/Paris", "TZif2");
  write(zi / "Etc/GMT", "TZif2");
  fs::create_directories(zi / "right");
  fs::create_symlink("Etc/GMT", zi / "GMT");
  fs::create_symlink("/etc/localtime", zi / "localtime");
  spec::RuntimeDataSpec spec;
  spec.tzdata = true;
  build::RuntimeData data = collect(spec);
  ASSERT_NE(find(data, "usr/share/zoneinfo/Europe/Paris"), nullptr);
  EXPECT_EQ(find(data, "usr/share/zoneinfo/Europe/Paris")->source, zi / "Europe/Paris");
  EXPECT_EQ(find(data, "usr/share/zoneinfo/Europe/Paris")->mode, 0644u);
  EXPECT_EQ(find(data, "usr/share/zoneinfo/GMT")->text, "Etc/GMT");
  EXPECT_EQ(find(data, "usr/share/zoneinfo/localtime")->text, "/etc/localtime");
  EXPECT_EQ(find(data, "usr/share/zoneinfo/right")->type, layer::Entry::Type::Directory);
  EXPECT_TRUE(data.notes.empty());
  EXPECT_EQ(inputs.count(zi / "Europe"), 1u);  // the directory; its files are the entries' sources

  fs::remove_all(zi);
  expect_error_contains([&] { collect(spec); }, "TZDATA: no /usr/share/zoneinfo in the sysroot " + sysroot.string() +
                                                    " nor on the build machine: install the tzdata package");
  write(host / "usr/share/zoneinfo/UTC", "TZif2");
  data = collect(spec);
  EXPECT_EQ(find(data, "usr/share/zoneinfo/UTC")->source, host / "usr/share/zoneinfo/UTC");
  ASSERT_EQ(data.notes.size(), 1u);
  EXPECT_NE(data.notes[0].find("TZDATA: the sysroot " + sysroot.string() + " has no /usr/share/zoneinfo"),
            std::string::npos);
}

TEST(RuntimeData, LocaleNamesNormalizedAsGlibcDoes) {
  EXPECT_EQ(build::normalize_locale("C.UTF-8"), "C.utf8");
  EXPECT_EQ(build::normalize_locale("C.utf8"), "C.utf8");
  EXPECT_EQ(build::normalize_locale("de_DE.ISO-8859-1"), "de_DE.iso88591");
  EXPECT_EQ(build::normalize_locale("de_DE.UTF-8@euro"), "de_DE.utf8@euro");
  EXPECT_EQ(build::normalize_locale("ja_JP.eucJP"), "ja_JP.eucjp");
  EXPECT_EQ(build::normalize_locale("xx_XX.8859-1"), "xx_XX.iso88591");  // digits only: "iso" first
  EXPECT_EQ(build::normalize_locale("de_DE"), "de_DE");
  EXPECT_EQ(build::normalize_locale("de_DE@euro"), "de_DE@euro");
}

TEST_F(RuntimeDataTest, Locales) {
  write(sysroot / "usr/lib/locale/C.utf8/LC_CTYPE", "ctype");
  write(sysroot / "usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES", "messages");
  spec::RuntimeDataSpec spec;
  spec.locales = {"C.UTF-8", "C.utf8", "C", "POSIX"};  // one locale in two spellings, two built into glibc
  build::RuntimeData data = collect(spec);
  ASSERT_NE(find(data, "usr/lib/locale/C.utf8/LC_CTYPE"), nullptr);
  EXPECT_EQ(find(data, "usr/lib/locale/C.utf8/LC_CTYPE")->source, sysroot / "usr/lib/locale/C.utf8/LC_CTYPE");
  EXPECT_NE(find(data, "usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES"), nullptr);
  EXPECT_EQ(data.entries.size(), 7u);  // usr, usr/lib, usr/lib/locale, C.utf8, LC_CTYPE, LC_MESSAGES, its file
  EXPECT_TRUE(data.notes.empty());

  spec.locales = {"de_DE.UTF-8"};
  expect_error_contains([&] { collect(spec); },
                        "LOCALES de_DE.UTF-8: no compiled locale directory /usr/lib/locale/de_DE.utf8 in the sysroot " +
                            sysroot.string() +
                            "; compile it as a directory in the sysroot with localedef --no-archive "
                            "-i de_DE -f UTF-8 de_DE.UTF-8 (Debian: the locales package)");
  write(sysroot / "usr/lib/locale/locale-archive", "archive");
  expect_error_contains([&] { collect(spec); }, "(only a locale-archive, which ocipack does not unpack)");
  spec.locales = {"de_DE@euro"};
  expect_error_contains([&] { collect(spec); }, "localedef --no-archive -i de_DE@euro -f <charmap> de_DE@euro");
}

TEST_F(RuntimeDataTest, LocalesFromTheBuildMachineOnlyInTheSameByteOrderAndWordSize) {
  write(host / "usr/lib/locale/en_US.utf8/LC_CTYPE", "ctype");
  spec::RuntimeDataSpec spec;
  spec.locales = {"en_US.UTF-8"};
  build::RuntimeData data = collect(spec, kAarch64);  // little-endian, 64-bit, as the machines this runs on
  ASSERT_NE(find(data, "usr/lib/locale/en_US.utf8/LC_CTYPE"), nullptr);
  EXPECT_EQ(find(data, "usr/lib/locale/en_US.utf8/LC_CTYPE")->source, host / "usr/lib/locale/en_US.utf8/LC_CTYPE");
  ASSERT_EQ(data.notes.size(), 1u);
  EXPECT_NE(data.notes[0].find("LOCALES en_US.UTF-8: the sysroot " + sysroot.string() +
                               " has no /usr/lib/locale/en_US.utf8; taken from the build machine"),
            std::string::npos);
  expect_error_contains([&] { collect(spec, kS390x); },
                        "(the build machine's locales do not fit the target's byte order or word size)");
}

TEST_F(RuntimeDataTest, IconvModulesOfTheCharsets) {
  const std::string gconv_dir = "/usr/lib/x86_64-linux-gnu/gconv";
  libc(sysroot, "lib/x86_64-linux-gnu", kX86_64, gconv_dir);
  gconv(sysroot / gconv_dir.substr(1));
  spec::RuntimeDataSpec spec;
  spec.iconv = {"latin1", "utf-16le", "UTF-8", "UCS-4", "eucjp", "UTF-16"};
  build::RuntimeData data = collect(spec);
  EXPECT_EQ(image_paths(data.modules), (std::vector<std::string>{gconv_dir + "/EUC-JP.so", gconv_dir + "/ISO8859-1.so",
                                                                 gconv_dir + "/UTF-16.so"}));
  EXPECT_EQ(data.modules[0].source, sysroot / (gconv_dir.substr(1) + "/EUC-JP.so"));
  const std::string d = gconv_dir.substr(1);
  EXPECT_NE(find(data, d + "/gconv-modules"), nullptr);
  EXPECT_NE(find(data, d + "/gconv-modules.d/extra.conf"), nullptr);
  EXPECT_NE(find(data, d + "/UTF-16.so"), nullptr);
  EXPECT_EQ(find(data, d + "/gconv-modules.cache"), nullptr);  // glibc reads the text files
  EXPECT_EQ(find(data, d + "/libJIS.so"), nullptr);            // a module's library: for the closure
  EXPECT_EQ(inputs.count(sysroot / "lib/x86_64-linux-gnu/libc.so.6"), 1u);
  EXPECT_EQ(inputs.count(sysroot / (d + "/gconv-modules.d/extra.conf")), 1u);

  spec.iconv = {"UTF-8", "ASCII"};  // in glibc itself: the configuration only
  data = collect(spec);
  EXPECT_TRUE(data.modules.empty());
  EXPECT_NE(find(data, d + "/gconv-modules"), nullptr);

  spec.iconv = {"ALL"};
  EXPECT_EQ(collect(spec).modules.size(), 3u);

  spec.iconv = {"KLINGON"};
  expect_error_contains([&] { collect(spec); }, "ICONV KLINGON: unknown charset");
  fs::remove(sysroot / (d + "/EUC-JP.so"));
  spec.iconv = {"EUC-JP"};
  expect_error_contains([&] { collect(spec); }, "ICONV: the module " + gconv_dir + "/EUC-JP.so of the gconv");
}

TEST_F(RuntimeDataTest, IconvNeverFromTheBuildMachine) {
  spec::RuntimeDataSpec spec;
  spec.iconv = {"UTF-16LE"};
  expect_error_contains([&] { collect(spec, kAarch64); }, "ICONV: no libc.so.6 of the target in the sysroot");
  // Debian's cross libc: its gconv directory is not in the cross sysroot.
  libc(sysroot, "lib", kX86_64, "/usr/lib/x86_64-linux-gnu/gconv");  // another architecture's: skipped
  expect_error_contains([&] { collect(spec, kAarch64); }, "ICONV: no libc.so.6 of the target");
  libc(sysroot, "lib", kAarch64, "/usr/lib/aarch64-linux-gnu/gconv");
  gconv(host / "usr/lib/aarch64-linux-gnu/gconv");
  expect_error_contains([&] { collect(spec, kAarch64); },
                        "ICONV: the sysroot's glibc loads gconv modules from /usr/lib/aarch64-linux-gnu/gconv, but " +
                            (sysroot / "usr/lib/aarch64-linux-gnu/gconv").string() +
                            " has no gconv-modules (they are never taken from the build machine)");
}

TEST(RuntimeData, ThisMachine) {
  const elf::Header self = elf::read_header("/proc/self/exe");
  spec::RuntimeDataSpec spec;
  spec.locales = {"C.UTF-8"};
  spec.iconv = {"UTF-16LE", "EUC-JP"};
  std::set<std::string> inputs;
  build::RuntimeData data;
  try {
    data = build::collect_runtime_data(spec, "/", self, inputs);
  } catch (const Error& e) {
    GTEST_SKIP() << "no C.UTF-8 or gconv modules here: " << e.what();
  }
  auto has = [&](const std::string& path) {
    return std::any_of(data.entries.begin(), data.entries.end(), [&](const auto& e) { return e.path == path; });
  };
  EXPECT_TRUE(has("usr/lib/locale/C.utf8/LC_CTYPE"));
  std::vector<std::string> names;
  for (const auto& m : data.modules) names.push_back(fs::path(m.image_path).filename().string());
  EXPECT_EQ(names, (std::vector<std::string>{"EUC-JP.so", "UTF-16.so"}));
  EXPECT_TRUE(data.notes.empty());
}

TEST(RuntimeData, DebianCrossSysroot) {
  // Debian's libc6-arm64-cross: a libc naming /usr/lib/aarch64-linux-gnu/gconv, and no gconv modules.
  const fs::path root = "/usr/aarch64-linux-gnu";
  if (!fs::exists(root / "lib/libc.so.6") || fs::exists(root / "usr/lib/aarch64-linux-gnu/gconv")) {
    GTEST_SKIP() << "no Debian aarch64 cross libc here";
  }
  spec::RuntimeDataSpec spec;
  spec.iconv = {"UTF-16LE"};
  std::set<std::string> inputs;
  expect_error_contains([&] { build::collect_runtime_data(spec, root, kAarch64, inputs); },
                        "ICONV: the sysroot's glibc loads gconv modules from /usr/lib/aarch64-linux-gnu/gconv, but");
}
