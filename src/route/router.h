// Router: chooses which backend answers a request, and falls back when the
// choice fails before answering.
//
// With a PolicyEngine (the server always has one), every request goes
// through PolicyEngine::Decide: "auto" (or an empty model) lets the policy
// choose the side and the model; an explicit model is honoured unless the
// policy overrides it (sensitive data never goes to a cloud model). The
// decision travels on kMessageStart as RouteNote (side, task, rule,
// explanation), is logged, and its budget reservation is settled from the
// answer's usage. Without a policy: the request's model name picks the
// first backend that serves it (Backend::Serves), and "auto" picks the
// first backend, with its first model.
//
// A request naming a model a local backend serves goes there whatever it
// holds (PolicyEngine::AnswersWithNamedLocalModel): the router starts that
// answer first and decides while the backend prepares it (a local engine
// renders and tokenises the prompt meanwhile); the answer's events wait
// (EventGate) until the decision's note can go on them.
//
// Privacy: a request the policy marks local_only is sent to backends whose
// locality() is kLocal only — checked here again, right before sending,
// for the chosen backend and for the fallback.
//
// Escalation: a local answer the policy marks (RouteDecision::
// escalation_model) is held back and checked; when a check fails, Claude
// answers the same request instead (escalation/escalation_sink.h) and the
// note says which check failed and what the local attempt used.
//
// Polish: the pseudo-model "duet/polish" (or x-duet-workflow: polish) has
// the local model draft and the [policy.polish] Claude tier improve the
// draft; the client gets Claude's version (the same machinery as
// escalation, with every draft "failing"). Never for local-only requests.
//
// Shadow evaluation: with [policy.shadow] enabled, a sample of the local
// answers the policy marked (RouteDecision::shadow_model) is also put to
// Claude after the client has its answer, and judged
// (shadow/shadow_evaluator.h); results go to Options::shadow.reporter.
//
// Fallback: when a backend other than `Options::fallback` fails before its
// first event with kUnavailable, kResourceExhausted, kDeadlineExceeded or
// kInternal (offline, rate limited, overloaded, 5xx, timed out), the same
// request goes to the fallback backend's first model within the same client
// request, and the answer carries RouteNote::fallback_reason. Clients that
// set RouteHints::allow_fallback = false get the first error instead, as do
// requests cancelled meanwhile and errors that are the request's own fault
// (invalid, unauthorised, unknown model).
//
// The Router is itself a Backend, so the api layer talks to one Backend and
// stays unaware of routing.
// Thread safety: immutable after construction; all methods are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "route/policy/policy_engine.h"
#include "route/shadow/shadow_evaluator.h"

namespace duet {

class Router final : public Backend {
 public:
  struct Options {
    // Model name that means "let duet decide".
    std::string auto_model = "auto";
    // Answers when another backend fails before its first event; usually
    // the local engine. Null: no fallback.
    std::shared_ptr<Backend> fallback;
    // The routing policy. Null: plain model-name resolution.
    std::shared_ptr<PolicyEngine> policy;
    // Where shadow results go, and the shadow spend so far this month
    // (used when the policy enables [policy.shadow] and Claude is served).
    ShadowEvaluator::Options shadow;
  };

  // `backends` in priority order: the first one that serves a model wins,
  // and the first one overall answers "auto" when there is no policy.
  Router(std::vector<std::shared_ptr<Backend>> backends, Options options);
  explicit Router(std::vector<std::shared_ptr<Backend>> backends)
      : Router(std::move(backends), Options()) {}

  std::string_view name() const override { return "router"; }
  Locality locality() const override;
  std::vector<ModelInfo> ListModels() const override;
  bool Serves(std::string_view model) const override;
  Result<int64_t> CountTokens(const ChatRequest& request) override;
  void Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                std::shared_ptr<const CancelFlag> cancel) override;

  // The backend that would answer `model`, or kNotFound ("model: <id>").
  Result<Backend*> Resolve(const std::string& model) const;

  // What the policy sees of the backends now: local models and their
  // windows, both sides' health, which side serves a model name.
  RouteTargets Targets() const;

  // True for failures a fallback may hide from the client.
  static bool IsFallbackEligible(ErrorCode code);

  // The shadow evaluator; null when shadowing is off.
  ShadowEvaluator* shadow() const { return shadow_.get(); }

 private:
  // Turns `decision` into a local draft to be polished by Claude
  // (RouteDecision::workflow), unless the request must stay local, does
  // not fit the local window, no local model can draft, or Claude is not
  // available (then the decision stands, with the reason among its
  // reasons).
  void ApplyPolish(RouteDecision* decision) const;
  // Rewrites "auto" to the backend's first model, so the backend sees a
  // name it serves.
  void ResolveAutoModel(Backend* backend, ChatRequest* request) const;
  // The shared pointer this router holds for `backend`; null when none.
  std::shared_ptr<Backend> Shared(Backend* backend) const;
  // The first backend on `side`; null when none.
  Backend* FirstOnSide(RouteSide side) const;
  void Send(Backend* backend, ChatRequest request, std::shared_ptr<EventSink> sink,
            std::shared_ptr<const CancelFlag> cancel, RouteDecision* decision);
  // The sinks `backend`'s answer to `request` goes through on its way to
  // `sink` (shadow tap, escalation, the route note and budget, the
  // fallback), made from `decision` (null: no policy). Sets what `request`
  // must carry to `backend` (its model, report_confidence).
  std::shared_ptr<EventSink> AnswerSink(Backend* backend, ChatRequest* request,
                                        std::shared_ptr<EventSink> sink,
                                        const std::shared_ptr<const CancelFlag>& cancel,
                                        RouteDecision* decision);
  // For a request PolicyEngine::AnswersWithNamedLocalModel holds for,
  // `backend` serving its model: starts the answer, then decides, and lets
  // the answer through (EventGate) with the decision on it.
  void SendWhileDeciding(Backend* backend, ChatRequest request, const RouteTargets& targets,
                         std::shared_ptr<EventSink> sink,
                         std::shared_ptr<const CancelFlag> cancel);
  // Carries `decision` out: its refusal, or `request` to the backend it
  // chose.
  void Dispatch(ChatRequest request, RouteDecision decision, std::shared_ptr<EventSink> sink,
                std::shared_ptr<const CancelFlag> cancel);
  static void LogDecision(const RouteDecision& decision);
  // `sink` behind an EscalationSink when the decision names an escalation
  // model and `backend` is local (see escalation_sink.h): a local answer
  // that fails its checks is replaced by Claude's, with the budget
  // reserved then. Otherwise `sink` itself.
  std::shared_ptr<EventSink> WithEscalation(Backend* backend, const ChatRequest& request,
                                            std::shared_ptr<EventSink> sink,
                                            const std::shared_ptr<const CancelFlag>& cancel,
                                            const RouteDecision& decision) const;

  std::vector<std::shared_ptr<Backend>> backends_;
  Options options_;
  // Set at construction (backends and their models do not change).
  Backend* local_backend_ = nullptr;  // the first local backend
  std::vector<RouteTargets::LocalModel> local_models_;  // of every local backend
  Backend* cloud_backend_ = nullptr;  // the policy's cloud side; null without one
  std::unique_ptr<ShadowEvaluator> shadow_;  // [policy.shadow]; null when off
};

}  // namespace duet
