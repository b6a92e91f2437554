// The layer cache (--cache-dir): a hit gives back the stored blob; a change
// to anything that decides the bytes misses; a damaged entry is not used;
// builds writing the same entry at once leave it intact.
#include "build/cache.hpp"
#include "layer/plan.hpp"
#include "layer/writer.hpp"
#include "test_util.hpp"
#include "util/file.hpp"
#include "util/sha256.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <regex>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

namespace {

class LayerCacheTest : public ::testing::Test {
protected:
  void SetUp() override { write(dir / "in/data.txt", "payload of the layer"); }

  layer::Plan plan() {
    return layer::plan_layer(layer_of({{(dir / "in/data.txt").string(), "/etc", std::nullopt, false}}), inputs);
  }

  // What a build does on a miss: the layer written into a new entry.
  layer::Written store(build::LayerCache& cache, const std::string& key, const layer::Plan& p, bool hash_files = true) {
    std::unique_ptr<util::ScratchFile> file = cache.new_file();
    layer::Written written = layer::write_layer(
        p, layer::Compression::Gzip, 0, [&](const void* data, std::size_t n) { file->write(data, n); }, 0, hash_files);
    cache.store(key, *file, written);
    return written;
  }

  std::filesystem::path cache_dir() const { return dir / "cache"; }

  TempDir dir;
  std::set<std::string> inputs;
};

}  // namespace

TEST_F(LayerCacheTest, AHitReturnsTheStoredBlob) {
  const layer::Plan p = plan();
  const std::string key = build::LayerCache::key(p, layer::Compression::Gzip, 0);
  build::LayerCache cache(cache_dir());
  EXPECT_FALSE(cache.find(key, p, true));
  const layer::Written written = store(cache, key, p);

  build::LayerCache next_build(cache_dir());
  std::optional<build::CachedLayer> hit = next_build.find(key, p, true);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->written.descriptor.digest, written.descriptor.digest);
  EXPECT_EQ(hit->written.descriptor.size, written.descriptor.size);
  EXPECT_EQ(hit->written.descriptor.media_type, written.descriptor.media_type);
  EXPECT_EQ(hit->written.diff_id, written.diff_id);
  const ocipack::testing::Blob again = ocipack::testing::write_layer(p, layer::Compression::Gzip, 0);
  EXPECT_EQ(util::read_file(hit->blob), again.bytes);
}

TEST_F(LayerCacheTest, AHitGivesBackTheFilesChecksums) {
  const layer::Plan p = plan();
  const std::string key = build::LayerCache::key(p, layer::Compression::Gzip, 0);
  build::LayerCache cache(cache_dir());
  const layer::Written written = store(cache, key, p);
  ASSERT_EQ(written.files.size(), 1u);
  EXPECT_EQ(written.files[0].path, "etc/data.txt");
  EXPECT_EQ(written.files[0].digests.sha256_hex(), util::Sha256::hex_of("payload of the layer"));

  std::optional<build::CachedLayer> hit = build::LayerCache(cache_dir()).find(key, p, true);
  ASSERT_TRUE(hit);
  ASSERT_EQ(hit->written.files.size(), 1u);
  EXPECT_EQ(hit->written.files[0].path, written.files[0].path);
  EXPECT_EQ(hit->written.files[0].digests.sha256, written.files[0].digests.sha256);
  EXPECT_EQ(hit->written.files[0].digests.sha1, written.files[0].digests.sha1);
}

TEST_F(LayerCacheTest, AnEntryWrittenWithoutChecksumsDoesNotServeABuildThatNeedsThem) {
  const layer::Plan p = plan();
  const std::string key = build::LayerCache::key(p, layer::Compression::Gzip, 0);
  build::LayerCache cache(cache_dir());
  const layer::Written written = store(cache, key, p, false);  // no SBOM: files not hashed
  EXPECT_FALSE(written.files_hashed);
  EXPECT_TRUE(written.files.empty());

  std::optional<build::CachedLayer> plain = build::LayerCache(cache_dir()).find(key, p, false);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->written.descriptor.digest, written.descriptor.digest);
  EXPECT_FALSE(plain->written.files_hashed);
  // A build with an SBOM writes the layer again, hashing its files.
  EXPECT_FALSE(build::LayerCache(cache_dir()).find(key, p, true));
}

TEST_F(LayerCacheTest, AnEntryWhoseFilesAreNotThePlansIsNoHit) {
  const layer::Plan p = plan();
  const std::string key = build::LayerCache::key(p, layer::Compression::Gzip, 0);
  build::LayerCache cache(cache_dir());
  store(cache, key, p);
  const std::filesystem::path meta = cache_dir() / (key + ".json");
  const std::string good = util::read_file(meta);
  ASSERT_TRUE(build::LayerCache(cache_dir()).find(key, p, true));
  // The checksums are paired with the plan's files by order: an entry
  // naming another file, or fewer or more files, is damaged.
  const std::string renamed = std::regex_replace(good, std::regex("etc/data.txt"), "etc/other.txt");
  ASSERT_NE(renamed, good);
  write(meta, renamed);
  EXPECT_FALSE(build::LayerCache(cache_dir()).find(key, p, true));
  write(meta, std::regex_replace(good, std::regex(R"(,"files":\[.*\]\})"), R"(,"files":[]})"));
  EXPECT_FALSE(build::LayerCache(cache_dir()).find(key, p, true));
  write(meta, good);
  EXPECT_TRUE(build::LayerCache(cache_dir()).find(key, p, true));
}

TEST_F(LayerCacheTest, KeyChangesWithSourcesEntriesCompressionAndTime) {
  const std::string key = build::LayerCache::key(plan(), layer::Compression::Gzip, 0);
  EXPECT_EQ(build::LayerCache::key(plan(), layer::Compression::Gzip, 0), key);
  // The compressor and the time stamp decide the bytes.
  EXPECT_NE(build::LayerCache::key(plan(), {layer::Compression::Gzip, 9}, 0), key);
  EXPECT_NE(build::LayerCache::key(plan(), layer::Compression::Zstd, 0), key);
  EXPECT_NE(build::LayerCache::key(plan(), layer::Compression::None, 0), key);
  EXPECT_NE(build::LayerCache::key(plan(), layer::Compression::Gzip, 1), key);
  // So does every entry.
  layer::Plan other_mode = plan();
  other_mode.entries.back().mode = 0600;
  EXPECT_NE(build::LayerCache::key(other_mode, layer::Compression::Gzip, 0), key);
  layer::Plan other_path = plan();
  other_path.entries.back().path = "etc/other.txt";
  EXPECT_NE(build::LayerCache::key(other_path, layer::Compression::Gzip, 0), key);
  // And every patch of a file's bytes.
  layer::Plan patched = plan();
  patched.entries.back().patches = {{2, "xy"}};
  const std::string patched_key = build::LayerCache::key(patched, layer::Compression::Gzip, 0);
  EXPECT_NE(patched_key, key);
  patched.entries.back().patches = {{2, "xz"}};
  EXPECT_NE(build::LayerCache::key(patched, layer::Compression::Gzip, 0), patched_key);
  patched.entries.back().patches = {{3, "xy"}};
  EXPECT_NE(build::LayerCache::key(patched, layer::Compression::Gzip, 0), patched_key);
  // A source touched, even with the same bytes, is another identity.
  struct timespec times[2] = {{12345, 0}, {12345, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (dir / "in/data.txt").c_str(), times, 0), 0);
  const std::string touched = build::LayerCache::key(plan(), layer::Compression::Gzip, 0);
  EXPECT_NE(touched, key);
  write(dir / "in/data.txt", "payload of the layer, changed");
  EXPECT_NE(build::LayerCache::key(plan(), layer::Compression::Gzip, 0), touched);
}

TEST_F(LayerCacheTest, DamagedOrPartialEntriesAreNotUsed) {
  const layer::Plan p = plan();
  const std::string key = build::LayerCache::key(p, layer::Compression::Gzip, 0);
  const std::filesystem::path blob = cache_dir() / (key + ".blob");
  const std::filesystem::path meta = cache_dir() / (key + ".json");
  build::LayerCache cache(cache_dir());
  const layer::Written written = store(cache, key, p);
  ASSERT_TRUE(cache.find(key, p, true));

  // A blob cut short (a build killed while copying it by hand, a full disk).
  std::filesystem::resize_file(blob, written.descriptor.size - 1);
  EXPECT_FALSE(cache.find(key, p, true));
  store(cache, key, p);  // rewritten by the next build
  ASSERT_TRUE(cache.find(key, p, true));

  write(meta, "{\"descriptor\":");  // metadata that does not parse
  EXPECT_FALSE(cache.find(key, p, true));
  write(meta, "{\"descriptor\":{},\"diff_id\":\"sha256:1\"}");  // parses, but is no entry
  EXPECT_FALSE(cache.find(key, p, true));
  store(cache, key, p);
  std::filesystem::remove(blob);  // metadata without its blob
  EXPECT_FALSE(cache.find(key, p, true));
  store(cache, key, p);
  std::filesystem::remove(meta);  // a blob without metadata
  EXPECT_FALSE(cache.find(key, p, true));
}

TEST_F(LayerCacheTest, ConcurrentWritersLeaveAnIntactEntry) {
  // Parallel builds sharing a cache directory are separate processes that
  // may store the same entry at the same time; readers see all or nothing.
  const layer::Plan p = plan();
  const std::string key = build::LayerCache::key(p, layer::Compression::Gzip, 0);
  const ocipack::testing::Blob expected = ocipack::testing::write_layer(p, layer::Compression::Gzip, 0);
  build::LayerCache reader(cache_dir());  // the directory exists before the writers start
  std::vector<pid_t> writers;
  for (int i = 0; i < 4; ++i) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int rc = 0;
      try {
        build::LayerCache cache(cache_dir());
        for (int round = 0; round < 25; ++round) store(cache, key, p);
      } catch (...) {
        rc = 1;
      }
      ::_exit(rc);
    }
    writers.push_back(pid);
  }
  int hits = 0;
  for (int tries = 0; tries < 200; ++tries) {
    if (std::optional<build::CachedLayer> hit = reader.find(key, p, true)) {
      ++hits;
      EXPECT_EQ(hit->written.descriptor.digest, expected.descriptor.digest);
      EXPECT_EQ(util::read_file(hit->blob), expected.bytes);
    }
  }
  for (pid_t pid : writers) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer " << pid;
  }
  std::optional<build::CachedLayer> hit = reader.find(key, p, true);
  ASSERT_TRUE(hit);
  EXPECT_EQ(util::read_file(hit->blob), expected.bytes);
  // Nothing is left over but the entry itself.
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(cache_dir())) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{key + ".blob", key + ".json"})) << hits << " hits while writing";
}

TEST_F(LayerCacheTest, PruneKeepsOnlyTheEntriesThisBuildUsed) {
  const layer::Plan p = plan();
  const std::string used = build::LayerCache::key(p, layer::Compression::Gzip, 0);
  const std::string stale = build::LayerCache::key(p, layer::Compression::Gzip, 1);
  {
    build::LayerCache first(cache_dir());
    store(first, used, p);
    store(first, stale, p);
  }
  write(cache_dir() / "README", "not an entry");
  build::LayerCache second(cache_dir());
  ASSERT_TRUE(second.find(used, p, true));
  second.prune();
  EXPECT_TRUE(second.find(used, p, true));
  EXPECT_FALSE(std::filesystem::exists(cache_dir() / (stale + ".blob")));
  EXPECT_FALSE(std::filesystem::exists(cache_dir() / (stale + ".json")));
  EXPECT_TRUE(std::filesystem::exists(cache_dir() / "README"));
}
