#include "deps/resolve.hpp"
#include "elf_builder.hpp"
#include "test_util.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

namespace {

class DepsTest : public ::testing::Test {
protected:
  // A sysroot with the Debian multiarch layout: an interpreter behind a
  // /lib64 symlink, libc in a default directory.
  void SetUp() override {
    lib("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", {});
    symlink("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2");
    lib("/lib/x86_64-linux-gnu/libc.so.6", {});
    std::filesystem::create_directories(root / "usr/lib/x86_64-linux-gnu");
  }

  void lib(const std::string& path, std::vector<std::string> needed, std::optional<std::string> rpath = {},
           std::optional<std::string> runpath = {}, std::uint16_t machine = 62) {
    ElfSpec s;
    s.needed = std::move(needed);
    s.rpath = std::move(rpath);
    s.runpath = std::move(runpath);
    s.machine = machine;
    s.soname = std::filesystem::path(path).filename();
    ocipack::testing::write(root / path.substr(1), make_elf(s), 0644);
  }
  void symlink(const std::string& target, const std::string& at) {
    std::filesystem::create_directories((root / at.substr(1)).parent_path());
    ::symlink(target.c_str(), (root / at.substr(1)).c_str());
  }
  layer::ElfFile app(std::vector<std::string> needed, std::optional<std::string> rpath = {},
                     std::optional<std::string> runpath = {}, const std::string& where = "build/app") {
    ElfSpec s;
    s.type = 2;
    s.interpreter = "/lib64/ld-linux-x86-64.so.2";
    s.needed = std::move(needed);
    s.rpath = std::move(rpath);
    s.runpath = std::move(runpath);
    ocipack::testing::write(dir / where, make_elf(s), 0755);
    return {dir / where, "/app"};
  }
  deps::Closure resolve(const std::vector<layer::ElfFile>& bins, std::vector<std::string> libs = {},
                        const std::filesystem::path& build_dir = {}) {
    deps::Options o;
    o.sysroot = root;
    o.libraries = std::move(libs);
    o.build_dir = build_dir;
    return deps::resolve(bins, {}, o, inputs);
  }
  std::string error_of(const std::vector<layer::ElfFile>& bins, std::vector<std::string> libs = {}) {
    try {
      resolve(bins, std::move(libs));
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  // The paths of both layers, the project's marked "(project)".
  static std::vector<std::string> paths(const deps::Closure& c) {
    std::vector<std::string> out;
    for (const auto* part : {&c.entries, &c.project_entries}) {
      for (const auto& e : *part) {
        out.push_back(e.path + (e.type == layer::Entry::Type::Symlink ? " -> " + e.text : "") +
                      (part == &c.project_entries ? " (project)" : ""));
      }
    }
    return out;
  }

  TempDir dir;
  std::filesystem::path root = dir / "sysroot";
  std::set<std::string> inputs;
};

}  // namespace

TEST_F(DepsTest, KeepsLoaderPathsSymlinksAndTheInterpreter) {
  lib("/usr/lib/x86_64-linux-gnu/libfoo.so.1.2", {"libc.so.6"});
  symlink("libfoo.so.1.2", "/usr/lib/x86_64-linux-gnu/libfoo.so.1");
  auto c = resolve({app({"libfoo.so.1"})});
  EXPECT_EQ(paths(c),
            (std::vector<std::string>{"lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "lib/x86_64-linux-gnu/libc.so.6",
                                      "lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                                      "usr/lib/x86_64-linux-gnu/libfoo.so.1 -> libfoo.so.1.2",
                                      "usr/lib/x86_64-linux-gnu/libfoo.so.1.2"}));
  EXPECT_NE(c.origins.at("/usr/lib/x86_64-linux-gnu/libfoo.so.1.2").find("needed by /app"), std::string::npos);
  EXPECT_NE(c.origins.at("/lib/x86_64-linux-gnu/libc.so.6").find("needed by /usr/lib/x86_64-linux-gnu/libfoo.so.1.2"),
            std::string::npos);
  EXPECT_NE(c.origins.at("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2").find("ELF interpreter of /app"),
            std::string::npos);
  EXPECT_TRUE(inputs.count(root / "usr/lib/x86_64-linux-gnu/libfoo.so.1.2"));
  // The same inputs give the same closure.
  EXPECT_EQ(paths(resolve({app({"libfoo.so.1"})})), paths(c));
}

TEST_F(DepsTest, RpathIsInheritedRunpathIsNot) {
  // libA (found through the binary's path) needs libB, which sits beside it only.
  lib("/opt/r/libA.so", {"libB.so"});
  lib("/opt/r/libB.so", {});
  auto c = resolve({app({"libA.so"}, std::string("/opt/r"))});
  // Found outside the default directories: moved into the first one, which
  // the loader searches in the image (the RPATH directory does not exist
  // there), in the project's layer.
  EXPECT_EQ(paths(c), (std::vector<std::string>{
                          "lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                          "lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                          "lib/x86_64-linux-gnu/libA.so (project)", "lib/x86_64-linux-gnu/libB.so (project)"}));

  std::string err = error_of({app({"libA.so"}, std::nullopt, std::string("/opt/r"))});
  EXPECT_NE(err.find("needs libB.so, which is not found"), std::string::npos) << err;
  EXPECT_NE(err.find("libA.so"), std::string::npos) << err;
}

TEST_F(DepsTest, RunpathWinsOverRpathAndOriginExpands) {
  // With both, DT_RPATH is ignored.
  lib("/opt/rpath/libX.so", {});
  EXPECT_NE(error_of({app({"libX.so"}, std::string("/opt/rpath"), std::string("/opt/elsewhere"))}).find("libX.so"),
            std::string::npos);
  // $ORIGIN: the directory of the object on the build machine (a build tree).
  ElfSpec s;
  s.soname = "libproj.so.1";
  ocipack::testing::write(dir / "build/lib/libproj.so.1.0", make_elf(s), 0755);
  ::symlink("libproj.so.1.0", (dir / "build/lib/libproj.so.1").c_str());
  auto c = resolve({app({"libproj.so.1"}, std::nullopt, std::string("$ORIGIN/lib:${ORIGIN}/../nowhere"), "build/app")});
  auto p = paths(c);
  EXPECT_NE(std::find(p.begin(), p.end(), "lib/x86_64-linux-gnu/libproj.so.1 -> libproj.so.1.0 (project)"), p.end());
  EXPECT_NE(std::find(p.begin(), p.end(), "lib/x86_64-linux-gnu/libproj.so.1.0 (project)"), p.end());
  for (const auto& e : c.project_entries) {
    if (e.path == "lib/x86_64-linux-gnu/libproj.so.1.0") EXPECT_EQ(e.source, dir / "build/lib/libproj.so.1.0");
  }
}

TEST_F(DepsTest, OriginsNameBuildOutputsRelativeToTheBuildDir) {
  ElfSpec s;
  s.soname = "libproj.so.1";
  ocipack::testing::write(dir / "build/lib/libproj.so.1.0", make_elf(s), 0755);
  ::symlink("libproj.so.1.0", (dir / "build/lib/libproj.so.1").c_str());
  auto c = resolve({app({"libproj.so.1"}, std::nullopt, std::string("$ORIGIN/lib"), "build/app")}, {}, dir / "build/");
  const std::string why = " (needed by /app, found in RUNPATH $ORIGIN/lib of /app)";
  EXPECT_EQ(c.origins.at("/lib/x86_64-linux-gnu/libproj.so.1.0"), "lib/libproj.so.1.0" + why);
  EXPECT_EQ(c.origins.at("/lib/x86_64-linux-gnu/libproj.so.1"), "symlink lib/libproj.so.1" + why);
  // Outside the build tree (the sysroot): the path as it is.
  const std::string interpreter = "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";
  EXPECT_EQ(c.origins.at(interpreter), (root / interpreter.substr(1)).string() + " (ELF interpreter of /app)");
  // An absolute RUNPATH into the build tree is named by ${CMAKE_BINARY_DIR}.
  c = resolve({app({"libproj.so.1"}, std::nullopt, (dir / "build/lib").string(), "build/app")}, {}, dir / "build");
  EXPECT_EQ(c.origins.at("/lib/x86_64-linux-gnu/libproj.so.1.0"),
            "lib/libproj.so.1.0 (needed by /app, found in RUNPATH ${CMAKE_BINARY_DIR}/lib of /app)");
}

TEST_F(DepsTest, LibAndPlatformExpand) {
  // $LIB is the first default library directory ("lib/x86_64-linux-gnu" in a
  // multiarch root), $PLATFORM the machine name glibc uses.
  lib("/opt/lib/x86_64-linux-gnu/libL.so", {});
  lib("/opt/x86_64/libP.so", {});
  auto c = resolve({app({"libL.so", "libP.so"}, std::nullopt, std::string("/opt/$LIB:/opt/${PLATFORM}"))});
  EXPECT_NE(c.origins.at("/lib/x86_64-linux-gnu/libL.so").find("RUNPATH /opt/$LIB"), std::string::npos);
  EXPECT_NE(c.origins.at("/lib/x86_64-linux-gnu/libP.so").find("RUNPATH /opt/${PLATFORM}"), std::string::npos);
}

TEST_F(DepsTest, LibraryOfAnotherArchitectureIsSkipped) {
  lib("/opt/r/libZ.so", {}, {}, {}, 183);  // aarch64, first on the path
  lib("/usr/lib/x86_64-linux-gnu/libZ.so", {});
  auto c = resolve({app({"libZ.so"}, std::nullopt, std::string("/opt/r"))});
  auto p = paths(c);
  EXPECT_NE(std::find(p.begin(), p.end(), "usr/lib/x86_64-linux-gnu/libZ.so"), p.end());

  lib("/opt/r/libOnlyArm.so", {}, {}, {}, 183);
  std::string err = error_of({app({"libOnlyArm.so"}, std::nullopt, std::string("/opt/r"))});
  EXPECT_NE(err.find("/app"), std::string::npos) << err;
  EXPECT_NE(err.find("needs libOnlyArm.so, which is not found for linux/amd64"), std::string::npos) << err;
  EXPECT_NE(err.find("skipped " + (root / "opt/r/libOnlyArm.so").string() + ": linux/arm64"), std::string::npos) << err;
}

TEST_F(DepsTest, MissingPiecesAreNamed) {
  std::string err = error_of({app({"libnope.so.3"})});
  EXPECT_NE(err.find("/app (" + (dir / "build/app").string() + ") needs libnope.so.3"), std::string::npos) << err;
  EXPECT_NE(err.find((root / "lib/x86_64-linux-gnu").string()), std::string::npos) << err;

  std::filesystem::remove(root / "lib64/ld-linux-x86-64.so.2");
  err = error_of({app({})});
  EXPECT_NE(err.find("needs the ELF interpreter /lib64/ld-linux-x86-64.so.2, which is not in " + root.string()),
            std::string::npos)
      << err;

  deps::Options o;
  o.sysroot = dir / "no-such-root";
  EXPECT_THROW(deps::resolve({app({})}, {}, o, inputs), Error);
}

TEST_F(DepsTest, LdSoConfDirectoriesAndExtraLibraries) {
  ocipack::testing::write(root / "etc/ld.so.conf", "# comment\ninclude /etc/ld.so.conf.d/*.conf\n");
  ocipack::testing::write(root / "etc/ld.so.conf.d/a.conf", "/opt/conf\n");
  lib("/opt/conf/libconf.so", {});
  lib("/usr/lib/x86_64-linux-gnu/libnss_dns.so.2", {});
  EXPECT_EQ(deps::ld_so_conf_directories(root), std::vector<std::string>{"/opt/conf"});
  auto c = resolve({app({"libconf.so"})}, {"libnss_dns.so.2"});
  auto p = paths(c);
  // A scratch image has no ld.so cache: a library from an ld.so.conf
  // directory moves to a default directory.
  EXPECT_NE(std::find(p.begin(), p.end(), "lib/x86_64-linux-gnu/libconf.so"), p.end());
  EXPECT_NE(std::find(p.begin(), p.end(), "usr/lib/x86_64-linux-gnu/libnss_dns.so.2"), p.end());
  EXPECT_NE(c.origins.at("/usr/lib/x86_64-linux-gnu/libnss_dns.so.2").find("RUNTIME_LIBRARIES"), std::string::npos);
  // An entry that is not found is named as the keyword's, not as a need of the program.
  const std::string err = error_of({app({})}, {"libnss_nope.so.2"});
  EXPECT_NE(err.find("RUNTIME_LIBRARIES entry libnss_nope.so.2 is not found for linux/amd64 in"), std::string::npos)
      << err;
  EXPECT_EQ(err.find("needs"), std::string::npos) << err;
  EXPECT_NE(error_of({app({})}, {"/usr/lib/nope.so"}).find("/usr/lib/nope.so (RUNTIME_LIBRARIES entry) does not exist"),
            std::string::npos);
}

TEST_F(DepsTest, AddedElfFilesAreResolvedThoseOfAnotherMachineNoted) {
  lib("/usr/lib/x86_64-linux-gnu/libz.so.1", {});
  lib("/usr/lib/x86_64-linux-gnu/libarm.so.1", {});
  ElfSpec plugin;
  plugin.needed = {"libz.so.1"};
  ocipack::testing::write(dir / "files/plugin.so", make_elf(plugin), 0644);
  ElfSpec arm;
  arm.machine = 183;  // AArch64
  arm.needed = {"libarm.so.1"};
  ocipack::testing::write(dir / "files/arm.so", make_elf(arm), 0644);
  deps::Options o;
  o.sysroot = root;
  deps::Closure c = deps::resolve(
      {app({})}, {{dir / "files/plugin.so", "/usr/lib/demo/plugin.so"}, {dir / "files/arm.so", "/usr/lib/demo/arm.so"}},
      o, inputs);
  auto p = paths(c);
  EXPECT_NE(std::find(p.begin(), p.end(), "usr/lib/x86_64-linux-gnu/libz.so.1"), p.end());
  EXPECT_EQ(std::find(p.begin(), p.end(), "usr/lib/x86_64-linux-gnu/libarm.so.1"), p.end());
  EXPECT_NE(c.origins.at("/usr/lib/x86_64-linux-gnu/libz.so.1").find("needed by /usr/lib/demo/plugin.so"),
            std::string::npos);
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_NE(c.notes[0].find("added file /usr/lib/demo/arm.so"), std::string::npos) << c.notes[0];
  EXPECT_NE(c.notes[0].find("is linux/arm64, not linux/amd64"), std::string::npos) << c.notes[0];

  // An added library whose own library is missing fails, naming it.
  ElfSpec broken;
  broken.needed = {"libmissing.so.9"};
  ocipack::testing::write(dir / "files/broken.so", make_elf(broken), 0644);
  try {
    deps::resolve({app({})}, {{dir / "files/broken.so", "/opt/broken.so"}}, o, inputs);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(
        std::string(e.what()).find("/opt/broken.so (" + (dir / "files/broken.so").string() + ") needs libmissing.so.9"),
        std::string::npos)
        << e.what();
  }
  // Added files alone (no targets) are resolved too.
  EXPECT_FALSE(deps::resolve({}, {{dir / "files/plugin.so", "/plugin.so"}}, o, inputs).entries.empty());
}

TEST_F(DepsTest, LibrariesTheBuildMadeGoToTheLibraryDirectoryWithTheirSoname) {
  lib("/usr/lib/x86_64-linux-gnu/libz.so.1", {});
  ElfSpec plugin;
  plugin.soname = "libplug.so.1";
  plugin.needed = {"libz.so.1"};
  ocipack::testing::write(dir / "build/lib/libplug.so.1.2", make_elf(plugin), 0755);
  deps::Options o;
  o.sysroot = root;
  o.build_dir = dir / "build";
  o.library_files = {dir / "build/lib/libplug.so.1.2"};
  deps::Closure c = deps::resolve({app({})}, {}, o, inputs);
  auto p = paths(c);
  EXPECT_NE(std::find(p.begin(), p.end(), "lib/x86_64-linux-gnu/libplug.so.1.2 (project)"), p.end());
  EXPECT_NE(std::find(p.begin(), p.end(), "lib/x86_64-linux-gnu/libplug.so.1 -> libplug.so.1.2 (project)"), p.end());
  EXPECT_NE(std::find(p.begin(), p.end(), "usr/lib/x86_64-linux-gnu/libz.so.1"), p.end());
  EXPECT_EQ(c.origins.at("/lib/x86_64-linux-gnu/libplug.so.1.2"), "lib/libplug.so.1.2 (RUNTIME_LIBRARIES)");

  o.library_files = {dir / "build/lib/missing.so"};
  EXPECT_THROW(deps::resolve({app({})}, {}, o, inputs), Error);
}

TEST_F(DepsTest, StaticBinariesNeedNothing) {
  ElfSpec s;
  s.type = 2;
  s.dynamic = false;
  ocipack::testing::write(dir / "static", make_elf(s), 0755);
  EXPECT_TRUE(resolve({{dir / "static", "/static"}}).entries.empty());
  EXPECT_NE(error_of({{dir / "static", "/static"}}, {"libc.so.6"}).find("RUNTIME_LIBRARIES need a dynamically linked"),
            std::string::npos);
}

TEST(DepsHost, ResolvesThisTestBinaryFromTheHost) {
  std::set<std::string> inputs;
  deps::Closure c = deps::resolve({{"/proc/self/exe", "/test"}}, {}, deps::Options{}, inputs);
  bool has_libc = false, has_libstdcxx = false, has_interp = false;
  for (const auto& [path, origin] : c.origins) {
    has_libc = has_libc || path.find("/libc.so.6") != std::string::npos;
    has_libstdcxx = has_libstdcxx || path.find("/libstdc++.so.6") != std::string::npos;
    has_interp = has_interp || origin.find("ELF interpreter of /test") != std::string::npos;
  }
  EXPECT_TRUE(has_libc);
  EXPECT_TRUE(has_libstdcxx);
  EXPECT_TRUE(has_interp);
}

TEST_F(DepsTest, BinariesThatCallDlopenGetANoteUnlessRuntimeLibrariesAreGiven) {
  ElfSpec caller;
  caller.type = 2;
  caller.interpreter = "/lib64/ld-linux-x86-64.so.2";
  caller.needed = {"libc.so.6"};
  caller.symbols = {{"dlopen", false}, {"main", true}};
  ocipack::testing::write(dir / "build/daemon", make_elf(caller), 0755);
  const layer::ElfFile daemon{dir / "build/daemon", "/usr/sbin/daemon"};
  deps::Options o;
  o.sysroot = root;
  deps::Closure c = deps::resolve({daemon, app({})}, {}, o, inputs);
  ASSERT_EQ(c.notes.size(), 1u);  // only the binary that imports it
  EXPECT_NE(c.notes[0].find("/usr/sbin/daemon (" + (dir / "build/daemon").string() + ") calls dlopen()"),
            std::string::npos)
      << c.notes[0];
  EXPECT_NE(c.notes[0].find("RUNTIME_LIBRARIES"), std::string::npos);
  EXPECT_NE(c.notes[0].find("NO_DLOPEN_NOTE"), std::string::npos);

  o.dlopen_note = false;
  EXPECT_TRUE(deps::resolve({daemon}, {}, o, inputs).notes.empty());
  o.dlopen_note = true;
  o.libraries = {"libc.so.6"};
  EXPECT_TRUE(deps::resolve({daemon}, {}, o, inputs).notes.empty());
  // A plugin in the image (a library that no binary links) is what the
  // dlopen() call opens: no note. A library that a binary links is no plugin.
  ElfSpec plugin;
  plugin.soname = "libplug.so";
  ocipack::testing::write(dir / "build/libplug.so", make_elf(plugin), 0755);
  o.libraries.clear();
  EXPECT_TRUE(
      deps::resolve({daemon, {dir / "build/libplug.so", "/usr/lib/app/libplug.so"}}, {}, o, inputs).notes.empty());
  EXPECT_TRUE(
      deps::resolve({daemon}, {{dir / "build/libplug.so", "/usr/lib/app/libplug.so"}}, o, inputs).notes.empty());
  lib("/usr/lib/x86_64-linux-gnu/libplug.so", {});
  EXPECT_EQ(
      deps::resolve({daemon, app({"libplug.so"}), {dir / "build/libplug.so", "/usr/lib/app/libplug.so"}}, {}, o, inputs)
          .notes.size(),
      1u);
  // iconv_open() gets its own note, when asked for (no ICONV).
  ElfSpec converter = caller;
  converter.symbols = {{"iconv_open", false}};
  ocipack::testing::write(dir / "build/conv", make_elf(converter), 0755);
  deps::Options iconv;
  iconv.sysroot = root;
  iconv.iconv_note = true;
  c = deps::resolve({{dir / "build/conv", "/conv"}}, {}, iconv, inputs);
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_NE(c.notes[0].find("/conv (" + (dir / "build/conv").string() + ") calls iconv_open()"), std::string::npos);
  EXPECT_NE(c.notes[0].find("ICONV <charset>"), std::string::npos);
  iconv.iconv_note = false;
  EXPECT_TRUE(deps::resolve({{dir / "build/conv", "/conv"}}, {}, iconv, inputs).notes.empty());
  // A system library that calls dlopen() is its own business.
  ElfSpec loader;
  loader.soname = "libloader.so.1";
  loader.symbols = {{"dlopen", false}};
  ocipack::testing::write(root / "usr/lib/x86_64-linux-gnu/libloader.so.1", make_elf(loader), 0644);
  o.libraries.clear();
  EXPECT_TRUE(deps::resolve({app({"libloader.so.1"})}, {}, o, inputs).notes.empty());
}
