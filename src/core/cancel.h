// CancelFlag: "stop working on this" signalled from one thread to another.
//
// The api layer sets it when a client disconnects or the server gives up on
// a request at shutdown; backends and the HTTP client poll it between steps
// (tokens, upstream reads) and then end their work with kCancelled.
//
// Thread safety: Cancel and cancelled may be called from any thread.
#pragma once

#include <atomic>

namespace duet {

class CancelFlag {
 public:
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

}  // namespace duet
