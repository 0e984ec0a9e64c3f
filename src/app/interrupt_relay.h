// InterruptRelay: Ctrl-C (SIGINT) cancels the work in progress of a
// terminal command (`duet run`'s answer, `duet pull`'s download).
//
// A signal handler may only do async-signal-safe things, and
// CancelFlag::Cancel is not one: it takes a lock and runs its subscribers'
// callbacks (the HTTP client posts onto its event loop). So the handler only
// writes a byte to a pipe, and the relay's own thread cancels the flag armed
// at that moment.
//
// One relay at a time: it installs the process's SIGINT handler and puts the
// previous one back when destroyed.
//
// Thread safety: Arm may be called from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <thread>

#include "core/cancel.h"

namespace duet {

class InterruptRelay {
 public:
  struct Options {
    // Ctrl-C with no flag armed exits the process with 130, as a shell's
    // prompt does; otherwise it is ignored.
    bool exit_when_idle = false;
  };

  InterruptRelay() : InterruptRelay(Options()) {}
  explicit InterruptRelay(Options options);
  ~InterruptRelay();
  InterruptRelay(const InterruptRelay&) = delete;
  InterruptRelay& operator=(const InterruptRelay&) = delete;

  // The flag the next Ctrl-C cancels; null disarms.
  void Arm(std::shared_ptr<CancelFlag> flag);

 private:
  void Relay();

  int pipe_read_ = -1;
  int pipe_write_ = -1;
  void (*previous_)(int) = nullptr;
  std::mutex mutex_;
  std::shared_ptr<CancelFlag> armed_;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace duet
