// EscalationSink: holds a local answer back until it passes its checks;
// when one fails, Claude answers the same request instead.
//
// It sits between the local backend's routing sink and the client. Every
// event is buffered and folded into the answer. When the answer ends:
//   * it passes CheckAnswer: the buffered events go to the client, with
//     RouteNote::escalation = "passed";
//   * a check fails: `escalate` is called with the failure and the local
//     attempt (model, usage, seconds); when it returns true the buffered
//     answer is dropped and the escalated answer reaches the client
//     through the sink `escalate` sends it to. When it returns false
//     (budget spent, Claude down meanwhile) the local answer goes out
//     after all, with escalation = the failed check and an
//     escalation_reason that says it could not escalate;
//   * it ends with an error: the buffered events and the error go out
//     unchanged (errors are the fallback's business, not escalation's).
// Streaming clients: once the answer has run `stream_hold` without ending,
// what is buffered goes out and the rest streams through unchecked
// (escalation = "unchecked"). Non-streaming clients wait for the whole
// answer anyway, so they are always checked.
//
// Thread safety: follows the EventSink contract (one event at a time).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "backend/backend.h"
#include "model/accumulator.h"
#include "route/escalation/answer_checks.h"

namespace duet {

// What the local backend produced before the checks failed.
struct LocalAttempt {
  std::string model;
  Usage usage;
  double seconds = 0;  // from its first event to its last
  std::string text;    // the answer's text (a polish draft is built on it)
};

class EscalationSink final : public EventSink,
                             public std::enable_shared_from_this<EscalationSink> {
 public:
  // Returns true when the request went to Claude (the client's answer now
  // comes from there); false to deliver the local answer after all.
  // `local_answer` is the buffered local answer, for the callee to fall
  // back on (KeepLocalAnswerSink) if Claude fails before answering.
  using Escalate = std::function<bool(const CheckFailure& failure, const LocalAttempt& attempt,
                                      std::vector<ChatEvent> local_answer)>;

  // Asks for a second opinion on an answer that passed the checks, and
  // calls `done` exactly once with a failure (escalate) or nullopt (pass),
  // from any thread.
  using SelfCheck = std::function<void(const ChatResponse& answer,
                                       std::function<void(std::optional<CheckFailure>)> done)>;

  struct Options {
    AnswerCheckOptions checks;
    // Null: no self-verification ([policy.escalation] self_check).
    SelfCheck self_check;
    // Polish (docs/routing.md, "Polish"): every complete local answer is a
    // draft for Claude, as if a check named "polish" had failed.
    bool always_escalate = false;
    bool stream = false;
    std::chrono::milliseconds stream_hold{3000};  // ignored with always_escalate
  };

  // `request` is the client's request (its tools, response format and
  // max_tokens are what the checks hold the answer to).
  EscalationSink(std::shared_ptr<EventSink> client, std::shared_ptr<const ChatRequest> request,
                 Options options, Escalate escalate);

  void OnEvent(ChatEvent&& event) override;

 private:
  void Release(std::string escalation, std::string reason);  // buffered events out
  void Finish();
  // The checks' verdict: escalate on a failure, else release as passed.
  void Decide(std::optional<CheckFailure> failure);

  std::shared_ptr<EventSink> client_;
  const std::shared_ptr<const ChatRequest> request_;
  const Options options_;
  Escalate escalate_;
  std::vector<ChatEvent> buffered_;
  ResponseAccumulator answer_;
  std::chrono::steady_clock::time_point first_event_{};
  bool started_ = false;
  bool released_ = false;  // events now pass straight through
  bool done_ = false;      // escalated: ignore the rest
};

// Sits in front of the client for an escalated request: when Claude's
// answer begins with an error (down, rate limited, refused), the client
// gets the local answer that failed its checks instead, its note saying
// escalation failed, rather than an error; otherwise Claude's answer
// passes through unchanged.
//
// With `recheck` (the check the local answer failed), Claude's answer is
// held to the same check as it passes: the kMessageDelta carries
// RouteNote::escalation_outcome, "changed" when Claude's answer passes it,
// "unchanged" when it fails it too (escalation did not help).
//
// Thread safety: follows the EventSink contract.
class KeepLocalAnswerSink final : public EventSink {
 public:
  KeepLocalAnswerSink(std::shared_ptr<EventSink> client, std::vector<ChatEvent> local_answer,
                      std::shared_ptr<const ChatRequest> request = nullptr,
                      std::optional<AnswerCheckOptions> recheck = std::nullopt)
      : client_(std::move(client)),
        local_answer_(std::move(local_answer)),
        request_(std::move(request)),
        recheck_(std::move(recheck)) {}

  void OnEvent(ChatEvent&& event) override;

 private:
  std::shared_ptr<EventSink> client_;
  std::vector<ChatEvent> local_answer_;
  const std::shared_ptr<const ChatRequest> request_;
  const std::optional<AnswerCheckOptions> recheck_;
  ResponseAccumulator answer_;  // Claude's, when rechecked
  bool started_ = false;
};

}  // namespace duet
