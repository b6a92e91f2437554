// The environment variables, read in cli: SOURCE_DATE_EPOCH and
// OCIPACK_THREADS (the compressor bounds the thread count).
#include "cli/environment.hpp"
#include "layer/compress.hpp"
#include "test_util.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

using namespace ocipack;
using namespace ocipack::testing;  // the helpers of test_util.hpp, image_builder.hpp, elf_builder.hpp

TEST(SourceDateEpoch, ParsesOrRefuses) {
  ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  EXPECT_EQ(cli::source_date_epoch_from_env(), 1700000000);
  ::setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
  EXPECT_THROW(cli::source_date_epoch_from_env(), Error);
  ::unsetenv("SOURCE_DATE_EPOCH");
  EXPECT_FALSE(cli::source_date_epoch_from_env().has_value());
}

TEST(Environment, ThreadCountFromTheEnvironment) {
  {
    ScopedEnv env("OCIPACK_THREADS", nullptr);
    unsigned n = layer::compression_threads(cli::threads_from_env());
    EXPECT_GE(n, 1u);
    EXPECT_LE(n, layer::kMaxCompressionThreads);
  }
  {
    ScopedEnv env("OCIPACK_THREADS", "3");
    EXPECT_EQ(layer::compression_threads(cli::threads_from_env()), 3u);
  }
  {
    ScopedEnv env("OCIPACK_THREADS", "1000");
    EXPECT_EQ(layer::compression_threads(cli::threads_from_env()), layer::kMaxCompressionThreads);
  }
  for (const char* bad : {"0", "two", "-1", "2x"}) {
    ScopedEnv env("OCIPACK_THREADS", bad);
    try {
      cli::threads_from_env();
      ADD_FAILURE() << bad << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("\"") + bad + "\""), std::string::npos) << e.what();
    }
  }
}

TEST(Environment, CacheDirectoryForPulledImages) {
  ScopedEnv home("HOME", "/home/u");
  {
    ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
    ScopedEnv own("OCIPACK_CACHE_DIR", nullptr);
    EXPECT_EQ(cli::cache_dir_from_env(), "/home/u/.cache/ocipack");
  }
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "/var/cache/u");
    ScopedEnv own("OCIPACK_CACHE_DIR", nullptr);
    EXPECT_EQ(cli::cache_dir_from_env(), "/var/cache/u/ocipack");
    ScopedEnv moved("OCIPACK_CACHE_DIR", "/ci/cache");
    EXPECT_EQ(cli::cache_dir_from_env(), "/ci/cache");
  }
  ScopedEnv none("HOME", nullptr);
  ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
  ScopedEnv own("OCIPACK_CACHE_DIR", nullptr);
  EXPECT_TRUE(cli::cache_dir_from_env().empty());
}
