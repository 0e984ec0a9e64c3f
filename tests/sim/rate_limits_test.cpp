// RateLimits against a fake clock: what each request uses up, when a request
// is refused and for how long, the one-minute window rolling over, and the
// anthropic-ratelimit-* headers (protocols.md §1.11).
#include "sim/rate_limits.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "support/fake_clock.h"

namespace duet::sim {
namespace {

// A clock that moves only when the test says so.
using duet::testing::FakeClock;

// 2023-11-14T22:13:20Z.
constexpr int64_t kStart = 1'700'000'000;

RateLimits::Options SmallLimits() {
  RateLimits::Options options;
  options.requests_per_minute = 3;
  options.input_tokens_per_minute = 100;
  options.output_tokens_per_minute = 50;
  return options;
}

// The value of header `name`; fails the test when it is missing or repeated.
std::string HeaderValue(const HeaderList& headers, std::string_view name) {
  std::string value;
  int found = 0;
  for (const auto& [key, header_value] : headers) {
    if (key == name) {
      value = header_value;
      ++found;
    }
  }
  EXPECT_EQ(found, 1) << name;
  return value;
}

std::string Remaining(const RateLimits& limits, std::string_view what) {
  return HeaderValue(limits.Headers(),
                     "anthropic-ratelimit-" + std::string(what) + "-remaining");
}

TEST(RateLimitsTest, HeadersNameEveryLimit) {
  FakeClock clock(kStart);
  RateLimits limits(SmallLimits(), &clock);
  ASSERT_TRUE(limits.Admit(1).allowed);
  const HeaderList headers = limits.Headers();
  EXPECT_EQ(headers.size(), 12u);
  EXPECT_EQ(HeaderValue(headers, "anthropic-ratelimit-requests-limit"), "3");
  EXPECT_EQ(HeaderValue(headers, "anthropic-ratelimit-input-tokens-limit"),
            "100");
  EXPECT_EQ(HeaderValue(headers, "anthropic-ratelimit-output-tokens-limit"),
            "50");
  // tokens: input and output together.
  EXPECT_EQ(HeaderValue(headers, "anthropic-ratelimit-tokens-limit"), "150");
}

TEST(RateLimitsTest, RemainingCountsDownWithRequestsAndTokens) {
  FakeClock clock(kStart);
  RateLimits limits(SmallLimits(), &clock);

  ASSERT_TRUE(limits.Admit(10).allowed);
  EXPECT_EQ(Remaining(limits, "requests"), "2");
  EXPECT_EQ(Remaining(limits, "input-tokens"), "90");
  EXPECT_EQ(Remaining(limits, "output-tokens"), "50");
  EXPECT_EQ(Remaining(limits, "tokens"), "140");

  limits.AddOutput(20);
  EXPECT_EQ(Remaining(limits, "requests"), "2");
  EXPECT_EQ(Remaining(limits, "input-tokens"), "90");
  EXPECT_EQ(Remaining(limits, "output-tokens"), "30");
  EXPECT_EQ(Remaining(limits, "tokens"), "120");

  clock.Advance(std::chrono::seconds(5));
  ASSERT_TRUE(limits.Admit(25).allowed);
  EXPECT_EQ(Remaining(limits, "requests"), "1");
  EXPECT_EQ(Remaining(limits, "input-tokens"), "65");
  EXPECT_EQ(Remaining(limits, "tokens"), "95");
}

TEST(RateLimitsTest, RefusesTheRequestOverTheRequestLimit) {
  FakeClock clock(kStart);
  RateLimits limits(SmallLimits(), &clock);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(limits.Admit(1).allowed) << "request " << i;
  }
  clock.Advance(std::chrono::seconds(15));
  const RateLimits::Admission refused = limits.Admit(1);
  EXPECT_FALSE(refused.allowed);
  // The window opened at kStart ends at kStart + 60: 45 s left.
  EXPECT_EQ(refused.retry_after_seconds, 45);
  // A refusal counts nothing.
  EXPECT_EQ(Remaining(limits, "requests"), "0");
  EXPECT_EQ(Remaining(limits, "input-tokens"), "97");
}

TEST(RateLimitsTest, RefusesTheRequestOverTheInputTokenLimit) {
  FakeClock clock(kStart);
  RateLimits limits(SmallLimits(), &clock);
  ASSERT_TRUE(limits.Admit(60).allowed);
  clock.Advance(std::chrono::seconds(20));
  const RateLimits::Admission refused = limits.Admit(41);  // 101 > 100
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 40);
  EXPECT_EQ(Remaining(limits, "input-tokens"), "40");
  EXPECT_EQ(Remaining(limits, "requests"), "2");
  // Exactly up to the limit is fine.
  EXPECT_TRUE(limits.Admit(40).allowed);
  EXPECT_EQ(Remaining(limits, "input-tokens"), "0");
}

TEST(RateLimitsTest, ARequestLargerThanTheLimitIsRefusedInAFreshWindow) {
  FakeClock clock(kStart);
  RateLimits limits(SmallLimits(), &clock);
  const RateLimits::Admission refused = limits.Admit(101);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 60);
  EXPECT_EQ(Remaining(limits, "requests"), "3");
}

TEST(RateLimitsTest, SpentOutputTokensRefuseNewRequests) {
  FakeClock clock(kStart);
  RateLimits limits(SmallLimits(), &clock);
  ASSERT_TRUE(limits.Admit(1).allowed);
  limits.AddOutput(50);
  EXPECT_EQ(Remaining(limits, "output-tokens"), "0");
  clock.Advance(std::chrono::seconds(30));
  const RateLimits::Admission refused = limits.Admit(1);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 30);
}

TEST(RateLimitsTest, RemainingNeverGoesNegative) {
  FakeClock clock(kStart);
  RateLimits limits(SmallLimits(), &clock);
  ASSERT_TRUE(limits.Admit(1).allowed);
  limits.AddOutput(80);  // an answer may overshoot what is left
  EXPECT_EQ(Remaining(limits, "output-tokens"), "0");
  EXPECT_EQ(Remaining(limits, "tokens"), "69");  // 150 - 81
}

TEST(RateLimitsTest, RetryAfterIsAtLeastOneSecond) {
  FakeClock clock(kStart);
  RateLimits limits(SmallLimits(), &clock);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(limits.Admit(1).allowed);
  }
  clock.Advance(std::chrono::seconds(59));
  const RateLimits::Admission refused = limits.Admit(1);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 1);
}

TEST(RateLimitsTest, ANewWindowOpensAfterSixtySeconds) {
  FakeClock clock(kStart);
  RateLimits limits(SmallLimits(), &clock);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(limits.Admit(30).allowed);
  }
  limits.AddOutput(45);
  clock.Advance(std::chrono::seconds(59));
  EXPECT_FALSE(limits.Admit(1).allowed);

  clock.Advance(std::chrono::seconds(1));  // kStart + 60: the first window is over
  EXPECT_EQ(Remaining(limits, "requests"), "3");
  EXPECT_EQ(Remaining(limits, "input-tokens"), "100");
  EXPECT_EQ(Remaining(limits, "output-tokens"), "50");
  ASSERT_TRUE(limits.Admit(5).allowed);
  EXPECT_EQ(Remaining(limits, "requests"), "2");
  EXPECT_EQ(Remaining(limits, "input-tokens"), "95");

  // The new window runs from kStart + 60 to kStart + 120.
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(limits.Admit(1).allowed);
  }
  clock.Advance(std::chrono::seconds(50));
  const RateLimits::Admission refused = limits.Admit(1);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 10);
}

TEST(RateLimitsTest, ALongPauseOpensAWindowAtTheNextRequest) {
  FakeClock clock(kStart);
  RateLimits limits(SmallLimits(), &clock);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(limits.Admit(1).allowed);
  }
  clock.Advance(std::chrono::seconds(3600));
  ASSERT_TRUE(limits.Admit(1).allowed);
  const HeaderList headers = limits.Headers();
  // kStart + 3600 + 60 = 2023-11-14T23:14:20Z.
  EXPECT_EQ(HeaderValue(headers, "anthropic-ratelimit-requests-reset"),
            "2023-11-14T23:14:20Z");
  EXPECT_EQ(HeaderValue(headers, "anthropic-ratelimit-requests-remaining"),
            "2");
}

TEST(RateLimitsTest, ResetHeadersAreTheWindowEndInRfc3339) {
  FakeClock clock(kStart);
  RateLimits limits(SmallLimits(), &clock);
  ASSERT_TRUE(limits.Admit(1).allowed);
  clock.Advance(std::chrono::seconds(10));  // the reset is the window's end, not now + 60
  const HeaderList headers = limits.Headers();
  for (const char* what :
       {"requests", "tokens", "input-tokens", "output-tokens"}) {
    EXPECT_EQ(HeaderValue(headers, std::string("anthropic-ratelimit-") + what +
                                       "-reset"),
              "2023-11-14T22:14:20Z")
        << what;
  }
}

TEST(RateLimitsTest, ResetHeaderPadsAndHandlesLeapDays) {
  // The window ends at 1709164800 = 2024-02-29T00:00:00Z.
  FakeClock clock(1'709'164'740);
  RateLimits limits(SmallLimits(), &clock);
  ASSERT_TRUE(limits.Admit(1).allowed);
  EXPECT_EQ(HeaderValue(limits.Headers(), "anthropic-ratelimit-requests-reset"),
            "2024-02-29T00:00:00Z");
}

TEST(RateLimitsTest, ResetForgetsEverything) {
  FakeClock clock(kStart);
  RateLimits limits(SmallLimits(), &clock);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(limits.Admit(30).allowed);
  }
  limits.AddOutput(50);
  ASSERT_FALSE(limits.Admit(1).allowed);
  clock.Advance(std::chrono::seconds(20));
  limits.Reset();
  EXPECT_TRUE(limits.Admit(1).allowed);
  EXPECT_EQ(Remaining(limits, "requests"), "2");
  EXPECT_EQ(Remaining(limits, "input-tokens"), "99");
  EXPECT_EQ(Remaining(limits, "output-tokens"), "50");
  // The new window opened at the reset: kStart + 20 + 60.
  EXPECT_EQ(HeaderValue(limits.Headers(), "anthropic-ratelimit-requests-reset"),
            "2023-11-14T22:14:40Z");
}

}  // namespace
}  // namespace duet::sim
