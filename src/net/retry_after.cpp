#include "net/retry_after.h"

#include <charconv>
#include <cmath>

namespace duet::net {

std::optional<std::chrono::milliseconds> RetryAfter(
    const HttpResponseHead& head) {
  if (const std::string_view ms = head.Header(kRetryAfterMsHeader); !ms.empty()) {
    double value = 0;
    auto [end, error] = std::from_chars(ms.data(), ms.data() + ms.size(), value);
    if (error == std::errc() && end == ms.data() + ms.size() && value >= 0 &&
        std::isfinite(value)) {
      return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(value)));
    }
  }
  if (const std::string_view s = head.Header(kRetryAfterHeader); !s.empty()) {
    double value = 0;
    auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (error == std::errc() && end == s.data() + s.size() && value >= 0 &&
        std::isfinite(value) && value < 86'400) {
      return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(value * 1000)));
    }
  }
  return std::nullopt;
}

}  // namespace duet::net
