#include "oci/model.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

using namespace ocipack;

TEST(Digest, ParsesOnlyCanonicalSha256) {
  std::string hex(64, 'a');
  EXPECT_EQ(oci::Digest::parse("sha256:" + hex).hex, hex);
  EXPECT_THROW(oci::Digest::parse("sha256:" + std::string(64, 'A')), Error);
  EXPECT_THROW(oci::Digest::parse("sha512:" + hex), Error);
  EXPECT_THROW(oci::Digest::parse("sha256:" + hex.substr(1)), Error);
  EXPECT_THROW(oci::Digest::parse("sha256:../../etc/passwd"), Error);
}

TEST(Rfc3339, FormatsUtc) {
  EXPECT_EQ(oci::rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(oci::rfc3339(1700000000), "2023-11-14T22:13:20Z");
}
