// Money for people: how duet prints US dollars in tables and reports.
//
// Amounts are kept as unrounded doubles everywhere (prices.h); they are
// rounded to the cent only here, when printed.
//
// Thread safety: pure functions.
#pragma once

#include <string>

namespace duet {

// `usd` rounded to the cent, with thousands separators; whole dollars drop
// the cents: "$27", "$7.20", "$9,000", "$2,400", "$1,234.50", "$0.45",
// "-$3.10", "$0". Amounts under half a cent keep two significant digits
// ("$0.004", "$0.00042": a local answer's electricity is not $0) down to a
// millionth of a dollar; below that, "$0". NaN or infinity: "n/a".
std::string FormatUsd(double usd);

// A low-high range of amounts: "$0.96–$14.40" (an en dash), or one
// amount when both ends print the same.
std::string FormatUsdRange(double low_usd, double high_usd);

}  // namespace duet
