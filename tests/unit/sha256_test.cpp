#include "util/sha256.hpp"

#include <gtest/gtest.h>

using namespace ocipack;

TEST(Sha256, KnownVector) {
  EXPECT_EQ(util::Sha256::hex_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
