// FakeClock: a Clock that moves only when a test says so.
//
// Thread safety: all methods are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/clock.h"

namespace duet::testing {

class FakeClock final : public Clock {
 public:
  // Starts at `unix_seconds` (2023-11-14T22:13:20Z by default); the steady
  // clock starts at the same count.
  explicit FakeClock(int64_t unix_seconds = 1'700'000'000)
      : now_ms_(unix_seconds * 1000) {}

  int64_t NowUnixSeconds() const override { return now_ms_.load() / 1000; }
  int64_t NowUnixMillis() const override { return now_ms_.load(); }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::time_point(
        std::chrono::milliseconds(now_ms_.load()));
  }
  void Advance(std::chrono::milliseconds by) { now_ms_ += by.count(); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace duet::testing
