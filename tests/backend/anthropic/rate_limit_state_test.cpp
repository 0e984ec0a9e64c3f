// RateLimitState and RetryAfter: the headers of real answers become numbers
// the router can read.
#include "backend/anthropic/rate_limit_state.h"

#include "net/retry_after.h"

#include <gtest/gtest.h>

namespace duet::anthropic {
namespace {

using std::chrono::milliseconds;

net::HttpResponseHead Head(int status, net::HeaderList headers) {
  return {.status = status, .headers = std::move(headers)};
}

TEST(RetryAfterTest, MillisecondsWinThenSecondsWithFractions) {
  EXPECT_EQ(net::RetryAfter(Head(429, {{"retry-after-ms", "250"}, {"retry-after", "9"}})),
            milliseconds(250));
  EXPECT_EQ(net::RetryAfter(Head(429, {{"retry-after", "1.5"}})), milliseconds(1500));
  EXPECT_EQ(net::RetryAfter(Head(429, {{"retry-after", "0"}})), milliseconds(0));
}

TEST(RetryAfterTest, UnusableValuesCountAsAbsent) {
  EXPECT_FALSE(net::RetryAfter(Head(429, {})));
  EXPECT_FALSE(net::RetryAfter(Head(429, {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}})));
  EXPECT_FALSE(net::RetryAfter(Head(429, {{"retry-after", "-3"}})));
  EXPECT_FALSE(net::RetryAfter(Head(429, {{"retry-after", "nan"}})));
  EXPECT_FALSE(net::RetryAfter(Head(429, {{"retry-after", "99999999"}})));
  // A bad retry-after-ms falls through to retry-after.
  EXPECT_EQ(net::RetryAfter(Head(429, {{"retry-after-ms", "soon"}, {"retry-after", "2"}})),
            milliseconds(2000));
}

TEST(RateLimitStateTest, RemembersTheLatestValuesAndKeepsUnsentOnes) {
  RateLimitState state;
  const auto now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
  state.Update(Head(200, {{"anthropic-ratelimit-requests-limit", "50"},
                          {"anthropic-ratelimit-requests-remaining", "49"},
                          {"anthropic-ratelimit-requests-reset", "2026-11-25T19:00:00Z"},
                          {"anthropic-ratelimit-tokens-remaining", "90000"},
                          {"anthropic-ratelimit-input-tokens-remaining", "70000"},
                          {"anthropic-ratelimit-output-tokens-remaining", "20000"}}),
               now);
  state.Update(Head(200, {{"anthropic-ratelimit-requests-remaining", "48"},
                          {"anthropic-ratelimit-tokens-remaining", "garbage"}}),
               now);
  const RateLimitSnapshot snapshot = state.Snapshot();
  EXPECT_EQ(snapshot.requests_limit, 50);
  EXPECT_EQ(snapshot.requests_remaining, 48);
  EXPECT_EQ(snapshot.tokens_remaining, 90000);
  EXPECT_EQ(snapshot.input_tokens_remaining, 70000);
  EXPECT_EQ(snapshot.output_tokens_remaining, 20000);
  EXPECT_EQ(snapshot.requests_reset, "2026-11-25T19:00:00Z");
  EXPECT_EQ(snapshot.tokens_limit, -1);
  EXPECT_FALSE(snapshot.retry_not_before);
}

TEST(RateLimitStateTest, ReadsEveryHeaderAmongOthersAndTheFirstOfARepeatedOne) {
  RateLimitState state;
  const auto now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
  state.Update(Head(200, {{"content-type", "text/event-stream"},
                          {"anthropic-ratelimit-tokens-limit", "100000"},
                          {"request-id", "req_1"},
                          {"anthropic-ratelimit-tokens-reset", "2026-11-25T19:01:00Z"},
                          {"anthropic-ratelimit-requests-limit", "50"},
                          {"anthropic-ratelimit-requests-limit", "60"},
                          {"anthropic-ratelimit-requests", "7"},
                          {"x-anthropic-ratelimit-tokens-remaining", "1"}}),
               now);
  const RateLimitSnapshot snapshot = state.Snapshot();
  EXPECT_EQ(snapshot.tokens_limit, 100000);
  EXPECT_EQ(snapshot.tokens_reset, "2026-11-25T19:01:00Z");
  EXPECT_EQ(snapshot.requests_limit, 50);
  EXPECT_EQ(snapshot.requests_remaining, -1);
  EXPECT_EQ(snapshot.tokens_remaining, -1);
  EXPECT_EQ(snapshot.updated_at, now);
}

TEST(RateLimitStateTest, A429WithRetryAfterBlocksUntilThenAndSuccessClears) {
  RateLimitState state;
  const auto now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
  state.Update(Head(429, {{"retry-after", "30"}}), now);
  ASSERT_TRUE(state.Snapshot().retry_not_before);
  EXPECT_EQ(*state.Snapshot().retry_not_before, now + std::chrono::seconds(30));
  state.Update(Head(200, {}), now + std::chrono::seconds(31));
  EXPECT_FALSE(state.Snapshot().retry_not_before);
}

}  // namespace
}  // namespace duet::anthropic
