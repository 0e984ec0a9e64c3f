// RateLimits: the Claude simulator's per-minute limits and the
// anthropic-ratelimit-* headers that describe them (protocols.md §1.11).
//
// Fixed one-minute windows: the first request opens a window; requests and
// tokens count against it until it ends, then a new one opens. A request
// that would exceed the request or input-token limit is refused with a
// retry-after of the seconds left in the window.
//
// Thread safety: all methods are thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace duet::sim {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class RateLimits {
 public:
  struct Options {
    int64_t requests_per_minute = 1000;
    int64_t input_tokens_per_minute = 400'000;
    int64_t output_tokens_per_minute = 80'000;
  };

  struct Admission {
    bool allowed = true;
    int64_t retry_after_seconds = 0;  // when refused
  };

  // `clock` must outlive this object.
  RateLimits(Options options, const Clock* clock);

  // Counts one request with `input_tokens`, unless that would exceed a
  // limit, in which case nothing is counted and allowed is false.
  Admission Admit(int64_t input_tokens);
  // Counts output tokens once an answer is known.
  void AddOutput(int64_t output_tokens);
  // The anthropic-ratelimit-* headers for the current window: limits,
  // remaining and RFC 3339 reset times for requests, tokens (input +
  // output), input-tokens and output-tokens.
  HeaderList Headers() const;
  // Forgets all counts.
  void Reset();

 private:
  void RollWindow() const;  // REQUIRES: mutex_ held

  const Options options_;
  const Clock* clock_;
  mutable std::mutex mutex_;
  mutable int64_t window_end_ = 0;  // unix seconds; 0: no window open
  mutable int64_t requests_ = 0;
  mutable int64_t input_tokens_ = 0;
  mutable int64_t output_tokens_ = 0;
};

}  // namespace duet::sim
