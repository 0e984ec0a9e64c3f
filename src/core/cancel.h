// CancelFlag: "stop working on this" signalled from one thread to another.
//
// The api layer sets it when a client disconnects or the server gives up on
// a request at shutdown. Work that runs in steps (the local engine's tokens)
// polls cancelled() between them; work that waits (an upstream call blocked
// on its socket) subscribes with OnCancel and is told at once.
//
// Thread safety: every member may be called from any thread. A callback
// runs on the thread that calls Cancel (or on the subscriber's, when the
// flag is already set), outside the flag's lock; it should only hand work
// to where it belongs (post to an event loop), never block.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace duet {

class CancelFlag {
 public:
  // Ends a subscription: once it is destroyed (or reset) the callback is
  // not called any more, unless Cancel has already begun calling it on
  // another thread, so a callback must stay safe to run late (hold what it
  // uses by shared_ptr).
  class Subscription {
   public:
    Subscription() = default;
    Subscription(Subscription&& other) noexcept
        : flag_(std::exchange(other.flag_, nullptr)), id_(other.id_) {}
    Subscription& operator=(Subscription&& other) noexcept {
      if (this != &other) {
        reset();
        flag_ = std::exchange(other.flag_, nullptr);
        id_ = other.id_;
      }
      return *this;
    }
    ~Subscription() { reset(); }
    void reset() {
      if (flag_ != nullptr) {
        std::exchange(flag_, nullptr)->Unsubscribe(id_);
      }
    }

   private:
    friend class CancelFlag;
    Subscription(const CancelFlag* flag, uint64_t id) : flag_(flag), id_(id) {}
    const CancelFlag* flag_ = nullptr;
    uint64_t id_ = 0;
  };

  CancelFlag() = default;
  CancelFlag(const CancelFlag&) = delete;
  CancelFlag& operator=(const CancelFlag&) = delete;

  // Sets the flag and calls each subscribed callback once. Later calls do
  // nothing more.
  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

  // Calls `on_cancel` once when the flag is set: now, on this thread, when it
  // already is (the subscription is then empty). The flag must outlive the
  // subscription.
  [[nodiscard]] Subscription OnCancel(std::function<void()> on_cancel) const;

 private:
  void Unsubscribe(uint64_t id) const;

  std::atomic<bool> cancelled_{false};
  mutable std::mutex mutex_;
  mutable uint64_t next_id_ = 1;  // GUARDED_BY(mutex_)
  mutable std::vector<std::pair<uint64_t, std::function<void()>>>
      callbacks_;  // GUARDED_BY(mutex_)
};

}  // namespace duet
