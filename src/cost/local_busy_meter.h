// LocalBusyMeter: each local answer's share of the machine's busy time.
//
// Local answers run concurrently on one machine (continuous batching), so
// their wall times overlap; charging each its full wall time would count
// the same watts several times. The meter shares time the way a processor
// shared by n jobs does: while n answers are running, each accrues 1/n of
// every second. The shares of all answers add up to the time the machine
// was busy with at least one of them.
//
// Thread safety: all methods are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include "core/clock.h"

namespace duet {

class LocalBusyMeter {
 public:
  // `clock` must outlive the meter.
  explicit LocalBusyMeter(const Clock* clock) : clock_(clock) {}

  // An answer starts: returns the mark to hand to End.
  double Begin();
  // The answer that began at `mark` ends: its share in seconds.
  double End(double mark);

 private:
  void Advance();  // REQUIRES: mutex_ held

  const Clock* clock_;
  std::mutex mutex_;
  int64_t running_ = 0;
  double shared_seconds_ = 0;  // seconds each running answer has accrued
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace duet
