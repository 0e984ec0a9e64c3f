// CleanTextMemo: what it remembers, what it forgets first, its bound, and
// concurrent use.
#include "route/sensitive/clean_text_memo.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace duet::sensitive {
namespace {

Sha256Digest DigestOf(const std::string& text) {
  std::optional<Sha256Digest> digest = Sha256Of(text);
  EXPECT_TRUE(digest.has_value());
  return digest.value_or(Sha256Digest{});
}

TEST(CleanTextMemoTest, RemembersWhatItWasGiven) {
  CleanTextMemo memo({});
  EXPECT_FALSE(memo.Contains(DigestOf("a")));
  memo.Remember(DigestOf("a"));
  EXPECT_TRUE(memo.Contains(DigestOf("a")));
  EXPECT_FALSE(memo.Contains(DigestOf("b")));
  memo.Remember(DigestOf("a"));
  EXPECT_EQ(memo.size(), 1u);
}

// Generations of two: the least recently seen digests go first, and a
// digest seen again is kept.
TEST(CleanTextMemoTest, ForgetsTheLeastRecentlySeenFirst) {
  CleanTextMemo memo({.capacity = 4});
  memo.Remember(DigestOf("a"));
  memo.Remember(DigestOf("b"));
  memo.Remember(DigestOf("c"));  // a and b become the older generation
  EXPECT_TRUE(memo.Contains(DigestOf("a")));  // seen again: kept
  memo.Remember(DigestOf("d"));  // c and a become older; b is forgotten
  EXPECT_FALSE(memo.Contains(DigestOf("b")));
  EXPECT_TRUE(memo.Contains(DigestOf("a")));
  EXPECT_TRUE(memo.Contains(DigestOf("c")));
  EXPECT_TRUE(memo.Contains(DigestOf("d")));
  EXPECT_LE(memo.size(), 4u);
}

TEST(CleanTextMemoTest, NeverHoldsMoreThanItsCapacity) {
  CleanTextMemo memo({.capacity = 100});
  for (int i = 0; i < 1000; ++i) {
    memo.Remember(DigestOf(std::to_string(i)));
    ASSERT_LE(memo.size(), 100u);
  }
  EXPECT_TRUE(memo.Contains(DigestOf("999")));
  EXPECT_FALSE(memo.Contains(DigestOf("0")));
}

TEST(CleanTextMemoTest, ManyThreadsRememberAndLookUp) {
  CleanTextMemo memo({.capacity = 64});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&memo, t] {
      for (int i = 0; i < 500; ++i) {
        const Sha256Digest digest = DigestOf(std::to_string(t * 1000 + i));
        memo.Remember(digest);
        memo.Contains(digest);
        memo.Contains(DigestOf(std::to_string(i)));
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_LE(memo.size(), 64u);
  EXPECT_GT(memo.size(), 0u);
}

}  // namespace
}  // namespace duet::sensitive
