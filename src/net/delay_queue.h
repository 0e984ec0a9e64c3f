// DelayQueue: runs tasks after a delay on one thread of its own (retry
// backoff, scripted slowness). Tasks run in deadline order; one that is
// still waiting when the queue is destroyed is dropped, not run.
//
// Thread safety: After may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace duet::net {

class DelayQueue {
 public:
  DelayQueue();
  ~DelayQueue();
  DelayQueue(const DelayQueue&) = delete;
  DelayQueue& operator=(const DelayQueue&) = delete;

  void After(std::chrono::milliseconds delay, std::function<void()> task);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace duet::net
