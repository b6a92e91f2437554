// oci/reference: every row of tests/references.tsv, in each of the three
// modes, and what the table cannot hold.
#include "oci/reference.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace ocipack;

namespace {

// One line of the table, by column name.
struct Row {
  std::string reference, tag, normalized, full, familiar, push, registry, repository, explicit_host, credential_key,
      digest, note;
};

std::vector<Row> read_table() {
  std::ifstream in(OCIPACK_REFERENCES_TABLE);
  EXPECT_TRUE(in) << "cannot read " << OCIPACK_REFERENCES_TABLE;
  std::vector<Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> c;
    std::istringstream fields(line);
    for (std::string f; std::getline(fields, f, '\t');) c.push_back(f);
    EXPECT_EQ(c.size(), 12u) << line;
    c.resize(12);
    rows.push_back({c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11]});
  }
  return rows;
}

const std::vector<Row>& table() {
  static const std::vector<Row> rows = read_table();
  return rows;
}

// Runs parse(row.reference) and checks the verdict `valid`, then check(ref)
// on a valid one; a refusal must quote the reference.
template <typename Parse, typename Check>
void expect_verdict(const Row& row, const std::string& valid, Parse parse, Check check) {
  SCOPED_TRACE(row.reference + " (" + row.note + ")");
  try {
    oci::Reference ref = parse(row.reference);
    EXPECT_EQ(valid, "yes") << "accepted";
    if (valid == "yes") check(ref);
  } catch (const Error& e) {
    EXPECT_EQ(valid, "no") << e.what();
    EXPECT_NE(std::string(e.what()).find("\"" + row.reference + "\""), std::string::npos) << e.what();
  }
}

// The check of a valid row in the tag and digest modes: its two names.
auto names_of(const Row& row, bool digested) {
  return [&row, digested](const oci::Reference& ref) {
    EXPECT_EQ(ref.full(), row.full);
    EXPECT_EQ(ref.familiar(), row.familiar);
    EXPECT_EQ(ref.digest.has_value(), digested);
  };
}

}  // namespace

TEST(ReferenceTable, HasTheEdgeCases) { EXPECT_GE(table().size(), 60u); }

TEST(ReferenceTable, TagMode) {
  for (const Row& row : table()) {
    expect_verdict(row, row.tag, oci::Reference::parse_tag, names_of(row, false));
  }
}

TEST(ReferenceTable, PushMode) {
  for (const Row& row : table()) {
    expect_verdict(row, row.push, oci::Reference::parse_push, [&](const oci::Reference& ref) {
      EXPECT_EQ(ref.domain, row.registry);
      EXPECT_EQ(ref.path, row.repository);
      EXPECT_EQ(ref.explicit_domain ? "yes" : "no", row.explicit_host);
      EXPECT_EQ(ref.credential_key(), row.credential_key);
    });
  }
}

TEST(ReferenceTable, DigestMode) {
  for (const Row& row : table()) {
    expect_verdict(row, row.digest, oci::Reference::parse_digested, names_of(row, true));
  }
}

TEST(Reference, RefusesTheEmptyText) {
  EXPECT_THROW(oci::Reference::parse_tag(""), Error);
  EXPECT_THROW(oci::Reference::parse_push(""), Error);
  EXPECT_THROW(oci::Reference::parse_digested(""), Error);
}

TEST(Reference, ErrorsSayWhatIsWrong) {
  auto error_of = [](const std::string& text) {
    try {
      oci::Reference::parse_tag(text);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(error_of("Hello:1"), "invalid image reference \"Hello:1\": repository \"Hello\" must be lower-case");
  EXPECT_NE(error_of("app:-1").find("tag \"-1\" is not 1 to 128"), std::string::npos);
  EXPECT_NE(error_of("[::1]:5000/app:1").find("registry host \"[::1]:5000\""), std::string::npos);
  EXPECT_NE(error_of("app@sha256:" + std::string(64, 'a')).find("a tag cannot have one"), std::string::npos);
  EXPECT_NE(error_of("a\nb").find("\"a\\x0ab\""), std::string::npos) << "control bytes escaped";
}

// The old std::regex parser overflowed the stack on long input.
TEST(Reference, LongInputIsRefusedNotACrash) {
  const std::string long_name(1 << 20, 'a');
  EXPECT_THROW(oci::Reference::parse_tag(long_name), Error);
  EXPECT_THROW(oci::Reference::parse_tag(long_name + ":1"), Error);
  EXPECT_THROW(oci::Reference::parse_tag(std::string(1 << 20, '-')), Error);
  EXPECT_THROW(oci::Reference::parse_digested(long_name + "@sha256:" + std::string(64, 'a')), Error);
}
