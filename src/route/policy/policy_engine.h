// PolicyEngine: the guide's routing policy (policy.md) as one decision per
// request — which side answers, which model, and why.
//
// Signals, each computed once: the explicit model or x-duet-route header,
// sensitive data in any text part (hard rule: local only), the token
// estimate against the local window and the long-context threshold, the
// task kind and its confidence, interlocking constraints, the cloud's
// health and rate-limit headroom, the local queue, and the cloud budget.
// Rules apply in the order of policy.md §1, then the task table (§2);
// docs/routing.md lists them.
//
// Privacy: a decision with local_only set never has side kCloud, whatever
// the other signals say; the router checks it again before sending.
//
// Determinism: the same request, config and state (targets, budget)
// give the same decision.
//
// Thread safety: Decide is thread-safe (the budget tracker synchronises
// itself; everything else is immutable).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/policy_config.h"
#include "model/chat.h"
#include "model/claude_catalog.h"
#include "route/budget/budget_tracker.h"
#include "route/classify/task_classifier.h"
#include "route/policy/route_decision.h"
#include "route/sensitive/sensitive_scanner.h"

namespace duet {

class PolicyEngine {
 public:
  struct Options {
    // The task classifier; null = TaskClassifier::BuiltIn().
    const TaskClassifier* classifier = nullptr;
    // Claude prices and tiers; null = ClaudeCatalog::BuiltIn().
    const ClaudeCatalog* catalog = nullptr;
  };

  // Validates `config` (task names, roles, tiers, sensitive patterns,
  // budgets; no policy.claude_models entry may name a model the catalogue
  // marks retired): kInvalidArgument naming the key. `clock` must outlive the
  // engine.
  static Result<std::unique_ptr<PolicyEngine>> Create(PolicyConfig config,
                                                      const Clock* clock,
                                                      Options options);
  static Result<std::unique_ptr<PolicyEngine>> Create(PolicyConfig config,
                                                      const Clock* clock) {
    return Create(std::move(config), clock, Options());
  }

  // Decides for `request` (model "" or `auto_model` = let the policy
  // choose). A cloud decision carries a budget reservation when budgets
  // are configured; the caller settles it from the answer's usage. An
  // explicit retired Claude model is refused (RouteDecision::refusal,
  // kNotFound) unless a local backend serves that name.
  RouteDecision Decide(const ChatRequest& request, const RouteTargets& targets,
                       std::string_view auto_model = "auto");

  // True when Decide sends `request` to the model it names, served
  // locally, whatever the request holds: an explicit model name that
  // targets.side_of_model puts on the local side. Decide's other fields
  // (task, sensitivity, estimates) still read the request; the router
  // starts such an answer while Decide reads it.
  bool AnswersWithNamedLocalModel(const ChatRequest& request, const RouteTargets& targets,
                                  std::string_view auto_model = "auto") const;

  // Findings of sensitive data in every text part of `request`: system,
  // every turn's text, tool calls' inputs and tool results.
  std::vector<SensitiveFinding> ScanRequest(const ChatRequest& request) const;

  // USD for `usage` on Claude model `model` (id or alias); 0 when the
  // catalogue does not know it.
  double CloudCost(std::string_view model, const Usage& usage) const;

  const PolicyConfig& config() const { return config_; }
  BudgetTracker& budget() { return budget_; }
  const Clock* clock() const { return clock_; }

 private:
  PolicyEngine(PolicyConfig config, const Clock* clock, Options options,
               SensitiveScanner scanner);

  struct Signals;
  Signals ComputeSignals(const ChatRequest& request,
                         const RouteTargets& targets) const;
  // Names the Claude model that answers if the local answer fails its
  // checks (RouteDecision::escalation_model), for requests the task table
  // kept local when escalation may apply.
  void MarkEscalation(const Signals& signals, const RouteTargets& targets,
                      RouteDecision* decision) const;
  // Sets decision->shadow_model when [policy.shadow] may sample the
  // answer (same conditions as escalation, for the shadow's own tasks).
  void MarkShadow(const Signals& signals, const RouteTargets& targets,
                  RouteDecision* decision) const;
  // The Claude model of `tier_override`, else of the task's cloud tier;
  // "" when it is unknown to the catalogue or retired.
  std::string SecondOpinionModel(const Signals& signals,
                                 const std::string& tier_override) const;
  void ChooseModel(const Signals& signals, RouteDecision* decision) const;
  // Moves a cloud decision local when the cloud cannot or may not take it
  // (not configured, down, rate-limited, over budget), if local can;
  // reserves the budget when it stays.
  void ApplyCloudLimits(const Signals& signals, const RouteTargets& targets,
                        bool request_allows_fallback, RouteDecision* decision);
  // A cloud decision: ApplyCloudLimits, and the local model when it moved.
  void FinishCloud(const Signals& signals, const RouteTargets& targets,
                   bool request_allows_fallback, RouteDecision* decision);
  void GoLocal(std::string rule, std::string reason, RouteDecision* decision) const;
  void GoCloud(std::string rule, std::string reason, RouteDecision* decision) const;

  PolicyConfig config_;
  Options options_;
  const Clock* clock_;
  SensitiveScanner scanner_;
  BudgetTracker budget_;
};

}  // namespace duet
