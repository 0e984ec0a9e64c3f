// RateLimitState: what the anthropic-ratelimit-* and retry-after headers of
// the latest upstream answer say about remaining capacity, so the router
// can see it before it sends (protocols.md §1.11).
//
// Thread safety: all methods are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "net/http_client.h"

namespace duet::anthropic {

struct RateLimitSnapshot {
  // -1 when the upstream has not said.
  int64_t requests_limit = -1;
  int64_t requests_remaining = -1;
  int64_t tokens_limit = -1;
  int64_t tokens_remaining = -1;
  int64_t input_tokens_remaining = -1;
  int64_t output_tokens_remaining = -1;
  std::string requests_reset;  // RFC 3339, as sent
  std::string tokens_reset;
  // When the latest response was recorded; unset before the first.
  std::optional<std::chrono::steady_clock::time_point> updated_at;
  // Set after a 429/529 with retry-after: no request should go before it.
  std::optional<std::chrono::steady_clock::time_point> retry_not_before;
};

class RateLimitState {
 public:
  // Records the headers of one response received at `now`.
  void Update(const net::HttpResponseHead& head,
              std::chrono::steady_clock::time_point now);
  RateLimitSnapshot Snapshot() const;

 private:
  mutable std::mutex mutex_;
  RateLimitSnapshot snapshot_;  // GUARDED_BY(mutex_)
};

}  // namespace duet::anthropic
