// ResponseAccumulator: folds a stream of ChatEvents into one ChatResponse.
//
// Used wherever a complete answer is needed from a streaming producer: the
// non-streaming API path, tests, and later the escalation checks. It checks
// the event order documented on ChatEvent and reports a violation as
// kInternal, because a backend that breaks the order is a bug in duet.
//
// Thread safety: none; feed it from one thread (or under the caller's lock).
#pragma once

#include <string>

#include "core/status.h"
#include "model/chat.h"

namespace duet {

class ResponseAccumulator {
 public:
  // Applies one event. Returns the event's error for kError, kInternal for an
  // out-of-order event, OK otherwise. After a non-OK return or kMessageStop,
  // further events are rejected.
  Status Add(const ChatEvent& event);

  // True once kMessageStop was applied.
  bool complete() const { return state_ == State::kDone; }

  // The answer so far; complete() says whether it is final. Tool inputs are
  // the concatenated input_json fragments, normalised to "{}" when empty.
  // `logprobs` collects the logprobs of text deltas in order (any on other
  // deltas are ignored); `confidence` is the last kMessageDelta's.
  const ChatResponse& response() const { return response_; }
  ChatResponse TakeResponse() { return std::move(response_); }

 private:
  enum class State { kIdle, kInMessage, kInBlock, kAfterDelta, kDone, kFailed };

  Status Fail(std::string what);

  State state_ = State::kIdle;
  ChatResponse response_;
};

}  // namespace duet
