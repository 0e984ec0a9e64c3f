#include "backend/llama/side_by_side.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

namespace duet::llama {
namespace {

// Which threads ran one call's work, and whether they all ran it at once:
// each waits (up to a few seconds) until every one has arrived.
struct Ran {
  std::set<std::thread::id> threads;
  bool together = true;
  int calls = 0;
};

Ran RunAndRecord(int threads, Helpers helpers, int* returned) {
  Ran ran;
  std::mutex mutex;
  std::atomic<int> arrived{0};
  *returned = RunSideBySide(threads, helpers, [&] {
    {
      std::lock_guard lock(mutex);
      ran.threads.insert(std::this_thread::get_id());
      ++ran.calls;
    }
    arrived.fetch_add(1);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (arrived.load() < threads) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::lock_guard lock(mutex);
        ran.together = false;
        return;
      }
      std::this_thread::yield();
    }
  });
  return ran;
}

TEST(SideBySideTest, OneThreadIsTheCallersOwn) {
  for (Helpers helpers : {Helpers::kNewThreads, Helpers::kComputeTeam}) {
    int returned = 0;
    const Ran ran = RunAndRecord(1, helpers, &returned);
    EXPECT_EQ(returned, 1);
    EXPECT_EQ(ran.calls, 1);
    EXPECT_EQ(ran.threads, std::set{std::this_thread::get_id()});
  }
}

TEST(SideBySideTest, EveryThreadRunsTheWorkOnceAtTheSameTimeAsTheCaller) {
  for (Helpers helpers : {Helpers::kNewThreads, Helpers::kComputeTeam}) {
    int returned = 0;
    const Ran ran = RunAndRecord(3, helpers, &returned);
    EXPECT_EQ(returned, 3);
    EXPECT_EQ(ran.calls, 3);
    EXPECT_EQ(ran.threads.size(), 3u);
    EXPECT_TRUE(ran.threads.contains(std::this_thread::get_id()));
    EXPECT_TRUE(ran.together);
  }
}

// The build's OpenMP team is the one llama.cpp computes on: the same
// threads from one call to the next, none started for the call.
TEST(SideBySideTest, TheComputeTeamIsOpenMpWhereGgmlIs) {
  EXPECT_EQ(ComputeTeamIsOpenMp(), DUET_GGML_OPENMP != 0);
  if (!ComputeTeamIsOpenMp()) {
    GTEST_SKIP() << "ggml is built without OpenMP: the team is new threads";
  }
  int returned = 0;
  const Ran first = RunAndRecord(2, Helpers::kComputeTeam, &returned);
  const Ran second = RunAndRecord(2, Helpers::kComputeTeam, &returned);
  EXPECT_EQ(first.threads.size(), 2u);
  EXPECT_EQ(first.threads, second.threads);
}

}  // namespace
}  // namespace duet::llama
