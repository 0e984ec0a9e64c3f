#include "backend/circuit_breaker.h"

#include <algorithm>

namespace duet {

CircuitBreaker::CircuitBreaker(Options options, const Clock* clock)
    : options_(options), clock_(clock) {}

bool CircuitBreaker::Allow() {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (clock_->SteadyNow() - opened_at_ < options_.cooldown) {
        return false;
      }
      state_ = State::kHalfOpen;
      probe_in_flight_ = true;
      return true;
    case State::kHalfOpen:
      if (probe_in_flight_) {
        return false;
      }
      probe_in_flight_ = true;
      return true;
  }
  return true;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mutex_);
  state_ = State::kClosed;
  consecutive_failures_ = 0;
  probe_in_flight_ = false;
}

void CircuitBreaker::RecordFailure() {
  std::lock_guard lock(mutex_);
  ++consecutive_failures_;
  if (state_ == State::kHalfOpen ||
      consecutive_failures_ >= options_.failure_threshold) {
    state_ = State::kOpen;
    opened_at_ = clock_->SteadyNow();
    probe_in_flight_ = false;
  }
}

void CircuitBreaker::RecordCancelled() {
  std::lock_guard lock(mutex_);
  probe_in_flight_ = false;
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

int64_t CircuitBreaker::RemainingCooldownMs() const {
  std::lock_guard lock(mutex_);
  if (state_ != State::kOpen) {
    return 0;
  }
  const auto left = options_.cooldown - (clock_->SteadyNow() - opened_at_);
  return std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::milliseconds>(left).count());
}

}  // namespace duet
