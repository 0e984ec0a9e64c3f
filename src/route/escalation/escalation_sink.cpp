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
      event.route.escalation = escalation;
      event.route.escalation_reason = reason;
    }
    client_->OnEvent(std::move(event));
  }
  buffered_.clear();
}

void EscalationSink::OnEvent(ChatEvent event) {
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
  if (options_.stream && now - first_event_ >= options_.stream_hold) {
    Release("unchecked", "the local answer ran longer than policy.escalation.stream_hold_ms");
  }
}

void EscalationSink::Finish() {
  const std::optional<CheckFailure> failure =
      answer_.complete() ? CheckAnswer(*request_, answer_.response(), options_.checks)
                         : std::optional<CheckFailure>(
                               CheckFailure{"empty", "the local answer was incomplete"});
  if (!failure) {
    Release("passed", "");
    return;
  }
  const LocalAttempt attempt{
      .model = answer_.response().model,
      .usage = answer_.response().usage,
      .seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - first_event_)
                     .count()};
  if (escalate_(*failure, attempt)) {
    done_ = true;
    buffered_.clear();
    return;
  }
  Release(failure->check, failure->explanation + "; could not escalate, the local answer stands");
}

}  // namespace duet
