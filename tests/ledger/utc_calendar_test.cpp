#include "ledger/utc_calendar.h"

#include <gtest/gtest.h>

namespace duet {
namespace {

// Unix milliseconds of 00:00 UTC on these days (from Python's
// calendar.timegm).
constexpr int64_t kMarch1st2026 = 1'772'323'200'000;
constexpr int64_t kMarch16th2026 = 1'773'619'200'000;
constexpr int64_t kApril1st2026 = 1'775'001'600'000;
constexpr int64_t kLeapDay2024 = 1'709'164'800'000;
constexpr int64_t kDecember1st2025 = 1'764'547'200'000;
constexpr int64_t kJanuary1st2026 = 1'767'225'600'000;
constexpr int64_t kHourMs = 3'600'000;

TEST(UtcCalendarTest, DayAndMonthStarts) {
  const int64_t march_16th_at_14_05 = kMarch16th2026 + 14 * kHourMs + 300'000;
  EXPECT_EQ(UtcDayStartMs(march_16th_at_14_05), kMarch16th2026);
  EXPECT_EQ(UtcMonthStartMs(march_16th_at_14_05), kMarch1st2026);
  EXPECT_EQ(NextUtcMonthStartMs(march_16th_at_14_05), kApril1st2026);
  // The last millisecond of a month is still in it.
  EXPECT_EQ(UtcMonthStartMs(kApril1st2026 - 1), kMarch1st2026);
  // December rolls over into the next year.
  EXPECT_EQ(NextUtcMonthStartMs(kDecember1st2025), kJanuary1st2026);
  // Before 1970, days still start at midnight (floor, not truncation).
  EXPECT_EQ(UtcDayStartMs(-1), -kMillisPerDay);
}

TEST(UtcCalendarTest, ParsesDatesAndMonths) {
  EXPECT_EQ(ParseUtcDate("2026-03-16").value(), kMarch16th2026);
  EXPECT_EQ(ParseUtcDate("2024-02-29").value(), kLeapDay2024);
  EXPECT_EQ(ParseUtcMonth("2026-03").value(), kMarch1st2026);
  EXPECT_EQ(ParseUtcMonth("2025-12").value(), kDecember1st2025);
}

TEST(UtcCalendarTest, RefusesAnythingButARealDateInThatShape) {
  for (const char* bad :
       {"", "2026-3-16", "2026-03-16T00:00", "2025-02-29", "2026-13-01",
        "2026-00-10", "2026-03-32", "1969-12-31", "26-03-16", "2026/03/16",
        "+026-03-16", "2026-03-1x"}) {
    const Result<int64_t> parsed = ParseUtcDate(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message().find("YYYY-MM-DD"), std::string::npos);
  }
  for (const char* bad :
       {"", "2026-3", "2026-13", "2026-00", "2026-03-01", "202603"}) {
    EXPECT_FALSE(ParseUtcMonth(bad).has_value()) << bad;
  }
}

TEST(UtcCalendarTest, FormatsForPeople) {
  const int64_t at = kMarch16th2026 + 14 * kHourMs + 5 * 60'000 + 9'000;
  EXPECT_EQ(FormatUtcDate(at), "2026-03-16");
  EXPECT_EQ(FormatUtcMonth(at), "2026-03");
  EXPECT_EQ(FormatUtcMinute(at), "2026-03-16 14:05");
  EXPECT_EQ(FormatUtcIso(at), "2026-03-16T14:05:09Z");
  EXPECT_EQ(FormatUtcIso(kLeapDay2024), "2024-02-29T00:00:00Z");
}

}  // namespace
}  // namespace duet
