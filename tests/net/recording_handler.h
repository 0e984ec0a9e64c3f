// RecordingHandler: an HttpResponseHandler that keeps everything a call
// reports, so a test thread can wait for the outcome and check it.
//
// Optional hooks decide what OnHead / OnBody return (true when unset).
//
// Thread safety: the client calls it on its I/O thread; the accessors lock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_client.h"

namespace duet::net::testing {

class RecordingHandler final : public HttpResponseHandler {
 public:
  std::function<bool(const HttpResponseHead&)> on_head;
  std::function<bool(std::string_view)> on_body;

  bool OnHead(const HttpResponseHead& head) override {
    {
      std::lock_guard lock(mutex_);
      ++head_calls_;
      head_ = head;
    }
    changed_.notify_all();
    return on_head ? on_head(head) : true;
  }

  bool OnBody(std::string_view bytes) override {
    {
      std::lock_guard lock(mutex_);
      pieces_.emplace_back(bytes);
      body_.append(bytes);
    }
    changed_.notify_all();
    return on_body ? on_body(bytes) : true;
  }

  void OnComplete(Status status, bool head_received) override {
    {
      std::lock_guard lock(mutex_);
      ++complete_calls_;
      status_ = std::move(status);
      head_received_ = head_received;
      completed_at_ = std::chrono::steady_clock::now();
    }
    changed_.notify_all();
  }

  // Waits until OnComplete ran; false after `timeout`.
  bool WaitDone(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout,
                             [&] { return complete_calls_ > 0; });
  }

  // Waits until at least `size` body bytes arrived; false after `timeout`.
  bool WaitForBody(size_t size, std::chrono::milliseconds timeout =
                                    std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout,
                             [&] { return body_.size() >= size; });
  }

  Status status() const {
    std::lock_guard lock(mutex_);
    return status_.value_or(Internal("OnComplete was not called"));
  }
  bool head_received() const {
    std::lock_guard lock(mutex_);
    return head_received_;
  }
  int head_calls() const {
    std::lock_guard lock(mutex_);
    return head_calls_;
  }
  int complete_calls() const {
    std::lock_guard lock(mutex_);
    return complete_calls_;
  }
  HttpResponseHead head() const {
    std::lock_guard lock(mutex_);
    return head_;
  }
  std::string body() const {
    std::lock_guard lock(mutex_);
    return body_;
  }
  std::vector<std::string> pieces() const {
    std::lock_guard lock(mutex_);
    return pieces_;
  }
  std::chrono::steady_clock::time_point completed_at() const {
    std::lock_guard lock(mutex_);
    return completed_at_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int head_calls_ = 0;
  int complete_calls_ = 0;
  HttpResponseHead head_;
  std::string body_;
  std::vector<std::string> pieces_;
  std::optional<Status> status_;
  bool head_received_ = false;
  std::chrono::steady_clock::time_point completed_at_;
};

}  // namespace duet::net::testing
