#include "cost/local_busy_meter.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace duet {
namespace {

using std::chrono::milliseconds;

TEST(LocalBusyMeterTest, AnAnswerAloneIsChargedItsWallTime) {
  testing::FakeClock clock;
  LocalBusyMeter meter(&clock);
  const double mark = meter.Begin();
  clock.Advance(milliseconds(1'500));
  EXPECT_DOUBLE_EQ(meter.End(mark), 1.5);
}

TEST(LocalBusyMeterTest, OverlappingAnswersShareTheTimeTheyOverlap) {
  testing::FakeClock clock;
  LocalBusyMeter meter(&clock);
  // a runs 0-4 s, b runs 1-3 s: 1 s alone, 2 s shared, 1 s alone.
  const double a = meter.Begin();
  clock.Advance(milliseconds(1'000));
  const double b = meter.Begin();
  clock.Advance(milliseconds(2'000));
  const double b_share = meter.End(b);
  clock.Advance(milliseconds(1'000));
  const double a_share = meter.End(a);
  EXPECT_DOUBLE_EQ(b_share, 1.0);
  EXPECT_DOUBLE_EQ(a_share, 3.0);
  EXPECT_DOUBLE_EQ(a_share + b_share, 4.0);  // the machine was busy 4 s

  // Idle time is nobody's.
  clock.Advance(milliseconds(10'000));
  const double c = meter.Begin();
  clock.Advance(milliseconds(500));
  EXPECT_DOUBLE_EQ(meter.End(c), 0.5);
}

}  // namespace
}  // namespace duet
