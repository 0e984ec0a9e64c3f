// FormatUsd: how every dollar figure reaches a person (duet plan, and the
// usage report).
#include "cost/money.h"

#include <limits>

#include <gtest/gtest.h>

namespace duet {
namespace {

TEST(MoneyTest, WholeDollarsWithoutCentsOtherwiseTwoDecimals) {
  // The guide's own figures (policy.md §4), as it writes them.
  EXPECT_EQ(FormatUsd(27), "$27");
  EXPECT_EQ(FormatUsd(7.2), "$7.20");
  EXPECT_EQ(FormatUsd(9000), "$9,000");
  EXPECT_EQ(FormatUsd(2400), "$2,400");
  EXPECT_EQ(FormatUsd(60), "$60");
  EXPECT_EQ(FormatUsd(0.45), "$0.45");
  EXPECT_EQ(FormatUsd(4.5), "$4.50");
  EXPECT_EQ(FormatUsd(22.5), "$22.50");
  EXPECT_EQ(FormatUsd(0.05), "$0.05");
}

TEST(MoneyTest, ThousandsSeparatorsAndRoundingToTheCent) {
  EXPECT_EQ(FormatUsd(1'234'567.891), "$1,234,567.89");
  EXPECT_EQ(FormatUsd(100'000), "$100,000");
  EXPECT_EQ(FormatUsd(999.999), "$1,000");
  EXPECT_EQ(FormatUsd(26.999), "$27");
  EXPECT_EQ(FormatUsd(7.199), "$7.20");
  // 1.2 + 6 in floating point is not exactly 7.2; it still prints $7.20.
  EXPECT_EQ(FormatUsd(1.5e6 * 0.8 / 1e6 + 1.5e6 * 4 / 1e6), "$7.20");
  EXPECT_EQ(FormatUsd(0), "$0");
  EXPECT_EQ(FormatUsd(-3.1), "-$3.10");
  EXPECT_EQ(FormatUsd(0.005), "$0.01");
  // Under half a cent: two significant digits, so small costs stay visible.
  EXPECT_EQ(FormatUsd(0.004), "$0.004");
  EXPECT_EQ(FormatUsd(0.00042), "$0.00042");
  EXPECT_EQ(FormatUsd(0.0004249), "$0.00042");
  EXPECT_EQ(FormatUsd(-0.001), "-$0.001");
  EXPECT_EQ(FormatUsd(0.0000004), "$0");
  EXPECT_EQ(FormatUsd(std::numeric_limits<double>::quiet_NaN()), "n/a");
  EXPECT_EQ(FormatUsd(std::numeric_limits<double>::infinity()), "n/a");
}

TEST(MoneyTest, Ranges) {
  EXPECT_EQ(FormatUsdRange(0.24, 3.6), "$0.24–$3.60");
  EXPECT_EQ(FormatUsdRange(50, 100), "$50–$100");
  EXPECT_EQ(FormatUsdRange(5, 5.001), "$5");
}

}  // namespace
}  // namespace duet
