#include "api/answer_tracker.h"

#include <utility>

#include "wire/anthropic/messages_response.h"

namespace duet::api {
namespace {

int64_t MillisSince(const Clock* clock, std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock->SteadyNow() - start)
      .count();
}

}  // namespace

AnswerTracker::AnswerTracker(AnswerRecording&& recording) : recording_(std::move(recording)) {}

AnswerTracker::~AnswerTracker() {
  if (!finished_) {
    const Status status = Internal("the answer ended without its final event");
    Finish(AnswerOutcome::kError, &status);
  }
}

void AnswerTracker::NoteRoute(const RouteNote& route) {
  LedgerEntry& entry = recording_.entry;
  entry.backend = route.backend;
  entry.local = route.local;
  entry.fallback_reason = route.fallback_reason;
  entry.side = route.side;
  entry.task = route.task;
  entry.rule = route.rule;
  entry.reason = route.explanation;
  entry.sensitive = route.sensitive;
  entry.escalation = route.escalation;
  entry.escalation_reason = route.escalation_reason;
  entry.workflow = route.workflow;
  entry.review = route.review;
  entry.local_attempt_model = route.local_attempt_model;
  entry.local_attempt_input_tokens = route.local_attempt_usage.prompt_tokens();
  entry.local_attempt_output_tokens = route.local_attempt_usage.output_tokens;
  entry.local_attempt_seconds = route.local_attempt_seconds;
}

void AnswerTracker::Observe(const ChatEvent& event) {
  if (finished_) {
    return;
  }
  LedgerEntry& entry = recording_.entry;
  switch (event.kind) {
    case ChatEvent::Kind::kMessageStart:
      NoteRoute(event.route());
      entry.model = event.model;
      entry.usage = event.usage;
      if (entry.local && recording_.busy_meter != nullptr) {
        busy_mark_ = recording_.busy_meter->Begin();
        local_running_ = true;
      }
      break;
    case ChatEvent::Kind::kBlockDelta:
      if (entry.ttft_ms < 0) {
        entry.ttft_ms = MillisSince(recording_.clock, recording_.arrived);
      }
      if (recording_.capture_answer && event.delta_kind == ChatEvent::DeltaKind::kText) {
        if (!entry.answer) {
          entry.answer.emplace();
        }
        entry.answer->append(event.delta);
      }
      break;
    case ChatEvent::Kind::kMessageDelta:
      entry.usage = event.usage;
      if (!event.route().escalation_outcome.empty()) {
        entry.escalation_outcome = event.route().escalation_outcome;  // known only now
      }
      entry.stop_reason = std::string(wire::anthropic::StopReasonName(event.stop_reason));
      break;
    case ChatEvent::Kind::kMessageStop:
      Finish(!entry.local_attempt_model.empty() && entry.workflow.empty()
                 ? AnswerOutcome::kEscalated
             : entry.fallback_reason.empty() ? AnswerOutcome::kOk
                                             : AnswerOutcome::kFallback,
             nullptr);
      break;
    case ChatEvent::Kind::kError:
      if (entry.backend.empty() && entry.side.empty()) {
        NoteRoute(event.route());  // refused before any answer began
      }
      Fail(event.error);
      break;
    default:
      break;
  }
}

void AnswerTracker::Restart() {
  LedgerEntry& entry = recording_.entry;
  if (local_running_) {
    entry.local_busy_seconds += recording_.busy_meter->End(busy_mark_);
    local_running_ = false;
  }
  NoteRoute(RouteNote());  // the next answer's kMessageStart or error notes its own
  entry.model.clear();
  entry.usage = Usage();
  entry.stop_reason.clear();
  entry.ttft_ms = -1;
  entry.answer.reset();
}

void AnswerTracker::Fail(const Status& status) {
  if (finished_) {
    return;
  }
  Finish(status.code() == ErrorCode::kCancelled ? AnswerOutcome::kCancelled
                                                : AnswerOutcome::kError,
         &status);
}

void AnswerTracker::Finish(AnswerOutcome outcome, const Status* error) {
  finished_ = true;
  LedgerEntry& entry = recording_.entry;
  entry.latency_ms = MillisSince(recording_.clock, recording_.arrived);
  if (local_running_) {
    entry.local_busy_seconds += recording_.busy_meter->End(busy_mark_);
    local_running_ = false;
  }
  entry.outcome = outcome;
  if (error != nullptr) {
    entry.error_kind = std::string(ErrorCodeName(error->code()));
    entry.error_message = error->message().substr(0, 500);
  }
  recording_.recorder->Record(std::move(entry));
}

}  // namespace duet::api
