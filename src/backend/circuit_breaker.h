// CircuitBreaker: stops sending to an upstream that keeps failing, so an
// offline machine answers from its fallback at once instead of paying a
// connection timeout per request.
//
//   closed     requests pass; `failure_threshold` consecutive failures open it
//   open       requests are refused (Allow() is false) for `cooldown`
//   half-open  after the cooldown one request (the probe) passes; its
//              success closes the breaker, its failure opens it again
//
// Thread safety: all methods are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include "core/clock.h"

namespace duet {

class CircuitBreaker {
 public:
  struct Options {
    int64_t failure_threshold = 3;
    std::chrono::milliseconds cooldown{30'000};
  };
  enum class State { kClosed, kOpen, kHalfOpen };

  // `clock` must outlive the breaker.
  CircuitBreaker(Options options, const Clock* clock);

  // True when a request may go upstream now. In half-open state only the
  // first caller after the cooldown gets true (it is the probe).
  bool Allow();
  void RecordSuccess();
  void RecordFailure();
  // The request ended without saying anything about the upstream (the
  // client went away): a probe in flight no longer counts as one.
  void RecordCancelled();

  State state() const;
  // Milliseconds until an open breaker lets a probe through; 0 otherwise.
  int64_t RemainingCooldownMs() const;

 private:
  const Options options_;
  const Clock* clock_;
  mutable std::mutex mutex_;
  State state_ = State::kClosed;  // GUARDED_BY(mutex_)
  int64_t consecutive_failures_ = 0;  // GUARDED_BY(mutex_)
  std::chrono::steady_clock::time_point opened_at_;  // GUARDED_BY(mutex_)
  bool probe_in_flight_ = false;  // GUARDED_BY(mutex_)
};

}  // namespace duet
