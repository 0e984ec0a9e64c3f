#include "route/event_gate.h"

#include <utility>

namespace duet {

void EventGate::OnEvent(ChatEvent&& event) {
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::kDiscarding) {
      return;
    }
    if (state_ != State::kOpen) {
      // Held, or queued behind the held events Open is sending.
      held_.push_back(std::move(event));
      return;
    }
  }
  target_->OnEvent(std::move(event));
}

void EventGate::Open(std::shared_ptr<EventSink> target) {
  std::vector<ChatEvent> batch;
  {
    std::lock_guard lock(mutex_);
    target_ = std::move(target);
    state_ = State::kFlushing;
    batch.swap(held_);
  }
  // Sent outside the lock: the target may take long, and the backend keeps
  // queueing meanwhile. The gate opens once nothing is left.
  while (true) {
    for (ChatEvent& event : batch) {
      target_->OnEvent(std::move(event));
    }
    batch.clear();
    std::lock_guard lock(mutex_);
    if (held_.empty()) {
      state_ = State::kOpen;
      return;
    }
    batch.swap(held_);
  }
}

void EventGate::Discard() {
  std::lock_guard lock(mutex_);
  state_ = State::kDiscarding;
  held_.clear();
}

}  // namespace duet
