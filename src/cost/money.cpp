#include "cost/money.h"

#include <cmath>
#include <cstdint>

#include <fmt/format.h>

namespace duet {

namespace {

// Below half a cent: two significant digits, so a local answer's $0.00042
// of electricity is not shown as $0. Under a millionth of a dollar: $0.
std::string FormatFraction(double usd) {
  const double magnitude = std::fabs(usd);
  if (magnitude < 1e-6) {
    return "$0";
  }
  const int decimals = static_cast<int>(std::ceil(-std::log10(magnitude))) + 1;
  std::string digits = fmt::format("{:.{}f}", magnitude, decimals);
  while (digits.back() == '0') {
    digits.pop_back();
  }
  return (usd < 0 ? "-$" : "$") + digits;
}

}  // namespace

std::string FormatUsd(double usd) {
  if (!std::isfinite(usd)) {
    return "n/a";
  }
  if (std::fabs(usd) < 0.005) {
    return FormatFraction(usd);
  }
  // Whole cents first, so $7.199 prints $7.20 and $26.999 prints $27.
  const int64_t cents = std::llround(std::fabs(usd) * 100);
  const int64_t dollars = cents / 100;
  std::string digits = std::to_string(dollars);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      grouped.push_back(',');
    }
    grouped.push_back(digits[i]);
  }
  std::string text = (usd < 0 && cents > 0 ? "-$" : "$") + grouped;
  if (const int64_t rest = cents % 100; rest != 0) {
    text += (rest < 10 ? ".0" : ".") + std::to_string(rest);
  }
  return text;
}

std::string FormatUsdRange(double low_usd, double high_usd) {
  const std::string low = FormatUsd(low_usd);
  const std::string high = FormatUsd(high_usd);
  return low == high ? low : low + "–" + high;
}

}  // namespace duet
