// CollectingSink: an EventSink for tests that records every event and lets
// the test thread wait for the terminal one.
//
// Thread safety: OnEvent may be called from any thread; every method is
// thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "backend/backend.h"
#include "model/chat.h"

namespace duet::testing {

class CollectingSink final : public EventSink {
 public:
  // Called on the producer's thread after each event is recorded, without
  // the sink's lock held (for example to cancel a request mid-stream).
  using Hook = std::function<void(const ChatEvent& event)>;

  CollectingSink() = default;
  explicit CollectingSink(Hook hook) : hook_(std::move(hook)) {}

  void OnEvent(ChatEvent&& event) override;
  // Like a client that waits for the whole answer: until its terminal
  // event, a restart forgets the events so far (see EventSink). Off by
  // default: a sink that has seen events cannot restart.
  void AllowRestart() { allow_restart_ = true; }
  bool CanRestart() const override;
  void Restart() override;
  // How many times Restart was called.
  int restarts() const;

  // Waits until the terminal event arrives or `timeout` passes; returns
  // whether it arrived. The timeout only bounds a broken test.
  bool WaitForTerminal(std::chrono::milliseconds timeout =
                           std::chrono::seconds(30)) const;
  // Waits until at least `count` events have arrived, or `timeout` passes.
  bool WaitForEvents(std::size_t count, std::chrono::milliseconds timeout =
                                            std::chrono::seconds(30)) const;

  std::vector<ChatEvent> events() const;
  // The thread each event arrived on, in event order.
  std::vector<std::thread::id> threads() const;
  // How many terminal events arrived (exactly 1 for a correct producer).
  int terminal_count() const;

 private:
  Hook hook_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<ChatEvent> events_;          // guarded by mutex_
  std::vector<std::thread::id> threads_;   // guarded by mutex_
  int terminal_count_ = 0;                 // guarded by mutex_
  bool allow_restart_ = false;
  int restarts_ = 0;                       // guarded by mutex_
};

}  // namespace duet::testing
