#include "sim/rate_limits.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

namespace duet::sim {
namespace {

std::string Rfc3339(int64_t unix_seconds) {
  const std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                     utc.tm_sec);
}

}  // namespace

RateLimits::RateLimits(Options options, const Clock* clock)
    : options_(options), clock_(clock) {}

void RateLimits::RollWindow() const {
  const int64_t now = clock_->NowUnixSeconds();
  if (window_end_ == 0 || now >= window_end_) {
    window_end_ = now + 60;
    requests_ = 0;
    input_tokens_ = 0;
    output_tokens_ = 0;
  }
}

RateLimits::Admission RateLimits::Admit(int64_t input_tokens) {
  std::lock_guard lock(mutex_);
  RollWindow();
  if (requests_ + 1 > options_.requests_per_minute ||
      input_tokens_ + input_tokens > options_.input_tokens_per_minute ||
      output_tokens_ >= options_.output_tokens_per_minute) {
    return {false, std::max<int64_t>(1, window_end_ - clock_->NowUnixSeconds())};
  }
  ++requests_;
  input_tokens_ += input_tokens;
  return {};
}

void RateLimits::AddOutput(int64_t output_tokens) {
  std::lock_guard lock(mutex_);
  RollWindow();
  output_tokens_ += output_tokens;
}

HeaderList RateLimits::Headers() const {
  std::lock_guard lock(mutex_);
  RollWindow();
  const std::string reset = Rfc3339(window_end_);
  auto remaining = [](int64_t limit, int64_t used) {
    return std::to_string(std::max<int64_t>(0, limit - used));
  };
  const std::string prefix = "anthropic-ratelimit-";
  HeaderList headers;
  auto add = [&](const std::string& name, int64_t limit, int64_t used) {
    headers.emplace_back(prefix + name + "-limit", std::to_string(limit));
    headers.emplace_back(prefix + name + "-remaining", remaining(limit, used));
    headers.emplace_back(prefix + name + "-reset", reset);
  };
  add("requests", options_.requests_per_minute, requests_);
  add("tokens",
      options_.input_tokens_per_minute + options_.output_tokens_per_minute,
      input_tokens_ + output_tokens_);
  add("input-tokens", options_.input_tokens_per_minute, input_tokens_);
  add("output-tokens", options_.output_tokens_per_minute, output_tokens_);
  return headers;
}

void RateLimits::Reset() {
  std::lock_guard lock(mutex_);
  window_end_ = 0;
}

}  // namespace duet::sim
