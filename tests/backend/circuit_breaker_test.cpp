// CircuitBreaker: opens after a run of failures, lets one probe through
// after the cooldown, and closes on the probe's success.
#include "backend/circuit_breaker.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace duet {
namespace {

using std::chrono::milliseconds;
using testing::FakeClock;

CircuitBreaker::Options ThreeFailures() {
  return {.failure_threshold = 3, .cooldown = milliseconds(1000)};
}

TEST(CircuitBreakerTest, OpensAfterConsecutiveFailuresOnly) {
  FakeClock clock;
  CircuitBreaker breaker(ThreeFailures(), &clock);
  breaker.RecordFailure();
  breaker.RecordFailure();
  breaker.RecordSuccess();  // the run is broken
  breaker.RecordFailure();
  breaker.RecordFailure();
  EXPECT_TRUE(breaker.Allow());
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kClosed);
  breaker.RecordFailure();
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(breaker.Allow());
  EXPECT_EQ(breaker.RemainingCooldownMs(), 1000);
}

TEST(CircuitBreakerTest, OneProbeAfterTheCooldownAndItsSuccessCloses) {
  FakeClock clock;
  CircuitBreaker breaker(ThreeFailures(), &clock);
  for (int i = 0; i < 3; ++i) breaker.RecordFailure();
  clock.Advance(milliseconds(999));
  EXPECT_FALSE(breaker.Allow());
  EXPECT_EQ(breaker.RemainingCooldownMs(), 1);
  clock.Advance(milliseconds(1));
  EXPECT_TRUE(breaker.Allow());   // the probe
  EXPECT_FALSE(breaker.Allow());  // everyone else waits for it
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kHalfOpen);
  breaker.RecordSuccess();
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kClosed);
  EXPECT_TRUE(breaker.Allow());
  EXPECT_TRUE(breaker.Allow());
}

TEST(CircuitBreakerTest, AFailedProbeOpensAgainForAFullCooldown) {
  FakeClock clock;
  CircuitBreaker breaker(ThreeFailures(), &clock);
  for (int i = 0; i < 3; ++i) breaker.RecordFailure();
  clock.Advance(milliseconds(1000));
  ASSERT_TRUE(breaker.Allow());
  breaker.RecordFailure();  // one failure is enough in half-open state
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kOpen);
  clock.Advance(milliseconds(500));
  EXPECT_FALSE(breaker.Allow());
  clock.Advance(milliseconds(500));
  EXPECT_TRUE(breaker.Allow());
}

TEST(CircuitBreakerTest, ACancelledProbeFreesTheSlotForTheNextRequest) {
  FakeClock clock;
  CircuitBreaker breaker(ThreeFailures(), &clock);
  for (int i = 0; i < 3; ++i) breaker.RecordFailure();
  clock.Advance(milliseconds(1000));
  ASSERT_TRUE(breaker.Allow());
  ASSERT_FALSE(breaker.Allow());
  breaker.RecordCancelled();
  EXPECT_TRUE(breaker.Allow());
}

}  // namespace
}  // namespace duet
