#include "app/interrupt_relay.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <utility>

namespace duet {
namespace {

// What the handler may touch: lock-free atomics only.
std::atomic<int> g_pipe_write{-1};
std::atomic<bool> g_armed{false};
std::atomic<bool> g_exit_when_idle{false};
static_assert(std::atomic<int>::is_always_lock_free &&
              std::atomic<bool>::is_always_lock_free);

extern "C" void OnInterrupt(int) {
  if (!g_armed.load() && g_exit_when_idle.load()) {
    std::_Exit(130);
  }
  const int saved_errno = errno;
  const int fd = g_pipe_write.load();
  if (fd >= 0) {
    const char byte = 'c';
    (void)!::write(fd, &byte, 1);  // a full pipe already holds a Ctrl-C
  }
  errno = saved_errno;
}

}  // namespace

InterruptRelay::InterruptRelay(Options options) {
  int fds[2] = {-1, -1};
  if (::pipe2(fds, O_CLOEXEC) == 0) {
    pipe_read_ = fds[0];
    pipe_write_ = fds[1];
    ::fcntl(pipe_write_, F_SETFL, O_NONBLOCK);  // the handler never blocks
    thread_ = std::thread([this] { Relay(); });
  }
  g_exit_when_idle.store(options.exit_when_idle);
  g_pipe_write.store(pipe_write_);
  previous_ = std::signal(SIGINT, OnInterrupt);
}

InterruptRelay::~InterruptRelay() {
  std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_);
  g_pipe_write.store(-1);
  g_armed.store(false);
  if (pipe_write_ >= 0) {
    ::close(pipe_write_);  // the relay thread reads end-of-file and returns
  }
  if (thread_.joinable()) {
    thread_.join();
  }
  if (pipe_read_ >= 0) {
    ::close(pipe_read_);
  }
}

void InterruptRelay::Arm(std::shared_ptr<CancelFlag> flag) {
  std::lock_guard lock(mutex_);
  g_armed.store(flag != nullptr);
  armed_ = std::move(flag);
}

void InterruptRelay::Relay() {
  char byte = 0;
  while (true) {
    const ssize_t got = ::read(pipe_read_, &byte, 1);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      return;
    }
    std::shared_ptr<CancelFlag> flag;
    {
      std::lock_guard lock(mutex_);
      flag = armed_;
    }
    if (flag) {
      flag->Cancel();
    }
  }
}

}  // namespace duet
