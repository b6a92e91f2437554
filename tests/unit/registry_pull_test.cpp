// The cache of pulled blobs (registry/cache.hpp) and the references a BASE
// or `ocipack resolve` takes (registry/pull.hpp).
#include "registry/cache.hpp"
#include "registry/pull.hpp"
#include "test_util.hpp"
#include "util/sha256.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace ocipack;
using namespace ocipack::registry;
using namespace ocipack::testing;

namespace {

oci::Digest digest_of(const std::string& bytes) { return oci::Digest::parse("sha256:" + util::Sha256::hex_of(bytes)); }

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::filesystem::path store(const BlobCache& cache, const std::string& bytes) {
  BlobCache::Incoming in(cache, digest_of(bytes));
  in.write(bytes.data(), bytes.size());
  return in.commit(bytes.size());
}

}  // namespace

TEST(BlobCache, StoresWhatMatchesItsDigestAtItsName) {
  TempDir dir;
  const BlobCache cache(dir / "cache");
  const std::string bytes = sample(100000);
  EXPECT_FALSE(cache.find(digest_of(bytes)));
  const auto path = store(cache, bytes);
  EXPECT_EQ(path, dir / "cache/blobs/sha256" / util::Sha256::hex_of(bytes));
  EXPECT_EQ(read(path), bytes);
  ASSERT_TRUE(cache.find(digest_of(bytes)));
  const CacheUsage u = cache.usage();
  EXPECT_EQ(u.blobs, 1u);
  EXPECT_EQ(u.bytes, bytes.size());
}

TEST(BlobCache, RefusesBytesThatAreNotTheDigestAskedForAndKeepsNothing) {
  TempDir dir;
  const BlobCache cache(dir / "cache");
  const oci::Digest asked = digest_of("wanted");
  BlobCache::Incoming in(cache, asked);
  in.write("other", 5);
  expect_error_contains([&] { in.commit(std::nullopt); },
                        "hashes to " + digest_of("other").str() + ", not the " + asked.str() + " asked for");
  EXPECT_FALSE(cache.find(asked));
  EXPECT_EQ(cache.usage().blobs, 0u);
  BlobCache::Incoming sized(cache, digest_of("wanted"));
  sized.write("wanted", 6);
  expect_error_contains([&] { sized.commit(7); }, "sent 6 bytes");
}

TEST(BlobCache, ARestartedDownloadKeepsOnlyTheLastAttempt) {
  TempDir dir;
  const BlobCache cache(dir / "cache");
  BlobCache::Incoming in(cache, digest_of("the blob"));
  in.write("the bl", 6);  // a dropped connection
  in.restart();
  in.write("the blob", 8);
  EXPECT_EQ(read(in.commit(8)), "the blob");
}

TEST(BlobCache, ADamagedEntryIsRemovedSoThatItIsFetchedAgain) {
  TempDir dir;
  const BlobCache cache(dir / "cache");
  const std::string bytes = sample(5000);
  const auto path = store(cache, bytes);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.write("damage", 6);
  }
  EXPECT_FALSE(cache.find(digest_of(bytes)));
  EXPECT_FALSE(std::filesystem::exists(path));
  store(cache, bytes);
  EXPECT_TRUE(cache.find(digest_of(bytes)));
}

TEST(BlobCache, AnEntryChangedBackToItsBytesIsHashedAgainAndKept) {
  TempDir dir;
  const BlobCache cache(dir / "cache");
  const std::string bytes = sample(5000);
  const auto path = store(cache, bytes);
  write(path, bytes);  // new modification time, same content
  EXPECT_TRUE(cache.find(digest_of(bytes)));
  EXPECT_EQ(read(path), bytes);
}

TEST(BlobCache, PruneRemovesAllOrWhatWasNotUsedLately) {
  TempDir dir;
  const BlobCache cache(dir / "cache");
  store(cache, "one");
  store(cache, "two");
  EXPECT_EQ(cache.prune(30).blobs, 0u);  // both used just now
  const CacheUsage removed = cache.prune(0);
  EXPECT_EQ(removed.blobs, 2u);
  EXPECT_EQ(removed.bytes, 6u);
  EXPECT_EQ(cache.usage().blobs, 0u);
  EXPECT_FALSE(cache.find(digest_of("one")));
}

TEST(PullReference, NeedsADigestAndTakesTheTransportPrefix) {
  const std::string hex(64, 'a');
  const oci::Reference r = pull_reference("docker://127.0.0.1:5000/base/busybox:1@sha256:" + hex);
  EXPECT_EQ(r.domain, "127.0.0.1:5000");
  EXPECT_EQ(r.path, "base/busybox");
  EXPECT_EQ(r.tag, "1");
  EXPECT_EQ(r.digest->hex, hex);
  EXPECT_EQ(pull_reference("debian@sha256:" + hex).domain, "docker.io");  // no host: Docker Hub
  EXPECT_EQ(pull_reference("debian@sha256:" + hex).path, "library/debian");
  expect_error_contains([] { pull_reference("docker://127.0.0.1:5000/base/busybox:1"); }, "names no digest: pin it");
  expect_error_contains([] { pull_reference("docker://127.0.0.1:5000/base/busybox:1"); },
                        "`ocipack resolve docker://127.0.0.1:5000/base/busybox:1`");
  EXPECT_THROW(pull_reference("docker://127.0.0.1:5000/Base@sha256:" + hex), Error);
}

TEST(ResolveReference, ATagWithOrWithoutTheTransport) {
  const oci::Reference r = resolve_reference("docker://registry.example/team/app:1.4");
  EXPECT_EQ(r.domain, "registry.example");
  EXPECT_EQ(r.path, "team/app");
  EXPECT_EQ(r.tag, "1.4");
  EXPECT_EQ(resolve_reference("busybox").tag, "latest");
  EXPECT_EQ(resolve_reference("busybox").domain, "docker.io");
}
