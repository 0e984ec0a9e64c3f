#include "cost/money.h"

#include <cmath>
#include <cstdint>

namespace duet {

std::string FormatUsd(double usd) {
  if (!std::isfinite(usd)) {
    return "n/a";
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
