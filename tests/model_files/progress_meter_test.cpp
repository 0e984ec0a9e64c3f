// ProgressMeter: the line's contents (bytes, percent, rate, ETA), the
// redraw limit on a terminal, plain periodic lines elsewhere, and that a
// resumed prefix does not count towards the rate. Time is a FakeClock.
#include "model_files/progress_meter.h"

#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace duet::model_files {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;

constexpr uint64_t kMiB = 1024 * 1024;

size_t Count(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++count;
  }
  return count;
}

TEST(ProgressFormatTest, BytesAndDurations) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(5 * kMiB), "5.0 MiB");
  EXPECT_EQ(FormatBytes(3ull * 1024 * kMiB), "3.0 GiB");
  EXPECT_EQ(FormatDuration(41), "0:41");
  EXPECT_EQ(FormatDuration(725), "12:05");
  EXPECT_EQ(FormatDuration(3723), "1:02:03");
  EXPECT_EQ(FormatDuration(-1), "?");
}

TEST(ProgressFormatTest, TheBarLineShowsPercentBytesRateAndEta) {
  const DownloadProgress progress{25 * kMiB, static_cast<int64_t>(100 * kMiB), 0};
  EXPECT_EQ(ProgressLine(progress, 5.0 * kMiB, true),
            " 25% [=======>                      ] 25.0 MiB / 100.0 MiB  5.0 MiB/s  ETA 0:15");
  EXPECT_EQ(ProgressLine(progress, 5.0 * kMiB, false),
            "25.0 MiB of 100.0 MiB (25%), 5.0 MiB/s, about 0:15 left");
  // Unknown size and rate: bytes only.
  EXPECT_EQ(ProgressLine({3 * kMiB, -1, 0}, 0, true), "3.0 MiB");
  EXPECT_EQ(ProgressLine({3 * kMiB, -1, 0}, 0, false), "3.0 MiB");
}

TEST(ProgressMeterTest, ATerminalIsRedrawnAtMostTenTimesASecond) {
  testing::FakeClock clock;
  std::ostringstream out;
  ProgressMeter meter(out, clock, {.terminal = true});
  for (int i = 1; i <= 100; ++i) {  // 100 updates over one second
    clock.Advance(milliseconds(10));
    meter.Update({static_cast<uint64_t>(i) * kMiB, static_cast<int64_t>(100 * kMiB), 0});
  }
  meter.Finish();
  const std::string text = out.str();
  EXPECT_EQ(Count(text, "\r"), 11u);  // 10 redraws in the second, one at the end
  EXPECT_EQ(Count(text, "\n"), 1u);   // one line, ended once
  EXPECT_THAT(text, HasSubstr("100% [==============================] 100.0 MiB / 100.0 MiB"));
  EXPECT_THAT(text, HasSubstr("100.0 MiB/s"));
}

TEST(ProgressMeterTest, ElsewherePlainLinesComeEveryFewSeconds) {
  testing::FakeClock clock;
  std::ostringstream out;
  ProgressMeter meter(out, clock, {.terminal = false});
  for (int second = 1; second <= 12; ++second) {
    clock.Advance(milliseconds(1000));
    meter.Update({static_cast<uint64_t>(second) * kMiB, static_cast<int64_t>(12 * kMiB), 0});
  }
  meter.Finish();
  const std::string text = out.str();
  EXPECT_EQ(Count(text, "\r"), 0u);
  // At 1 s, 6 s, 11 s, and the final line.
  EXPECT_EQ(Count(text, "\n"), 4u) << text;
  EXPECT_THAT(text, HasSubstr("1.0 MiB of 12.0 MiB (8%), 1.0 MiB/s, about 0:11 left\n"));
  EXPECT_THAT(text, HasSubstr("12.0 MiB of 12.0 MiB (100%), 1.0 MiB/s, about 0:00 left\n"));
}

TEST(ProgressMeterTest, AResumedPrefixDoesNotCountTowardsTheRate) {
  testing::FakeClock clock;
  std::ostringstream out;
  ProgressMeter meter(out, clock, {.terminal = false});
  clock.Advance(milliseconds(2000));
  // 90 MiB were there before; 2 MiB arrived in 2 s.
  meter.Update({92 * kMiB, static_cast<int64_t>(100 * kMiB), 90 * kMiB});
  EXPECT_THAT(out.str(), HasSubstr("(92%), 1.0 MiB/s, about 0:08 left"));
}

}  // namespace
}  // namespace duet::model_files
