// RouteDecision: which side answers a request, with which model, and why.
//
// Made by PolicyEngine::Decide once per request; carried to the client as
// x-duet-* response headers (RouteNote), to the server log, and later to
// the ledger. Explanations never quote the request: sensitive findings are
// named by kind only.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "route/budget/budget_tracker.h"
#include "route/classify/task_kinds.h"

namespace duet {

enum class RouteSide { kLocal, kCloud };

std::string_view RouteSideName(RouteSide side);  // "local", "cloud"

// What the policy knows of the backends when it decides. The router fills
// it from the live backends; `duet route` from configuration alone.
struct RouteTargets {
  struct LocalModel {
    std::string id;
    int64_t context_window = 0;  // 0 = unknown: the policy's default
    bool reads_images = false;   // takes image blocks (ModelInfo::reads_images)
    int64_t tokens_per_image = 0;  // ModelInfo::tokens_per_image; 0 = unknown
  };
  // Local models, the default first. Empty with local_configured: a local
  // model is assumed (`duet route` without models).
  std::vector<LocalModel> local_models;
  bool local_configured = true;
  std::string local_unavailable_reason;  // "" = up
  bool local_saturated = false;          // its queue is full

  bool cloud_configured = false;
  std::string cloud_name;                // the cloud backend ("anthropic")
  std::string cloud_unavailable_reason;  // "" = up
  int64_t cloud_tokens_remaining = -1;   // rate-limit window; -1 = unknown

  // The side of the backend serving an explicitly named model; nullopt
  // when none serves it. Unset: every explicit name is local.
  std::function<std::optional<RouteSide>(std::string_view model)> side_of_model;
};

struct RouteDecision {
  RouteSide side = RouteSide::kLocal;
  // The model to ask for: an explicit name, a configured specialist, a
  // Claude tier's model; "" = the side's first model.
  std::string model;
  // The rule that decided, from a fixed set: explicit_model, forced_side,
  // sensitive, local_only_mode, local_only_key, local_reads_no_images,
  // exceeds_local_context,
  // long_context, many_constraints, task, either, no_cloud,
  // cloud_unavailable, cloud_rate_limited, budget, local_unavailable,
  // local_busy.
  std::string rule;
  // Every signal that mattered, in the order checked: plain ASCII.
  std::vector<std::string> reasons;

  TaskKind task = TaskKind::kGeneralQa;
  float task_confidence = 0;
  // 0..1: interlocking constraints, size and how hard the task kind is.
  double complexity = 0;
  int64_t constraints = 0;
  bool sensitive = false;
  std::vector<std::string> sensitive_kinds;  // "email", "credential"...
  bool local_only = false;  // sensitive, strict key or local-only mode
  int64_t estimated_tokens = 0;
  std::string local_role;   // "coding", "reasoning"...
  std::string cloud_tier;   // "haiku", "sonnet", "opus"
  // Set for a local decision whose answer is checked before the client
  // sees it: the Claude model that answers instead when a check fails
  // ([policy.escalation]). "" = the local answer goes out unchecked.
  std::string escalation_model;
  // "polish" when the request asked for the draft-then-improve workflow
  // and it applies (escalation_model is then the polishing Claude model).
  std::string workflow;
  // Set for a local decision that shadow evaluation may sample
  // ([policy.shadow]): the Claude model that would answer the shadow
  // request. "" = never shadowed (sensitive, not decided by the task
  // table, shadowing off, Claude not configured).
  std::string shadow_model;
  bool thinking = false;    // local thinking mode (math)
  // Set by the router when it turned thinking on for this decision (the
  // client had not asked): a second opinion from Claude (shadow) is asked
  // without it, as the client asked.
  bool thinking_added = false;
  double estimated_cost_usd = 0;  // cloud: the budget reservation's amount
  std::string client_key;

  // Set when the cloud was chosen but could not take the request and a
  // local model answers instead: "<cloud backend>: <why>", shown to the
  // client like any other fallback (x-duet-fallback).
  std::string fallback_reason;

  // Cloud answers hold their budget reservation until settled.
  BudgetReservation budget;
  // Not ok: answer with this error and send the request nowhere.
  Status refusal;

  // "rule: reason; reason; ..." for logs and headers.
  std::string Explanation() const;
};

}  // namespace duet
