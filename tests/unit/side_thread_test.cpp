// util::SideThread / util::overlap: both tasks run, at the same time, and
// an exception from either reaches the caller only once both are done.
#include "util/error.hpp"
#include "util/side_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace ocipack;

TEST(SideThread, RunsBothAtTheSameTime) {
  util::SideThread side;
  for (int round = 0; round < 3; ++round) {  // the helper thread is reused
    std::atomic<bool> side_started{false}, here_started{false};
    bool side_saw_here = false, here_saw_side = false;
    auto wait_for = [](std::atomic<bool>& flag) {
      for (int i = 0; i < 5000 && !flag; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return flag.load();
    };
    util::overlap(
        side,
        [&] {
          side_started = true;
          side_saw_here = wait_for(here_started);
        },
        [&] {
          here_started = true;
          here_saw_side = wait_for(side_started);
        });
    EXPECT_TRUE(side_saw_here) << round;
    EXPECT_TRUE(here_saw_side) << round;
  }
}

TEST(SideThread, ErrorsReachTheCallerAfterBothFinish) {
  util::SideThread side;
  std::atomic<bool> side_done{false};
  try {
    util::overlap(
        side,
        [&] {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          side_done = true;
        },
        [] { throw Error("here failed"); });
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "here failed");
    EXPECT_TRUE(side_done);  // the side task was not abandoned half-way
  }
  try {
    util::overlap(
        side, [] { throw Error("side failed"); }, [] {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "side failed");
  }
  // Still usable afterwards.
  int ran = 0;
  util::overlap(
      side, [&] { ++ran; }, [&] { ++ran; });
  EXPECT_EQ(ran, 2);
}
