#include "util/sha256.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

using namespace ocipack;

TEST(Sha256, KnownVector) {
  EXPECT_EQ(util::Sha256::hex_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha1, KnownVector) {
  util::Sha1 h;
  h.update("abc", 3);
  EXPECT_EQ(h.finish_hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(FileHasher, BothDigestsOfTheSameBytes) {
  util::FileHasher h;
  h.update("a", 1);
  h.update("bc", 2);
  const util::FileDigests d = h.finish();
  EXPECT_EQ(d.sha256_hex(), util::Sha256::hex_of("abc"));
  EXPECT_EQ(d.sha1_hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
  const util::FileDigests back = util::FileDigests::from_hex(d.sha256_hex(), d.sha1_hex());
  EXPECT_EQ(back.sha256, d.sha256);
  EXPECT_EQ(back.sha1, d.sha1);
  EXPECT_THROW(util::FileDigests::from_hex(d.sha256_hex().substr(1), d.sha1_hex()), Error);
  EXPECT_THROW(util::FileDigests::from_hex(d.sha256_hex(), "A9993E364706816ABA3E25717850C26C9CD0D89D"), Error);
}
