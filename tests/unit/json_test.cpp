// Canonical JSON of the OCI model: compact, sorted, read back strictly.
#include "oci/json.hpp"
#include "oci/model.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

using namespace ocipack;

TEST(Json, ConfigIsCanonicalAndRoundTrips) {
  oci::ImageConfig c;
  c.platform = {"arm", "linux", "v7"};
  c.created = "1970-01-01T00:00:00Z";
  c.config.cmd = std::vector<std::string>{"/app", "x"};
  c.config.env = {"PATH=/bin", "A=b"};
  c.config.exposed_ports = {"80/tcp"};
  c.config.labels = {{"z", "1"}, {"a", "2"}};
  c.diff_ids = {oci::Digest{std::string(64, '1')}};
  c.history = {{"1970-01-01T00:00:00Z", "ocipack", false}};
  std::string text = oci::canonical(oci::to_json(c));
  // Compact and sorted: "architecture" < "config" < "created" < ... < "variant".
  EXPECT_EQ(text.find(' '), std::string::npos);
  EXPECT_LT(text.find("\"architecture\""), text.find("\"config\""));
  EXPECT_LT(text.find("\"os\""), text.find("\"rootfs\""));
  EXPECT_LT(text.find("\"a\":\"2\""), text.find("\"z\":\"1\""));
  EXPECT_EQ(text.find("Entrypoint"), std::string::npos);  // unset stays unset

  oci::ImageConfig back = oci::config_from_json(oci::parse_json(text, "config"));
  EXPECT_EQ(back.platform, c.platform);
  EXPECT_EQ(*back.config.cmd, *c.config.cmd);
  EXPECT_EQ(back.config.env, c.config.env);
  EXPECT_EQ(back.diff_ids[0], c.diff_ids[0]);
  EXPECT_EQ(oci::canonical(oci::to_json(back)), text);
}

TEST(Json, ReadersNameTheBadField) {
  try {
    oci::manifest_from_json(
        oci::parse_json(R"({"config":{"mediaType":"x","digest":"sha256:1","size":1},"layers":[]})", "m"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("config"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sha256:1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(oci::parse_json("{", "the thing"), Error);
  EXPECT_THROW(oci::index_from_json(oci::parse_json(R"({"manifests":{}})", "i")), Error);
}

TEST(Json, DeepNestingIsRefusedBeforeParsing) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  try {
    oci::parse_json(deep, "the thing");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the thing is nested more than 64 levels deep"), std::string::npos);
  }
  // Brackets inside strings do not count; 64 levels are fine.
  EXPECT_NO_THROW(oci::parse_json("[\"" + std::string(1000, '[') + "\"]", "s"));
  EXPECT_NO_THROW(oci::parse_json(std::string(64, '[') + std::string(64, ']'), "s"));
  EXPECT_THROW(oci::parse_json(std::string(65, '[') + std::string(65, ']'), "s"), Error);
}
