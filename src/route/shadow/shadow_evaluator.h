// ShadowEvaluator: learns when Claude is actually needed, by putting a
// sample of the answers the task table kept local to Claude as well, off
// the client's path, and having a judge compare the two
// ([policy.shadow]; docs/routing.md, "Shadow evaluation").
//
// The router wraps the client's sink in Tap() for every local answer the
// policy marked (RouteDecision::shadow_model). The tap passes every event
// through untouched and folds the answer; when the answer has reached the
// client complete (kMessageStop), was answered locally (not escalated,
// not a fallback to the cloud) and the sampler picks it, the evaluation
// starts:
//
//   1. the client's request goes to `shadow_model` (not streamed);
//   2. the judge (the local model that answered, or a Claude tier's
//      model) is asked whether the two answers differ materially
//      (shadow_judge.h);
//   3. a ShadowResult goes to the reporter: its verdict, Claude's usage
//      and what the evaluation cost. A step that fails ends it with
//      verdict "failed" and a detail naming the step.
//
// Sampling: every 1/sample_rate-th eligible answer (a running credit, so a
// rate of 0.25 shadows exactly one answer in four). A picked answer is
// skipped, not queued, when max_in_flight evaluations are running or when
// its estimated cost does not fit the shadow's monthly cap
// (ShadowConfig::monthly_usd, its own BudgetTracker) or the policy's
// overall budget ([policy.budget], the anonymous client): shadow spend
// counts against both. Skips are counted (Stats) and logged at debug.
//
// Privacy: a request is put to Claude only when its decision carries a
// shadow_model, which the policy never sets for sensitive or local-only
// requests; Tap() checks local_only and sensitive again and returns the
// sink unwrapped for them.
//
// Lifetime: evaluations hold the evaluator's state and backends alive
// through shared pointers, so they may finish after the router is gone;
// Shutdown() (called by the router's destructor) cancels the calls still
// running, and cancelled evaluations report nothing.
//
// Thread safety: every method is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "backend/backend.h"
#include "route/policy/policy_engine.h"
#include "route/shadow/shadow_result.h"

namespace duet {

class ShadowEvaluator {
 public:
  // The client key shadow spend is reserved under in [policy.budget]: the
  // overall caps (and the default per-key caps) apply to it, no client's.
  static constexpr std::string_view kBudgetKey = "duet-shadow";

  struct Options {
    ShadowReporter reporter;  // null: results are only logged
    // Shadow spend already made this UTC month (from the ledger), so a
    // restart does not reopen the cap.
    double spent_this_month_usd = 0;
  };

  // What the sampler did so far (for tests and /metrics).
  struct Stats {
    int64_t eligible = 0;  // answers whose decision carried a shadow_model
    int64_t started = 0;   // evaluations started
    // Picked, but the answer did not end complete and local (escalated,
    // failed, cancelled by the client).
    int64_t skipped_unanswered = 0;
    int64_t skipped_busy = 0;    // picked, but max_in_flight were running
    int64_t skipped_budget = 0;  // picked, but over a cap
    int64_t finished = 0;        // results reported (any verdict)
  };

  // `policy` gives the configuration (config().shadow), prices, the clock
  // and the overall budget. `cloud` answers the shadow requests and a
  // Claude judge's (it serves the policy's Claude models).
  ShadowEvaluator(std::shared_ptr<PolicyEngine> policy, std::shared_ptr<Backend> cloud,
                  Options options);
  ~ShadowEvaluator();
  ShadowEvaluator(const ShadowEvaluator&) = delete;
  ShadowEvaluator& operator=(const ShadowEvaluator&) = delete;

  // `client` behind a tap that may shadow the answer (see the top), or
  // `client` itself when `decision` carries no shadow_model or must stay
  // local. `request` is the request as the local backend gets it (its
  // model resolved); `local` answered it and judges when the judge is
  // "local"; it must stay alive while the router does.
  std::shared_ptr<EventSink> Tap(std::shared_ptr<EventSink> client, const ChatRequest& request,
                                 const RouteDecision& decision,
                                 std::shared_ptr<Backend> local);

  // Cancels the evaluations still running; later picks are skipped.
  void Shutdown();

  Stats stats() const;

  struct State;  // shared with running evaluations

 private:
  std::shared_ptr<State> state_;
};

}  // namespace duet
