#include "cost/local_busy_meter.h"

namespace duet {

void LocalBusyMeter::Advance() {
  const auto now = clock_->SteadyNow();
  if (running_ > 0) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    shared_seconds_ += elapsed / static_cast<double>(running_);
  }
  last_ = now;
}

double LocalBusyMeter::Begin() {
  std::lock_guard lock(mutex_);
  Advance();
  ++running_;
  return shared_seconds_;
}

double LocalBusyMeter::End(double mark) {
  std::lock_guard lock(mutex_);
  Advance();
  if (running_ > 0) {
    --running_;
  }
  return shared_seconds_ - mark;
}

}  // namespace duet
