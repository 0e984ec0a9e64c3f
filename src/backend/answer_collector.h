// AnswerCollector: an EventSink that folds one answer and hands it over
// whole, for callers that need the complete answer rather than its stream
// (the shadow evaluation, self-verification, the polish review).
//
// `done` is called exactly once: with the ChatResponse after kMessageStop,
// or with the error (the answer's kError, or kInternal for events out of
// order). Events after that are ignored; a collector destroyed before
// either never calls it.
//
// Thread safety: follows the EventSink contract (one event at a time).
#pragma once

#include <functional>
#include <utility>

#include "backend/backend.h"
#include "model/accumulator.h"

namespace duet {

class AnswerCollector final : public EventSink {
 public:
  using Done = std::function<void(Result<ChatResponse>)>;
  explicit AnswerCollector(Done done) : done_(std::move(done)) {}

  void OnEvent(ChatEvent&& event) override;

 private:
  Done done_;
  ResponseAccumulator answer_;
  bool finished_ = false;
};

// The text blocks of `answer`, concatenated.
std::string TextOf(const ChatResponse& answer);

}  // namespace duet
