// EventGate: holds a backend's events until the sink they go to is known.
//
// The router starts an answer whose backend is settled before the policy
// has read the request (PolicyEngine::AnswersWithNamedLocalModel), so that
// the engine prepares the prompt while the policy classifies it; the sink
// that stamps the decision on the answer exists only afterwards. The
// backend is given the gate; Open passes on what it held, in order, then
// every later event as it comes.
//
// Thread safety: OnEvent follows the EventSink contract (one event at a
// time, from any thread); Open or Discard is called once, from any thread,
// concurrently with OnEvent. The target sees one event at a time, in the
// order the backend sent them.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "backend/backend.h"

namespace duet {

class EventGate final : public EventSink {
 public:
  EventGate() = default;

  void OnEvent(ChatEvent&& event) override;

  // Sends the held events to `target`, then lets later ones through.
  // REQUIRES: neither Open nor Discard was called before.
  void Open(std::shared_ptr<EventSink> target);
  // Drops the held events and every later one.
  // REQUIRES: neither Open nor Discard was called before.
  void Discard();

 private:
  enum class State { kHolding, kFlushing, kOpen, kDiscarding };

  std::mutex mutex_;
  State state_ = State::kHolding;  // guarded by mutex_
  std::vector<ChatEvent> held_;    // guarded by mutex_
  // Set before state_ becomes kOpen, then only read.
  std::shared_ptr<EventSink> target_;
};

}  // namespace duet
