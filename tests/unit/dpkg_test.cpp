#include "sbom/dpkg.hpp"

#include "test_util.hpp"
#include "util/file.hpp"

#include <gtest/gtest.h>

using namespace ocipack;
using ocipack::testing::expect_error_contains;

namespace {

const std::filesystem::path kData = OCIPACK_TEST_DATA "/dpkg";

}  // namespace

TEST(Dpkg, ReadsInstalledPackagesOnly) {
  const auto packages = sbom::parse_status(util::read_file(kData / "good/var/lib/dpkg/status"), "status");
  ASSERT_EQ(packages.size(), 2u);  // oldpkg only has its conffiles left
  EXPECT_EQ(packages[0].name, "libfoo1");
  EXPECT_EQ(packages[0].version, "1:2.0+dfsg-3+b1");
  EXPECT_EQ(packages[0].architecture, "amd64");
  EXPECT_EQ(packages[0].source_name, "foo");
  EXPECT_EQ(packages[0].source_version, "1:2.0+dfsg-3");
  EXPECT_EQ(packages[1].source_name, "libbar2");  // no Source: its own name and version
  EXPECT_EQ(packages[1].source_version, "2.1-1");
}

TEST(Dpkg, StanzaIsTheParagraphAsWritten) {
  const auto packages = sbom::parse_status(util::read_file(kData / "good/var/lib/dpkg/status"), "status");
  EXPECT_EQ(packages[1].stanza,
            "Package: libbar2\nStatus: install ok installed\nArchitecture: all\n"
            "Version: 2.1-1\nDescription: bar data\n");
  EXPECT_NE(packages[0].stanza.find(" in two lines.\n"), std::string::npos);
}

TEST(Dpkg, DamagedStatusNamesTheLine) {
  expect_error_contains([] { sbom::parse_status(util::read_file(kData / "damaged/var/lib/dpkg/status"), "status"); },
                        "status line 3: not a \"Field: value\" line");
  expect_error_contains([] { sbom::parse_status(" continued\n", "s"); }, "s line 1: a continuation line");
  expect_error_contains([] { sbom::parse_status("Package: x\nStatus: install ok installed\n", "s"); },
                        "without Package or Version");
}

TEST(Dpkg, OwnerThroughBothSpellingsOfMergedUsr) {
  const sbom::Database db = sbom::Database::read(kData / "good");
  const sbom::Package* p = db.owner("/lib/x86_64-linux-gnu/libfoo.so.1.2");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name, "libfoo1");
  EXPECT_EQ(db.owner("/usr/lib/x86_64-linux-gnu/libfoo.so.1.2"), p);
  EXPECT_EQ(db.owner("/usr/share/bar/data.txt")->name, "libbar2");
  EXPECT_EQ(db.owner("/usr/lib/x86_64-linux-gnu/libother.so"), nullptr);
  EXPECT_EQ(db.distro().id, "debian");
  EXPECT_EQ(db.distro().version_id, "12");
  EXPECT_TRUE(db.notes().empty());
}

TEST(Dpkg, Md5sumsOfTheFilesAsked) {
  const sbom::Database db = sbom::Database::read(kData / "good");
  const sbom::Package* p = db.owner("/lib/x86_64-linux-gnu/libfoo.so.1.2");
  EXPECT_EQ(db.md5sums(*p, {"/usr/lib/x86_64-linux-gnu/libfoo.so.1.2"}),
            std::vector<std::string>{"0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libfoo.so.1.2"});
  EXPECT_TRUE(db.md5sums(*db.owner("/usr/share/bar/data.txt"), {"/usr/share/bar/data.txt"}).empty());
}

TEST(Dpkg, LicenceFromMachineReadableCopyrightOnly) {
  const sbom::Database db = sbom::Database::read(kData / "good");
  EXPECT_EQ(db.read_license(*db.owner("/lib/x86_64-linux-gnu/libfoo.so.1")), "LGPL-2.1-or-later OR GPL-2.0-or-later");
  EXPECT_EQ(db.read_license(*db.owner("/usr/share/bar/data.txt")), "NOASSERTION");
}

TEST(Dpkg, OwnersOfPathsWantedTogetherOrOneByOneAreTheSame) {
  const sbom::Database together = sbom::Database::read(kData / "good");
  together.want({"/usr/lib/x86_64-linux-gnu/libfoo.so.1.2", "/usr/share/bar/data.txt", "/etc/none"});
  const sbom::Database alone = sbom::Database::read(kData / "good");
  for (const char* path : {"/usr/share/bar/data.txt", "/usr/lib/x86_64-linux-gnu/libfoo.so.1.2", "/etc/none"}) {
    const sbom::Package* a = together.owner(path);
    const sbom::Package* b = alone.owner(path);
    ASSERT_EQ(a == nullptr, b == nullptr) << path;
    if (a) EXPECT_EQ(a->name, b->name) << path;
  }
  EXPECT_EQ(together.owner("/etc/none"), nullptr);
}

TEST(Dpkg, AnswersAreKeptBetweenBuildsWhileTheStatusFileIsTheSame) {
  ocipack::testing::TempDir dir;
  const std::filesystem::path root = dir / "root";
  std::filesystem::copy(kData / "good", root, std::filesystem::copy_options::recursive);
  const std::filesystem::path answers = dir / "cache/dpkg-owners.json";
  std::filesystem::create_directories(answers.parent_path());
  {
    const sbom::Database first = sbom::Database::open(root, answers);
    first.want({"/usr/lib/x86_64-linux-gnu/libfoo.so.1.2", "/build/app"});
    EXPECT_EQ(first.owner("/usr/lib/x86_64-linux-gnu/libfoo.so.1.2")->name, "libfoo1");
    EXPECT_EQ(first.owner("/build/app"), nullptr);
    first.save_answers();
  }
  ASSERT_TRUE(std::filesystem::exists(answers));
  // Without the file lists, the next build still knows, from the answers.
  std::filesystem::remove_all(root / "var/lib/dpkg/info");
  {
    const sbom::Database second = sbom::Database::open(root, answers);
    const sbom::Package* p = second.owner("/usr/lib/x86_64-linux-gnu/libfoo.so.1.2");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->name, "libfoo1");
    EXPECT_EQ(p->version, sbom::Database::read(kData / "good").owner("/lib/x86_64-linux-gnu/libfoo.so.1.2")->version);
    EXPECT_EQ(second.owner("/build/app"), nullptr);
    EXPECT_TRUE(second.notes().empty());
  }
  // A new status file (dpkg installed or removed something): asked again.
  const std::string status = util::read_file(root / "var/lib/dpkg/status");
  std::filesystem::remove(root / "var/lib/dpkg/status");
  ocipack::testing::write(root / "var/lib/dpkg/status", status);
  const sbom::Database third = sbom::Database::open(root, answers);
  EXPECT_EQ(third.owner("/usr/lib/x86_64-linux-gnu/libfoo.so.1.2"), nullptr);  // no lists any more
  EXPECT_FALSE(third.notes().empty());
  // A damaged answers file is no answer.
  ocipack::testing::write(answers, "{not json");
  const sbom::Database fourth = sbom::Database::open(root, answers);
  EXPECT_EQ(fourth.owner("/usr/lib/x86_64-linux-gnu/libfoo.so.1.2"), nullptr);
}

TEST(Dpkg, WithAnswersTheStatusFileIsReadAtTheFirstQuestionOnly) {
  ocipack::testing::TempDir dir;
  const std::filesystem::path answers = dir / "dpkg-owners.json";
  // A damaged status file shows whether it was read: open() and want()
  // leave it alone (a build with SBOM NONE and nothing bundled from the
  // system asks no question)...
  const sbom::Database db = sbom::Database::open(kData / "damaged", answers);
  db.want({"/lib/x"});
  EXPECT_EQ(db.failure(), "");
  // ...the first question reads it: no owner, the reason, no answers kept.
  EXPECT_EQ(db.owner("/lib/x"), nullptr);
  EXPECT_NE(db.failure().find("line 3"), std::string::npos) << db.failure();
  db.save_answers();
  EXPECT_FALSE(std::filesystem::exists(answers));

  // SysrootPackages turns it into the same note as without answers.
  const sbom::SysrootPackages damaged(kData / "damaged", answers);
  EXPECT_TRUE(damaged.notes().empty());
  EXPECT_EQ(damaged.owner(kData / "damaged/lib/x"), nullptr);
  ASSERT_EQ(damaged.notes().size(), 1u);
  EXPECT_NE(damaged.notes()[0].find("no Debian packages named for the files of"), std::string::npos);
  EXPECT_NE(damaged.notes()[0].find("line 3"), std::string::npos);
}

TEST(Dpkg, MissingListIsANoteNotAFailure) {
  const sbom::Database db = sbom::Database::read(kData / "nolist");
  EXPECT_EQ(db.owner("/usr/lib/x86_64-linux-gnu/libfoo.so.1"), nullptr);  // the lists are read for lookups
  ASSERT_EQ(db.notes().size(), 1u);
  EXPECT_NE(db.notes()[0].find("no file list for libfoo1"), std::string::npos);
}

TEST(Dpkg, SysrootWithoutDatabaseOrDamagedOneGivesNotes) {
  const sbom::SysrootPackages damaged(kData / "damaged");
  EXPECT_EQ(damaged.database(), nullptr);
  ASSERT_EQ(damaged.notes().size(), 1u);
  EXPECT_NE(damaged.notes()[0].find("line 3"), std::string::npos);
  EXPECT_EQ(damaged.owner(kData / "damaged/lib/x"), nullptr);

  const sbom::SysrootPackages good(kData / "good");
  EXPECT_EQ(good.database_path(kData / "good/usr/lib/x86_64-linux-gnu/libfoo.so.1.2"),
            "/usr/lib/x86_64-linux-gnu/libfoo.so.1.2");
  EXPECT_EQ(good.owner(kData / "good/usr/lib/x86_64-linux-gnu/libfoo.so.1.2")->name, "libfoo1");
  EXPECT_EQ(good.database_path("/elsewhere/x"), "");
}

TEST(Dpkg, PurlEncodesEpochAndPlus) {
  sbom::Package p;
  p.name = "libssl3";
  p.version = "3.0.19-1~deb12u2";
  p.architecture = "amd64";
  EXPECT_EQ(sbom::purl(p, {"debian", "12"}), "pkg:deb/debian/libssl3@3.0.19-1~deb12u2?arch=amd64&distro=debian-12");
  p.name = "libstdc++6";
  p.version = "1:2.0+dfsg-3";
  EXPECT_EQ(sbom::purl(p, {"debian", "12"}),
            "pkg:deb/debian/libstdc%2B%2B6@1%3A2.0%2Bdfsg-3?arch=amd64&distro=debian-12");
  EXPECT_EQ(sbom::purl(p, {}), "pkg:deb/debian/libstdc%2B%2B6@1%3A2.0%2Bdfsg-3?arch=amd64");
}

TEST(Dpkg, LicenceTable) {
  EXPECT_EQ(sbom::spdx_license_id("GPL-2+"), "GPL-2.0-or-later");
  EXPECT_EQ(sbom::spdx_license_id("LGPL-2.1+"), "LGPL-2.1-or-later");
  EXPECT_EQ(sbom::spdx_license_id("Expat"), "MIT");
  EXPECT_EQ(sbom::spdx_license_id("BSD-3-clause"), "BSD-3-Clause");
  EXPECT_EQ(sbom::spdx_license_id("Apache-2.0"), "Apache-2.0");
  EXPECT_EQ(sbom::spdx_license_id("public-domain"), "LicenseRef-public-domain");
  EXPECT_EQ(sbom::spdx_license_id("OpenLDAP-2.8"), "LicenseRef-OpenLDAP-2.8");
  EXPECT_EQ(sbom::spdx_license_id("GPL-2+ with OpenSSL_exception"), "LicenseRef-GPL-2--with-OpenSSL-exception");
}

TEST(Dpkg, CopyrightLicence) {
  const std::string dep5 = "Format: http://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n";
  EXPECT_EQ(sbom::copyright_license(dep5 + "Files: *\nLicense: BSD-3-clause and Expat\n"), "BSD-3-Clause AND MIT");
  EXPECT_EQ(sbom::copyright_license(dep5 + "Files: src/*\nLicense: MIT\n"), "NOASSERTION");  // no Files: *
  EXPECT_EQ(sbom::copyright_license("Files: *\nLicense: MIT\n"), "NOASSERTION");             // no Format:
  EXPECT_EQ(sbom::copyright_license("free text\n\nmore"), "NOASSERTION");
}

TEST(Dpkg, OsRelease) {
  const sbom::Distro d = sbom::parse_os_release("NAME='Debian'\nID=debian\nVERSION_ID=\"12\"\n# comment\n");
  EXPECT_EQ(d.id, "debian");
  EXPECT_EQ(d.version_id, "12");
}

TEST(Dpkg, StatusFiles) {
  EXPECT_TRUE(sbom::is_status_file("var/lib/dpkg/status.d/libc6"));
  EXPECT_FALSE(sbom::is_status_file("var/lib/dpkg/status.d/libc6.md5sums"));
  EXPECT_FALSE(sbom::is_status_file("var/lib/dpkg/status.d/"));
  EXPECT_FALSE(sbom::is_status_file("var/lib/dpkg/status.d/sub/x"));
  EXPECT_FALSE(sbom::is_status_file("var/lib/dpkg/status"));
}
