#include "support/collecting_sink.h"

#include <utility>

namespace duet::testing {

void CollectingSink::OnEvent(ChatEvent&& event) {
  ChatEvent copy_for_hook;
  if (hook_) {
    copy_for_hook = event;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (event.terminal()) {
      ++terminal_count_;
    }
    threads_.push_back(std::this_thread::get_id());
    events_.push_back(std::move(event));
  }
  changed_.notify_all();
  if (hook_) {
    hook_(copy_for_hook);
  }
}

bool CollectingSink::CanRestart() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return allow_restart_ && terminal_count_ == 0;
}

void CollectingSink::Restart() {
  std::lock_guard<std::mutex> lock(mutex_);
  events_.clear();
  threads_.clear();
  ++restarts_;
}

int CollectingSink::restarts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return restarts_;
}

bool CollectingSink::WaitForTerminal(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout,
                           [this] { return terminal_count_ > 0; });
}

bool CollectingSink::WaitForEvents(std::size_t count,
                                   std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout,
                           [this, count] { return events_.size() >= count; });
}

std::vector<ChatEvent> CollectingSink::events() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_;
}

std::vector<std::thread::id> CollectingSink::threads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return threads_;
}

int CollectingSink::terminal_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return terminal_count_;
}

}  // namespace duet::testing
