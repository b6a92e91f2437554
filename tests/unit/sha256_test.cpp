#include "util/sha256.hpp"

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
  EXPECT_EQ(d.sha256, util::Sha256::hex_of("abc"));
  EXPECT_EQ(d.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
}
