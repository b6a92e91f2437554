#include "layer/plan.hpp"
#include "layer/writer.hpp"
#include "test_util.hpp"
#include "util/archive_ptr.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

using namespace ocipack;
using ocipack::testing::TempDir;
using ocipack::testing::write;

namespace {

spec::LayerSpec layer_of(std::vector<spec::FileSpec> files) {
  spec::LayerSpec l;
  l.created_by = "test";
  l.files = std::move(files);
  return l;
}

std::string bytes_of(util::ScratchFile& f) {
  std::string out;
  f.read_all([&](const char* p, std::size_t n) { out.append(p, n); });
  return out;
}

struct TarEntry {
  std::string path;
  unsigned type, mode;
  la_int64_t uid, gid, mtime, size;
  bool has_uname, has_gname, has_atime, has_ctime;
  std::string link, data;
};

bool has_text(const char* s) { return s != nullptr && *s != '\0'; }

std::vector<TarEntry> read_tar(const std::string& bytes) {
  util::ArchiveReader a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  EXPECT_EQ(archive_read_open_memory(a.get(), bytes.data(), bytes.size()), ARCHIVE_OK);
  std::vector<TarEntry> out;
  archive_entry* e;
  while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
    TarEntry t{archive_entry_pathname(e), archive_entry_filetype(e), archive_entry_perm(e),
               archive_entry_uid(e), archive_entry_gid(e), archive_entry_mtime(e),
               archive_entry_size(e), has_text(archive_entry_uname(e)),
               has_text(archive_entry_gname(e)), archive_entry_atime_is_set(e) != 0,
               archive_entry_ctime_is_set(e) != 0,
               archive_entry_symlink(e) ? archive_entry_symlink(e) : "", ""};
    char buf[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) t.data.append(buf, n);
    out.push_back(t);
  }
  return out;
}

std::string gunzip(const std::string& in) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buf[65536];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&z);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

class LayerTest : public ::testing::Test {
protected:
  void SetUp() override {
    write(dir / "app", "\x7f" "ELF binary", 0700);          // any x bit -> 0755
    write(dir / "assets/b.txt", "bee", 0600);              // no x bit -> 0644
    write(dir / "assets/a.txt", "ay", 0666);
    write(dir / "assets/sub/c.txt", "sea", 0640);
    ::symlink("a.txt", (dir / "assets/link").c_str());
  }
  TempDir dir;
  std::set<std::filesystem::path> inputs;
};

} // namespace

TEST_F(LayerTest, PlanIsSortedWithExplicitParentsAndFixedModes) {
  auto plan = layer::plan_layer(
      layer_of({{(dir / "assets").string(), "/srv/data", std::nullopt, false},
                {(dir / "app").string(), "/usr/local/bin", std::nullopt, true}}),
      inputs);
  std::vector<std::string> paths;
  for (const auto& e : plan.entries) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "srv", "srv/data", "srv/data/assets", "srv/data/assets/a.txt",
                       "srv/data/assets/b.txt", "srv/data/assets/link", "srv/data/assets/sub",
                       "srv/data/assets/sub/c.txt", "usr", "usr/local", "usr/local/bin",
                       "usr/local/bin/app"}));
  for (const auto& e : plan.entries) {
    if (e.type == layer::Entry::Type::Directory) EXPECT_EQ(e.mode, 0755u) << e.path;
  }
  EXPECT_EQ(plan.entries[3].mode, 0644u);   // a.txt was 0666
  EXPECT_EQ(plan.entries[4].mode, 0644u);   // b.txt was 0600
  EXPECT_EQ(plan.entries[5].type, layer::Entry::Type::Symlink);
  EXPECT_EQ(plan.entries[5].link_target, "a.txt");
  EXPECT_EQ(plan.entries.back().mode, 0755u);  // app was 0700
  ASSERT_EQ(plan.elf_files.size(), 1u);
  EXPECT_EQ(plan.elf_files[0].source, dir / "app");
  EXPECT_EQ(plan.elf_files[0].image_path, "/usr/local/bin/app");
  EXPECT_TRUE(inputs.count(dir / "assets/sub/c.txt"));
  EXPECT_TRUE(inputs.count(dir / "assets"));
}

TEST_F(LayerTest, TrailingSlashCopiesContentsAndModeApplies) {
  auto plan = layer::plan_layer(
      layer_of({{(dir / "assets").string() + "/", "/data", 0600u, false}}), inputs);
  EXPECT_EQ(plan.entries[0].path, "data");
  EXPECT_EQ(plan.entries[1].path, "data/a.txt");
  EXPECT_EQ(plan.entries[1].mode, 0600u);
}

TEST_F(LayerTest, RefusesMissingFilesSpecialFilesAndConflicts) {
  auto error_of = [&](std::vector<spec::FileSpec> files) -> std::string {
    try {
      layer::plan_layer(layer_of(std::move(files)), inputs);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(error_of({{(dir / "nope").string(), "/", {}, false}}).find("input file not found: " + (dir / "nope").string()),
            std::string::npos);
  ::mkfifo((dir / "fifo").c_str(), 0644);
  EXPECT_NE(error_of({{(dir / "fifo").string(), "/", {}, false}}).find("is a FIFO"), std::string::npos);
  write(dir / "other/a.txt", "different");
  EXPECT_NE(error_of({{(dir / "assets/a.txt").string(), "/", {}, false},
                      {(dir / "other/a.txt").string(), "/", {}, false}})
                .find("duplicate destination /a.txt"),
            std::string::npos);
  write(dir / "same/a.txt", "ay");  // same bytes: not a conflict
  EXPECT_EQ(error_of({{(dir / "assets/a.txt").string(), "/", {}, false},
                      {(dir / "same/a.txt").string(), "/", {}, false}}),
            "");
  EXPECT_NE(error_of({{(dir / "assets").string(), "/", {}, true}}).find("not a regular file"), std::string::npos);
  EXPECT_NE(error_of({{(dir / "app").string() + "/", "/", {}, false}}).find("not a directory"), std::string::npos);
}

TEST_F(LayerTest, TarFollowsTheReproducibilityRules) {
  auto plan = layer::plan_layer(
      layer_of({{(dir / "assets").string(), "/data", std::nullopt, false},
                {(dir / "app").string(), "/", std::nullopt, true}}),
      inputs);
  layer::Blob blob = layer::write_layer(plan, spec::Compression::Gzip, 1700000000, dir.path());
  std::string gz = bytes_of(*blob.file);
  ASSERT_GT(gz.size(), 18u);
  // gzip header: no name flag, mtime 0.
  EXPECT_EQ(gz[3], 0);
  EXPECT_EQ(gz.substr(4, 4), std::string(4, '\0'));
  EXPECT_EQ(blob.descriptor.digest.hex, util::Sha256::hex_of(gz));
  EXPECT_EQ(blob.descriptor.size, gz.size());
  EXPECT_EQ(blob.descriptor.media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  std::string tar = gunzip(gz);
  EXPECT_EQ(blob.diff_id.hex, util::Sha256::hex_of(tar));
  EXPECT_EQ(blob.uncompressed_size, tar.size());

  auto entries = read_tar(tar);
  ASSERT_EQ(entries.size(), plan.entries.size());
  std::string previous;
  for (const auto& e : entries) {
    EXPECT_LT(previous, e.path);
    previous = e.path;
    EXPECT_EQ(e.uid, 0);
    EXPECT_EQ(e.gid, 0);
    EXPECT_FALSE(e.has_uname) << e.path;
    EXPECT_FALSE(e.has_gname) << e.path;
    EXPECT_FALSE(e.has_atime) << e.path;
    EXPECT_FALSE(e.has_ctime) << e.path;
    EXPECT_EQ(e.mtime, 1700000000) << e.path;
  }
  EXPECT_EQ(entries[0].path, "app");
  EXPECT_EQ(entries[0].mode, 0755u);
  EXPECT_EQ(entries[0].data, "\x7f" "ELF binary");
  EXPECT_EQ(entries[1].path, "data/");
  EXPECT_EQ(entries[1].type, static_cast<unsigned>(AE_IFDIR));
  EXPECT_EQ(entries[5].link, "a.txt");
}

TEST_F(LayerTest, SameInputsSameBytesWhateverTheUmaskAndTimes) {
  auto plan = [&] {
    return layer::plan_layer(layer_of({{(dir / "assets").string(), "/data", std::nullopt, false}}), inputs);
  };
  layer::Blob first = layer::write_layer(plan(), spec::Compression::Gzip, 0, dir.path());
  // Touch the sources and change their permission bits within the same class.
  ::chmod((dir / "assets/a.txt").c_str(), 0600);
  struct timespec times[2] = {{12345, 0}, {12345, 0}};
  ::utimensat(AT_FDCWD, (dir / "assets/b.txt").c_str(), times, 0);
  mode_t old = ::umask(077);
  layer::Blob second = layer::write_layer(plan(), spec::Compression::Gzip, 0, dir.path());
  ::umask(old);
  EXPECT_EQ(first.descriptor.digest, second.descriptor.digest);
  EXPECT_EQ(first.diff_id, second.diff_id);

  layer::Blob plain = layer::write_layer(plan(), spec::Compression::None, 0, dir.path());
  EXPECT_EQ(plain.diff_id, first.diff_id);
  EXPECT_EQ(plain.descriptor.digest, plain.diff_id);
  EXPECT_EQ(plain.descriptor.media_type, "application/vnd.oci.image.layer.v1.tar");
}

TEST_F(LayerTest, ChangedSizeWhileReadingIsAnError) {
  auto plan = layer::plan_layer(layer_of({{(dir / "app").string(), "/", std::nullopt, true}}), inputs);
  write(dir / "app", "grown since planning", 0755);
  try {
    layer::write_layer(plan, spec::Compression::Gzip, 0, dir.path());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("changed size"), std::string::npos) << e.what();
  }
}
