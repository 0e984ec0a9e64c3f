// UTC calendar arithmetic for reports over the ledger: where a day and a
// month start, and dates parsed from and printed for people. Ledger times
// are Unix milliseconds; budgets and reports count UTC days and months.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace duet {

inline constexpr int64_t kMillisPerDay = 86'400'000;

// 00:00 UTC of the day holding `unix_ms` (instants before 1970 included).
int64_t UtcDayStartMs(int64_t unix_ms);
// 00:00 UTC on the first of the month holding `unix_ms`.
int64_t UtcMonthStartMs(int64_t unix_ms);
// 00:00 UTC on the first of the month after the one holding `unix_ms`.
int64_t NextUtcMonthStartMs(int64_t unix_ms);

// "2026-03-15" -> 00:00 UTC that day. kInvalidArgument for anything but
// a real date in that exact shape (years 1970 to 9999).
Result<int64_t> ParseUtcDate(std::string_view text);
// "2026-03" -> 00:00 UTC on the first of that month; kInvalidArgument as
// above.
Result<int64_t> ParseUtcMonth(std::string_view text);

std::string FormatUtcDate(int64_t unix_ms);    // "2026-03-15"
std::string FormatUtcMonth(int64_t unix_ms);   // "2026-03"
std::string FormatUtcMinute(int64_t unix_ms);  // "2026-03-15 14:02"
std::string FormatUtcIso(int64_t unix_ms);     // "2026-03-15T14:02:09Z"

}  // namespace duet
