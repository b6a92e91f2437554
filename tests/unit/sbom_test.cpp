// The SBOM writers: valid JSON of the right shape, the same bytes for the
// same document, ids unique and derived from names.
#include "sbom/document.hpp"

#include "oci/json.hpp"
#include "test_util.hpp"
#include "util/file.hpp"

#include <gtest/gtest.h>

#include <regex>

using namespace ocipack;
using nlohmann::json;

namespace {

sbom::Document sample() {
  sbom::Document doc;
  doc.image = "app";
  doc.tags = {"app:1.0"};
  doc.manifest = oci::Digest{std::string(64, 'a')};
  doc.platform = {"amd64", "linux", ""};
  doc.created = "1970-01-01T00:00:00Z";
  doc.tool_version = "0.0-test";
  sbom::LayerFiles libs{oci::Digest{std::string(64, 'b')}, false, {}};
  libs.files.push_back({"usr/lib/x86_64-linux-gnu/libfoo.so.1.2",
                        util::FileDigests::from_hex(std::string(64, '1'), std::string(40, '2'))});
  sbom::LayerFiles app{oci::Digest{std::string(64, 'c')}, false, {}};
  app.files.push_back({"usr/bin/app", util::FileDigests::from_hex(std::string(64, '3'), std::string(40, '4'))});
  doc.layers = {libs, app};
  sbom::ImagePackage p;
  p.package.name = "libfoo1";
  p.package.version = "1:2.0-3";
  p.package.architecture = "amd64";
  p.package.source_name = "foo";
  p.package.source_version = "1:2.0-3";
  p.package.license = "LGPL-2.1-or-later OR GPL-2.0-or-later";
  p.purl = "pkg:deb/debian/libfoo1@1%3A2.0-3?arch=amd64&distro=debian-12";
  p.files = {{0, "usr/lib/x86_64-linux-gnu/libfoo.so.1.2"}};
  doc.packages = {p};
  doc.project = sbom::Project{"demo", "1.2.3", "https://example.org", "0123abcd", {{1, "usr/bin/app"}}};
  doc.dependencies = {{"/usr/bin/app", "/usr/lib/x86_64-linux-gnu/libfoo.so.1.2", "DT_NEEDED"},
                      {"/usr/bin/app", "/lib64/ld-linux-x86-64.so.2", "PT_INTERP"}};  // not a file here: left
  return doc;
}

json written(const sbom::Document& doc, sbom::Format format, const ocipack::testing::TempDir& dir) {
  const auto path = dir / "out.json";
  sbom::write(doc, format, path);
  return json::parse(util::read_file(path));
}

bool has_relationship(const json& spdx, const std::string& from, const std::string& type, const std::string& to) {
  for (const auto& r : spdx["relationships"]) {
    if (r["spdxElementId"] == from && r["relationshipType"] == type && r["relatedSpdxElement"] == to) return true;
  }
  return false;
}

}  // namespace

TEST(Sbom, ElementIdsKeepLettersDigitsAndDotsOnly) {
  EXPECT_EQ(sbom::element_id("SPDXRef-File-1-", "usr/lib/libc.so.6"), "SPDXRef-File-1-usr-2Flib-2Flibc.so.6");
  // '-' itself is escaped: "a-2F" and "a/" stay apart.
  EXPECT_NE(sbom::element_id("", "a-2F"), sbom::element_id("", "a/"));
}

TEST(Sbom, SpdxDocument) {
  ocipack::testing::TempDir dir;
  const json spdx = written(sample(), sbom::Format::Spdx, dir);
  EXPECT_EQ(spdx["spdxVersion"], "SPDX-2.3");
  EXPECT_EQ(spdx["creationInfo"]["created"], "1970-01-01T00:00:00Z");
  EXPECT_EQ(spdx["documentNamespace"], "https://ocipack.invalid/spdxdocs/app/" + std::string(64, 'a'));
  ASSERT_EQ(spdx["files"].size(), 2u);
  EXPECT_EQ(spdx["files"][0]["fileName"], "./usr/lib/x86_64-linux-gnu/libfoo.so.1.2");
  EXPECT_EQ(spdx["files"][0]["checksums"][1]["checksumValue"], std::string(64, '1'));
  const std::string lib = spdx["files"][0]["SPDXID"], app = spdx["files"][1]["SPDXID"];
  EXPECT_TRUE(has_relationship(spdx, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image"));
  EXPECT_TRUE(has_relationship(spdx, "SPDXRef-Layer-0", "CONTAINS", lib));
  EXPECT_TRUE(has_relationship(spdx, "SPDXRef-Package-deb-libfoo1-3Aamd64", "CONTAINS", lib));
  EXPECT_TRUE(has_relationship(spdx, "SPDXRef-Project-demo", "CONTAINS", app));
  EXPECT_TRUE(has_relationship(spdx, app, "DEPENDS_ON", lib));
  bool purl = false;
  for (const auto& p : spdx["packages"]) {
    if (p["name"] == "libfoo1") {
      purl = p["externalRefs"][0]["referenceLocator"] == sample().packages[0].purl;
      EXPECT_EQ(p["licenseDeclared"], "LGPL-2.1-or-later OR GPL-2.0-or-later");
    }
  }
  EXPECT_TRUE(purl);
}

TEST(Sbom, CycloneDxDocument) {
  ocipack::testing::TempDir dir;
  const json cdx = written(sample(), sbom::Format::CycloneDx, dir);
  EXPECT_EQ(cdx["specVersion"], "1.6");
  EXPECT_TRUE(
      std::regex_match(cdx["serialNumber"].get<std::string>(),
                       std::regex("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_EQ(cdx["metadata"]["component"]["version"], "sha256:" + std::string(64, 'a'));
  ASSERT_EQ(cdx["components"].size(), 2u);  // the project and the package, each with its file
  EXPECT_EQ(cdx["components"][1]["purl"], sample().packages[0].purl);
  EXPECT_EQ(cdx["components"][1]["components"][0]["hashes"][1]["content"], std::string(64, '1'));
  ASSERT_EQ(cdx["dependencies"].size(), 1u);
  EXPECT_EQ(cdx["dependencies"][0]["dependsOn"].size(), 1u);
}

TEST(Sbom, SameDocumentSameBytes) {
  ocipack::testing::TempDir dir;
  for (auto format : {sbom::Format::Spdx, sbom::Format::CycloneDx}) {
    sbom::write(sample(), format, dir / "a.json");
    sbom::write(sample(), format, dir / "b.json");
    EXPECT_EQ(util::read_file(dir / "a.json"), util::read_file(dir / "b.json"));
  }
}
