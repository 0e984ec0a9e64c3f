#include "ledger/utc_calendar.h"

#include <charconv>
#include <chrono>
#include <optional>

#include <fmt/format.h>

namespace duet {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::milliseconds;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr int kFirstYear = 1970;
constexpr int kLastYear = 9999;

// floor, so instants before 1970 fall on the right day too.
year_month_day DateOf(int64_t unix_ms) {
  return year_month_day{floor<days>(sys_days{} + milliseconds{unix_ms})};
}

int64_t StartMs(year_month_day date) {
  return std::chrono::duration_cast<milliseconds>(
             sys_days{date}.time_since_epoch())
      .count();
}

// The number in `text` when it is exactly `digits` decimal digits.
std::optional<int> ParseDigits(std::string_view text, size_t digits) {
  if (text.size() != digits) {
    return std::nullopt;
  }
  int value = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() ||
      text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return value;
}

// "YYYY-MM" or "YYYY-MM-DD" (`with_day`) as a date; nullopt otherwise.
std::optional<year_month_day> ParseDate(std::string_view text, bool with_day) {
  const size_t expected_size = with_day ? 10 : 7;
  if (text.size() != expected_size || text[4] != '-' ||
      (with_day && text[7] != '-')) {
    return std::nullopt;
  }
  const std::optional<int> year = ParseDigits(text.substr(0, 4), 4);
  const std::optional<int> month = ParseDigits(text.substr(5, 2), 2);
  const std::optional<int> day =
      with_day ? ParseDigits(text.substr(8, 2), 2) : std::optional<int>(1);
  if (!year || !month || !day || *year < kFirstYear || *year > kLastYear) {
    return std::nullopt;
  }
  const year_month_day date{std::chrono::year{*year},
                            std::chrono::month{static_cast<unsigned>(*month)},
                            std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) {
    return std::nullopt;
  }
  return date;
}

}  // namespace

int64_t UtcDayStartMs(int64_t unix_ms) { return StartMs(DateOf(unix_ms)); }

int64_t UtcMonthStartMs(int64_t unix_ms) {
  const year_month_day date = DateOf(unix_ms);
  return StartMs(date.year() / date.month() / 1);
}

int64_t NextUtcMonthStartMs(int64_t unix_ms) {
  const year_month_day date = DateOf(unix_ms);
  return StartMs(date.year() / date.month() / 1 + std::chrono::months{1});
}

Result<int64_t> ParseUtcDate(std::string_view text) {
  const std::optional<year_month_day> date = ParseDate(text, /*with_day=*/true);
  if (!date) {
    return Error(InvalidArgument(
        fmt::format("expected a date YYYY-MM-DD, got '{}'", text)));
  }
  return StartMs(*date);
}

Result<int64_t> ParseUtcMonth(std::string_view text) {
  const std::optional<year_month_day> date =
      ParseDate(text, /*with_day=*/false);
  if (!date) {
    return Error(InvalidArgument(
        fmt::format("expected a month YYYY-MM, got '{}'", text)));
  }
  return StartMs(*date);
}

std::string FormatUtcDate(int64_t unix_ms) {
  const year_month_day date = DateOf(unix_ms);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()),
                     static_cast<unsigned>(date.day()));
}

std::string FormatUtcMonth(int64_t unix_ms) {
  return FormatUtcDate(unix_ms).substr(0, 7);
}

std::string FormatUtcIso(int64_t unix_ms) {
  const int64_t into_day_ms = unix_ms - UtcDayStartMs(unix_ms);
  return fmt::format("{}T{:02}:{:02}:{:02}Z", FormatUtcDate(unix_ms),
                     into_day_ms / 3'600'000, into_day_ms / 60'000 % 60,
                     into_day_ms / 1000 % 60);
}

std::string FormatUtcMinute(int64_t unix_ms) {
  std::string text = FormatUtcIso(unix_ms).substr(0, 16);  // to the minute
  text[10] = ' ';
  return text;
}

}  // namespace duet
