#include "route/escalation/escalation_sink.h"

#include <utility>

#include <spdlog/spdlog.h>

namespace duet {

EscalationSink::EscalationSink(std::shared_ptr<EventSink> client,
                               std::shared_ptr<const ChatRequest> request, Options options,
                               Escalate escalate)
    : client_(std::move(client)),
      request_(std::move(request)),
      options_(std::move(options)),
      escalate_(std::move(escalate)) {}

void EscalationSink::Release(std::string escalation, std::string reason) {
  released_ = true;
  for (ChatEvent& event : buffered_) {
    if (event.kind == ChatEvent::Kind::kMessageStart) {
      RouteNote& route = event.mutable_route();
      route.escalation = escalation;
      route.escalation_reason = reason;
    }
    client_->OnEvent(std::move(event));
  }
  buffered_.clear();
}

void EscalationSink::OnEvent(ChatEvent&& event) {
  if (done_) {
    return;
  }
  if (released_) {
    client_->OnEvent(std::move(event));
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!started_) {
    started_ = true;
    first_event_ = now;
  }
  const bool terminal = event.terminal();
  const bool failed = event.kind == ChatEvent::Kind::kError;
  if (!failed) {
    (void)answer_.Add(event);  // a malformed sequence shows up as a failed check
  }
  buffered_.push_back(std::move(event));
  if (failed) {
    Release("", "");
    return;
  }
  if (terminal) {
    Finish();
    return;
  }
  if (options_.stream && !options_.always_escalate && now - first_event_ >= options_.stream_hold) {
    Release("unchecked", "the local answer ran longer than policy.escalation.stream_hold_ms");
  }
}

void EscalationSink::Finish() {
  std::optional<CheckFailure> failure =
      answer_.complete() ? CheckAnswer(*request_, answer_.response(), options_.checks)
                         : std::optional<CheckFailure>(
                               CheckFailure{"empty", "the local answer was incomplete"});
  if (options_.always_escalate && answer_.complete()) {
    failure = CheckFailure{"polish", "the local draft goes to Claude to be improved"};
  }
  if (!failure && options_.self_check) {
    // The sink stays alive until the verdict arrives: the continuation
    // holds it.
    auto self = shared_from_this();
    options_.self_check(answer_.response(), [self](std::optional<CheckFailure> verdict) {
      self->Decide(std::move(verdict));
    });
    return;
  }
  Decide(std::move(failure));
}

void EscalationSink::Decide(std::optional<CheckFailure> failure) {
  if (!failure) {
    Release("passed", "");
    return;
  }
  LocalAttempt attempt{
      .model = answer_.response().model,
      .usage = answer_.response().usage,
      .seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - first_event_)
                     .count(),
      .text = {}};
  for (const ContentBlock& block : answer_.response().content) {
    if (block.type == BlockType::kText) {
      attempt.text += block.text;
    }
  }
  // The local answer goes along, for the escalation to fall back on; it
  // is marked with the failed check in case it is delivered after all.
  std::vector<ChatEvent> local_answer = buffered_;
  for (ChatEvent& event : local_answer) {
    if (event.kind == ChatEvent::Kind::kMessageStart) {
      event.mutable_route().escalation = failure->check;
      event.mutable_route().escalation_reason = failure->explanation;
    }
  }
  if (escalate_(*failure, attempt, std::move(local_answer))) {
    done_ = true;
    buffered_.clear();
    return;
  }
  Release(failure->check, failure->explanation + "; could not escalate, the local answer stands");
}

void KeepLocalAnswerSink::OnEvent(ChatEvent&& event) {
  if (!started_) {
    started_ = true;
    if (event.kind == ChatEvent::Kind::kError &&
        event.error.code() != ErrorCode::kCancelled) {
      spdlog::info("escalation failed ({}); the local answer stands", event.error.ToString());
      for (ChatEvent& local : local_answer_) {
        if (local.kind == ChatEvent::Kind::kMessageStart) {
          local.mutable_route().escalation_reason +=
              "; Claude failed (" + event.error.message() + "), the local answer stands";
        }
        client_->OnEvent(std::move(local));
      }
      local_answer_.clear();
      return;
    }
    local_answer_.clear();  // Claude answers: the copy is not needed
  }
  if (recheck_ && request_ != nullptr && answer_.Add(event).ok() &&
      event.kind == ChatEvent::Kind::kMessageDelta) {
    // Every block has ended and the stop reason is known: the whole
    // answer, as the check needs it.
    event.mutable_route().escalation_outcome =
        CheckAnswer(*request_, answer_.response(), *recheck_) ? "unchanged" : "changed";
  }
  client_->OnEvent(std::move(event));
}

}  // namespace duet
