#include "archive/reader.hpp"
#include "build/build.hpp"
#include "elf/elf.hpp"
#include "test_util.hpp"
#include "util/error.hpp"
#include "util/file.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

namespace {

std::string spec_for(const std::string& files, const std::string& compression = "gzip",
                     const std::string& config = "{}") {
  return R"({"version":1,"image":"t","tags":["t:1","docker.io/acme/t:2"],"compression":")" + compression +
         R"(","config":)" + config + R"(,"annotations":["k=v"],"layers":[{"created_by":"files","files":[)" + files +
         "]}]}";
}

class BuildTest : public ::testing::Test {
protected:
  void SetUp() override {
    // Any ELF works as a target: this test binary is one.
    write(dir / "in/data.txt", "payload");
  }
  build::Options options(const std::string& spec_text) {
    write(dir / "spec.json", spec_text);
    build::Options o;
    o.spec = dir / "spec.json";
    o.output = dir / "out/image.tar";
    o.depfile = dir / "out/image.d";
    std::filesystem::create_directories(dir / "out");
    return o;
  }
  std::vector<std::string> out_files() {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir / "out")) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
  TempDir dir;
};

}  // namespace

TEST_F(BuildTest, WritesAnImageThatReadsBack) {
  auto o = options(spec_for(R"({"source":")" + (dir / "in/data.txt").string() +
                            R"(","destination":"/etc"},{"source":"/proc/self/exe","destination":"/","elf":true})"));
  o.source_date_epoch = 86400;
  o.source_date_epoch_given = true;
  build::run(o);
  EXPECT_EQ(out_files(), (std::vector<std::string>{"image.d", "image.tar"}));
  archive::ReadImage image = archive::read_image(o.output);
  ASSERT_EQ(image.images.size(), 2u);  // one index entry per tag
  EXPECT_EQ(image.images[0].descriptor.annotations.at("io.containerd.image.name"), "docker.io/library/t:1");
  EXPECT_EQ(image.images[0].descriptor.annotations.at("org.opencontainers.image.ref.name"), "1");
  EXPECT_EQ(image.images[1].descriptor.annotations.at("io.containerd.image.name"), "docker.io/acme/t:2");
  EXPECT_EQ(image.images[0].descriptor.digest, image.images[1].descriptor.digest);
  EXPECT_EQ(image.repo_tags, (std::vector<std::string>{"t:1", "acme/t:2"}));
  const auto& config = image.images[0].config;
  EXPECT_EQ(config.created, "1970-01-02T00:00:00Z");
  EXPECT_EQ(config.history.size(), 1u);
  EXPECT_EQ(config.diff_ids.size(), 1u);
  EXPECT_EQ(config.platform, elf::host_platform());
  EXPECT_EQ(image.images[0].manifest.annotations.at("k"), "v");

  std::vector<std::string> paths;
  for (const auto& f : image.layer_files.at(image.images[0].manifest.layers[0].digest)) {
    paths.push_back(f.path);
    EXPECT_EQ(f.mtime, 86400);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"etc/", "etc/data.txt", "exe"}));
  std::string dep = util::read_file(*o.depfile);
  EXPECT_EQ(dep.rfind(o.output.string() + ":", 0), 0u) << dep;
  EXPECT_NE(dep.find((dir / "in/data.txt").string()), std::string::npos);
}

TEST_F(BuildTest, DepfileNamesTheTargetAsTheBuildToolSpellsIt) {
  auto o = options(spec_for(R"({"source":")" + (dir / "in").string() + R"(","destination":"/"})"));
  o.depfile_target = "out/image.tar";  // as Ninja names it, relative to its build directory
  build::run(o);
  const std::string dep = util::read_file(*o.depfile);
  EXPECT_EQ(dep.rfind("out/image.tar:", 0), 0u) << dep;
  EXPECT_NE(dep.find((dir / "in/data.txt").string()), std::string::npos);
  EXPECT_NE(dep.find((dir / "in").string() + " "), std::string::npos) << "the directory itself: " << dep;
}

TEST_F(BuildTest, RebuildIsByteIdentical) {
  auto o = options(spec_for(R"({"source":")" + (dir / "in").string() + R"(","destination":"/"})"));
  build::run(o);
  std::string first = util::read_file(o.output);
  std::filesystem::last_write_time(dir / "in/data.txt", std::filesystem::file_time_type::clock::now());
  build::run(o);
  EXPECT_EQ(first, util::read_file(o.output));
  auto plain = options(spec_for(R"({"source":")" + (dir / "in").string() + R"(","destination":"/"})", "none"));
  build::run(plain);
  EXPECT_NE(first, util::read_file(plain.output));
}

TEST_F(BuildTest, FailureLeavesNothingBehind) {
  auto o = options(spec_for(R"({"source":")" + (dir / "in/missing").string() + R"(","destination":"/"})"));
  try {
    build::run(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("input file not found: " + (dir / "in/missing").string()), std::string::npos);
  }
  EXPECT_TRUE(out_files().empty());

  // A previous good tarball stays as it was when a later build fails.
  auto good = options(spec_for(R"({"source":")" + (dir / "in/data.txt").string() + R"(","destination":"/"})"));
  build::run(good);
  std::string before = util::read_file(good.output);
  write(dir / "in/script.sh", "#!/bin/sh\n");
  auto bad =
      options(spec_for(R"({"source":")" + (dir / "in/script.sh").string() + R"(","destination":"/","elf":true})"));
  try {
    build::run(bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("script.sh: not an ELF file"), std::string::npos) << e.what();
  }
  EXPECT_EQ(util::read_file(good.output), before);
  EXPECT_EQ(out_files(), (std::vector<std::string>{"image.d", "image.tar"}));
}

TEST_F(BuildTest, MixedArchitecturesAreRefused) {
  std::string arm(52, '\0');
  arm.replace(0, 4,
              "\x7f"
              "ELF");
  arm[4] = 1;
  arm[5] = 1;
  arm[6] = 1;
  arm[18] = 40;
  write(dir / "in/arm", arm, 0755);
  auto o = options(spec_for(R"({"source":"/proc/self/exe","destination":"/","elf":true},{"source":")" +
                            (dir / "in/arm").string() + R"(","destination":"/","elf":true})"));
  try {
    build::run(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("different architectures"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("linux/arm/v7"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(out_files().empty());
}

TEST_F(BuildTest, OutputDirectoryMustExist) {
  auto o = options(spec_for(R"({"source":")" + (dir / "in/data.txt").string() + R"(","destination":"/"})"));
  o.output = dir / "no/such/dir/image.tar";
  EXPECT_THROW(build::run(o), Error);
}

TEST_F(BuildTest, CommandProgramMustBeAnExecutableInTheImage) {
  write(dir / "in/bin/tool", "#!/bin/sh\n", 0755);
  write(dir / "in/bin/data", "x", 0644);
  ::symlink("bin/tool", (dir / "in/link").c_str());
  const std::string files = R"({"source":")" + (dir / "in").string() + R"(/","destination":"/usr"})";
  auto error_of = [&](const std::string& config) -> std::string {
    try {
      build::run(options(spec_for(files, "gzip", config)));
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error_of(R"({"cmd":["/usr/bin/tool"]})"), "");
  EXPECT_EQ(error_of(R"({"cmd":["tool","x"]})"), "");                         // through PATH
  EXPECT_EQ(error_of(R"({"entrypoint":["/usr/link"],"cmd":["nope"]})"), "");  // symlink; CMD is arguments
  EXPECT_EQ(error_of(R"({"workdir":"/usr","cmd":["./bin/tool"]})"), "");
  EXPECT_NE(error_of(R"({"cmd":["/usr/bin/missing"]})").find("CMD program \"/usr/bin/missing\" is not in the image"),
            std::string::npos);
  EXPECT_NE(
      error_of(R"({"entrypoint":["nope"]})").find("ENTRYPOINT program \"nope\" is not in the image (searched PATH="),
      std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":["/usr/bin/data"]})").find("not an executable file in the image (mode 0644)"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":["/usr/bin"]})").find("(a directory)"), std::string::npos);
}

TEST_F(BuildTest, ReportSaysWhatTheCacheSaved) {
  write(dir / "in/other.txt", "second layer");
  const std::string spec_text = R"({"version":1,"image":"t","tags":["t:1"],"layers":[)"
                                R"({"created_by":"one","files":[{"source":")" +
                                (dir / "in/data.txt").string() +
                                R"(","destination":"/a"}]},{"created_by":"two","files":[{"source":")" +
                                (dir / "in/other.txt").string() + R"(","destination":"/b"}]}]})";
  auto o = options(spec_text);
  build::Report without_cache = build::run(o);
  EXPECT_FALSE(without_cache.cached);
  EXPECT_EQ(without_cache.output, o.output);
  EXPECT_EQ(without_cache.layers, 2u);
  EXPECT_EQ(without_cache.reused, 0u);
  EXPECT_FALSE(without_cache.base_layers);

  o.cache_dir = dir / "cache";
  build::Report first = build::run(o);
  EXPECT_TRUE(first.cached);
  EXPECT_EQ(first.reused, 0u);
  const std::string bytes = util::read_file(o.output);
  write(dir / "in/other.txt", "second layer, changed");
  build::Report second = build::run(o);
  EXPECT_EQ(second.layers, 2u);
  EXPECT_EQ(second.reused, 1u);
  std::uint64_t sizes = 0;
  const archive::ReadImage image = archive::read_image(o.output);  // kept: the loop reads into it
  for (const auto& l : image.images[0].manifest.layers) sizes += l.size;
  EXPECT_EQ(second.compressed_size, sizes);
  write(dir / "in/other.txt", "second layer");  // its entry was pruned by the build before
  build::Report third = build::run(o);
  EXPECT_EQ(third.reused, 1u);  // the first layer; the second was written again
  EXPECT_EQ(util::read_file(o.output), bytes);
}

TEST_F(BuildTest, CreatedComesFromTheSpecUnlessSourceDateEpochIsGiven) {
  const std::string files = R"({"source":")" + (dir / "in/data.txt").string() + R"(","destination":"/etc"})";
  auto created_with = [&](const std::string& created, std::optional<std::int64_t> epoch) {
    std::string text = spec_for(files);
    text.replace(text.find(R"("annotations")"), 0, R"("created":)" + created + ",");
    auto o = options(text);
    if (epoch) {
      o.source_date_epoch = *epoch;
      o.source_date_epoch_given = true;
    }
    build::run(o);
    archive::ReadImage image = archive::read_image(o.output);
    const auto& config = image.images[0].config;
    EXPECT_EQ(config.history.at(0).created, config.created);
    // File times stay the epoch (or SOURCE_DATE_EPOCH) whatever CREATED says.
    for (const auto& f : image.layer_files.at(image.images[0].manifest.layers[0].digest)) {
      EXPECT_EQ(f.mtime, epoch.value_or(0)) << f.path;
    }
    return config.created;
  };
  EXPECT_EQ(created_with("1700000000", std::nullopt), "2023-11-14T22:13:20Z");                           // CREATED GIT
  EXPECT_EQ(created_with(R"("2026-11-30T09:00:00+01:00")", std::nullopt), "2026-11-30T09:00:00+01:00");  // as given
  EXPECT_EQ(created_with("1700000000", 86400), "1970-01-02T00:00:00Z");  // SOURCE_DATE_EPOCH wins
}

TEST_F(BuildTest, StripPutsStrippedCopiesIntoTheLayerAndReusesThem) {
  if (!std::filesystem::exists("/usr/bin/strip")) GTEST_SKIP() << "no /usr/bin/strip (binutils)";
  // A copy of this test binary (with its symbol table) as the target.
  std::filesystem::copy_file("/proc/self/exe", dir / "in/app");
  std::string text = spec_for(R"({"source":")" + (dir / "in/app").string() + R"(","destination":"/","elf":true})");
  text.replace(text.find(R"("annotations")"), 0, R"("strip":"/usr/bin/strip",)");
  auto o = options(text);
  o.cache_dir = dir / "out/ocipack/t.layers";
  build::run(o);
  const auto file_size = [&] {
    archive::ReadImage image = archive::read_image(o.output);
    for (const auto& f : image.layer_files.at(image.images[0].manifest.layers[0].digest)) {
      if (f.path == "app") return f.size;
    }
    return std::uint64_t{0};
  };
  const std::uint64_t source_size = std::filesystem::file_size(dir / "in/app");
  const std::uint64_t stripped = file_size();
  EXPECT_GT(stripped, 0u);
  EXPECT_LT(stripped, source_size);
  EXPECT_EQ(std::filesystem::file_size(dir / "in/app"), source_size);  // the build output is untouched
  // The copy sits beside the layer cache and is reused while the source is unchanged.
  std::vector<std::filesystem::path> copies;
  for (const auto& e : std::filesystem::directory_iterator(dir / "out/ocipack/t.stripped")) {
    if (e.path().extension() != ".source") copies.push_back(e.path());
  }
  ASSERT_EQ(copies.size(), 1u);
  const auto inode = [](const std::filesystem::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_ino;
  };
  const auto before = inode(copies[0]);
  build::Report again = build::run(o);
  EXPECT_EQ(inode(copies[0]), before);
  EXPECT_EQ(again.reused, again.layers);  // so the layer comes from the cache
  EXPECT_EQ(file_size(), stripped);

  text.replace(text.find("/usr/bin/strip"), 14, "/bin/false");
  o = options(text);
  expect_error_contains([&] { build::run(o); }, "STRIP " + (dir / "in/app").string() + ": /bin/false --strip-all");
  // Without a cache the copies live for one build only: nothing is left.
  for (const auto& name : out_files()) EXPECT_EQ(name.find(".ocipack-strip"), std::string::npos) << name;
}
