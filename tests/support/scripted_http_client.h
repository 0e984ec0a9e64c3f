// ScriptedHttpClient: an HttpClient that answers from a queue of scripted
// replies, synchronously on the caller's thread, and records every request.
//
// Thread safety: all methods are thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "net/http_client.h"

namespace duet::testing {

// One scripted upstream answer.
struct Reply {
  Status connect_error;  // not OK: the call fails before any response
  int status = 200;
  net::HeaderList headers;
  std::vector<std::string> body;  // delivered piece by piece
};

class ScriptedHttpClient final : public net::HttpClient {
 public:
  void Push(Reply reply) {
    std::lock_guard lock(mutex_);
    replies_.push_back(std::move(reply));
  }
  std::vector<net::HttpRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  void Send(std::shared_ptr<const net::HttpRequest> request, net::HttpTimeouts,
            std::shared_ptr<net::HttpResponseHandler> handler,
            std::shared_ptr<const CancelFlag>) override {
    Reply reply;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(*request);
      if (replies_.empty()) {
        reply.connect_error = Unavailable("no scripted reply left");
      } else {
        reply = std::move(replies_.front());
        replies_.pop_front();
      }
    }
    if (!reply.connect_error.ok()) {
      handler->OnComplete(reply.connect_error, false);
      return;
    }
    if (!handler->OnHead({reply.status, reply.headers})) {
      handler->OnComplete(Status(ErrorCode::kCancelled, "stopped"), true);
      return;
    }
    for (const std::string& piece : reply.body) {
      if (!handler->OnBody(piece)) {
        handler->OnComplete(Status(ErrorCode::kCancelled, "stopped"), true);
        return;
      }
    }
    handler->OnComplete(Status::Ok(), true);
  }

 private:
  mutable std::mutex mutex_;
  std::deque<Reply> replies_;
  std::vector<net::HttpRequest> requests_;
};

inline Reply Answer(int status, net::HeaderList headers,
                    std::vector<std::string> body) {
  Reply reply;
  reply.status = status;
  reply.headers = std::move(headers);
  reply.body = std::move(body);
  return reply;
}

inline Reply ConnectFailure(std::string message) {
  Reply reply;
  reply.connect_error = Unavailable(std::move(message));
  return reply;
}

}  // namespace duet::testing
