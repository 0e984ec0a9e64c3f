// Clock: the one source of time, injected so tests never read the wall clock.
//
// Thread safety: implementations must be thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace duet {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch (for `created` fields and the ledger).
  virtual int64_t NowUnixSeconds() const = 0;
  // Milliseconds since the Unix epoch (ledger timestamps).
  virtual int64_t NowUnixMillis() const = 0;
  // Monotonic time, for latencies and deadlines.
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowUnixSeconds() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t NowUnixMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace duet
