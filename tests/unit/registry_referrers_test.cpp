// SBOMs as referrers (registry/referrers.hpp): which files are attached to
// which manifest, the artifact manifest, the fallback tag's index.
#include "oci/json.hpp"
#include "registry/referrers.hpp"
#include "test_util.hpp"
#include "util/sha256.hpp"

#include <gtest/gtest.h>

using namespace ocipack;
using namespace ocipack::registry;
using namespace ocipack::testing;
using nlohmann::json;

namespace {

oci::Descriptor manifest(char fill) {
  return {oci::media_type::kManifest, oci::Digest::parse("sha256:" + std::string(64, fill)), 500, {}, {}};
}

std::string spdx_naming(const oci::Descriptor& m) {
  return "{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"app@" + m.digest.str() + "\",\"packages\":[]}";
}

}  // namespace

TEST(FindSboms, TheBuildsFilesBesideTheImageEachToTheManifestItNames) {
  TempDir dir;
  const oci::Descriptor amd64 = manifest('a'), arm64 = manifest('b');
  write(dir / "app.tar", "");
  write(dir / "app.linux-amd64.spdx.json", spdx_naming(amd64));
  write(dir / "app.linux-arm64.cdx.json", "{\"bomFormat\":\"CycloneDX\",\"version\":\"" + arm64.digest.str() + "\"}");
  write(dir / "other.spdx.json", spdx_naming(amd64));  // another image's
  write(dir / "app.spdx.json.txt", spdx_naming(amd64));
  std::vector<std::string> warnings;
  const auto sboms =
      find_sboms(dir / "app.tar", {}, {amd64, arm64}, [&](const std::string& w) { warnings.push_back(w); });
  ASSERT_EQ(sboms.size(), 2u);
  EXPECT_EQ(sboms[0].file, dir / "app.linux-amd64.spdx.json");
  EXPECT_EQ(sboms[0].artifact_type, "application/spdx+json");
  EXPECT_EQ(sboms[0].subject.digest, amd64.digest);
  EXPECT_EQ(sboms[1].artifact_type, "application/vnd.cyclonedx+json");
  EXPECT_EQ(sboms[1].subject.digest, arm64.digest);
  EXPECT_TRUE(warnings.empty());
}

TEST(FindSboms, AStaleFileBesideIsLeftWithAWarningAGivenOneIsAnError) {
  TempDir dir;
  write(dir / "app.tar", "");
  write(dir / "app.spdx.json", spdx_naming(manifest('c')));
  std::vector<std::string> warnings;
  EXPECT_TRUE(
      find_sboms(dir / "app.tar", {}, {manifest('a')}, [&](const std::string& w) { warnings.push_back(w); }).empty());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("from another build"), std::string::npos) << warnings[0];
  expect_error_contains([&] { find_sboms(dir / "app.tar", {dir / "app.spdx.json"}, {manifest('a')}, nullptr); },
                        "describes none of the image's manifests");
  write(dir / "notes.json", "{\"a\": \"" + manifest('a').digest.str() + "\"}");
  expect_error_contains([&] { find_sboms(dir / "app.tar", {dir / "notes.json"}, {manifest('a')}, nullptr); },
                        "neither an SPDX nor a CycloneDX");
}

TEST(ArtifactManifest, AnOci11ReferrerOfItsSubjectTheSameBytesEachTime) {
  const Sbom sbom{"/x/app.spdx.json", "application/spdx+json", manifest('a')};
  const oci::Descriptor blob{
      "application/spdx+json", oci::Digest::parse("sha256:" + std::string(64, 'd')), 1234, {}, {}};
  const std::string bytes = artifact_manifest(sbom, blob);
  EXPECT_EQ(bytes, artifact_manifest(sbom, blob));
  const json j = json::parse(bytes);
  EXPECT_EQ(j["mediaType"], oci::media_type::kManifest);
  EXPECT_EQ(j["artifactType"], "application/spdx+json");
  EXPECT_EQ(j["config"]["mediaType"], "application/vnd.oci.empty.v1+json");
  EXPECT_EQ(j["config"]["digest"], "sha256:" + util::Sha256::hex_of("{}"));
  EXPECT_EQ(j["config"]["size"], 2);
  EXPECT_EQ(j["layers"][0]["digest"], blob.digest.str());
  EXPECT_EQ(j["layers"][0]["annotations"]["org.opencontainers.image.title"], "app.spdx.json");
  EXPECT_EQ(j["subject"]["digest"], manifest('a').digest.str());
  EXPECT_EQ(j["subject"]["size"], 500);
}

TEST(FallbackIndex, ListsEachReferrerOnceAndKeepsOthers) {
  EXPECT_EQ(fallback_tag(manifest('a').digest), "sha256-" + std::string(64, 'a'));
  const oci::Descriptor ours = manifest('e'), theirs = manifest('f');
  const std::optional<std::string> first = with_referrer("", ours, "application/spdx+json");
  ASSERT_TRUE(first);
  EXPECT_TRUE(lists_referrer(*first, ours.digest));
  EXPECT_FALSE(lists_referrer(*first, theirs.digest));
  EXPECT_EQ(json::parse(*first)["manifests"][0]["artifactType"], "application/spdx+json");
  EXPECT_FALSE(with_referrer(*first, ours, "application/spdx+json"));  // listed already: nothing to PUT
  const std::optional<std::string> both = with_referrer(*first, theirs, "application/vnd.cyclonedx+json");
  ASSERT_TRUE(both);
  EXPECT_EQ(json::parse(*both)["manifests"].size(), 2u);
  EXPECT_TRUE(lists_referrer(*both, ours.digest));
  expect_error_contains([] { with_referrer("{\"manifests\": 1}", manifest('a'), "x"); }, "not an image index");
}
