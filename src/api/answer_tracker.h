// AnswerTracker: follows one request's answer as ChatBridge delivers it
// and hands the finished LedgerEntry to the AnswerRecorder.
//
// It notes who answered and why (the RouteNote on kMessageStart, or on an
// error the router refused with), the model, time to first output, usage,
// stop reason and outcome, and the answer's share of local busy time. A
// request is recorded exactly once: when its last event passes, when the
// client is sent an error, or, failing both, when the tracker is destroyed
// (an answer that ended without its final event is recorded as an error).
//
// Thread safety: like the EventSink it serves, one event at a time.
#pragma once

#include <chrono>
#include <string>

#include "core/clock.h"
#include "cost/local_busy_meter.h"
#include "ledger/answer_recorder.h"
#include "model/chat.h"

namespace duet::api {

// What the handler knows when a request arrives.
struct AnswerRecording {
  AnswerRecorder* recorder = nullptr;
  LocalBusyMeter* busy_meter = nullptr;  // null: local answers cost no time
  const Clock* clock = nullptr;
  std::chrono::steady_clock::time_point arrived{};
  bool capture_answer = false;  // keep the answer's text (ledger.store_content)
  LedgerEntry entry;  // request fields: id, time, key, api, model, stream, prompt
};

class AnswerTracker {
 public:
  explicit AnswerTracker(AnswerRecording&& recording);
  ~AnswerTracker();
  AnswerTracker(const AnswerTracker&) = delete;
  AnswerTracker& operator=(const AnswerTracker&) = delete;

  // Every event, before the bridge renders it. Terminal events record.
  void Observe(const ChatEvent& event);
  // The client was sent `status` as an error (records).
  void Fail(const Status& status);
  // The answer observed so far was dropped unseen for another one (a
  // fallback): forgets its route, model, usage, stop reason, time to first
  // output and text. The request's fields and arrival time stay.
  void Restart();

 private:
  void NoteRoute(const RouteNote& route);
  void Finish(AnswerOutcome outcome, const Status* error);

  AnswerRecording recording_;
  bool local_running_ = false;
  double busy_mark_ = 0;
  bool finished_ = false;
};

}  // namespace duet::api
