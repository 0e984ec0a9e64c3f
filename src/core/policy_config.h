// PolicyConfig: the routing policy as configuration ([policy] and its
// sub-tables in TOML). The defaults written here are the guide's policy
// (../shared/spec/policy.md); config/duet.toml spells them out and
// docs/routing.md explains each.
//
// Validation that needs the router's knowledge (task names, model names)
// happens when the router is built from this config; here only types and
// ranges are checked.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace duet {

// How one task kind is routed when no hard rule fires (policy.md §2).
struct TaskPolicy {
  std::string route = "local";  // "local", "cloud" or "either"
  std::string local_role = "general";  // a key of PolicyConfig::local_models
  std::string cloud_tier = "haiku";    // a key of PolicyConfig::claude_models
  bool thinking = false;  // local thinking mode on (math)
  friend bool operator==(const TaskPolicy&, const TaskPolicy&) = default;
};

struct BudgetLimitConfig {
  double monthly_usd = 0;  // 0 = no cap
  double daily_usd = 0;
  friend bool operator==(const BudgetLimitConfig&, const BudgetLimitConfig&) = default;
};

// Escalation (docs/routing.md, "Escalation"): a local answer to a
// candidate request is checked before the client sees it, and Claude
// answers instead when a check fails.
struct EscalationConfig {
  bool enabled = true;
  // Task kinds whose local answers are checked; "*" = every kind.
  std::vector<std::string> tasks = {"*"};
  // Checks, in order (route/escalation/answer_checks.h): empty,
  // truncated, refusal, repetition, json, tool; and, only when listed,
  // confidence.
  std::vector<std::string> checks = {"empty",      "truncated", "refusal",
                                     "repetition", "json",      "tool"};
  // "truncated" fires on max_tokens hit with a budget of at most this.
  int64_t truncated_budget_tokens = 1024;
  // Streaming clients: the local answer is held back this long for the
  // checks; an answer still running then streams unchecked.
  int64_t stream_hold_ms = 3000;
  // The Claude tier that answers instead; "" = the task's cloud tier.
  std::string tier;
  // Self-verification: the local model grades its own answer 0-10 (a
  // second, short local call); under the threshold, Claude answers.
  bool self_check = false;
  int64_t self_check_threshold = 6;
  // The opt-in "confidence" check fires when the local answer's mean token
  // log-probability is under this (route/escalation/answer_checks.h).
  double min_mean_logprob = -3.0;
  friend bool operator==(const EscalationConfig&, const EscalationConfig&) = default;
};

// Polish (model "duet/polish" or x-duet-workflow: polish): the local
// model drafts, the `tier` Claude model improves the draft, and with
// `review` the local model then reviews Claude's version against the
// request and flags where they disagree (docs/routing.md, "Polish").
struct PolishConfig {
  std::string tier = "sonnet";
  bool review = false;
  friend bool operator==(const PolishConfig&, const PolishConfig&) = default;
};

// Shadow evaluation (docs/routing.md, "Shadow evaluation"): a sample of
// the answers the task table kept local is also put to Claude afterwards,
// off the client's path, and a judge says whether the two answers differ
// materially. Never for sensitive requests; capped by its own monthly
// budget (and by [policy.budget]).
struct ShadowConfig {
  bool enabled = false;
  // The share of eligible local answers that are shadowed, 0..1. Sampling
  // is spread evenly (every 1/rate-th eligible answer), not random.
  double sample_rate = 0.05;
  // Task kinds sampled; "*" = every kind.
  std::vector<std::string> tasks = {"*"};
  // The Claude tier that answers the shadow request; "" = the task's
  // cloud tier.
  std::string tier;
  // Who compares the two answers: "local" (the local model that answered)
  // or a tier of policy.claude_models.
  std::string judge = "local";
  // Shadow spend per UTC month (Claude's answers and a Claude judge); no
  // shadow call starts once this would be exceeded.
  double monthly_usd = 5.0;
  // Shadow calls running at once; an answer sampled beyond this is skipped.
  int64_t max_in_flight = 2;
  friend bool operator==(const ShadowConfig&, const ShadowConfig&) = default;
};

struct PolicyConfig {
  // "auto": the policy decides. "local-only": a strict deployment, where
  // nothing is ever sent to a cloud backend.
  std::string mode = "auto";
  // Where tasks the table marks "either" go: "local" (free) or "cloud".
  std::string either = "local";
  // Requests above this many tokens go to Claude where context matters
  // (policy.md §1: "anything over 50K tokens").
  int64_t long_context_tokens = 50'000;
  // The local window assumed when no local model is loaded (a model's real
  // window replaces it when one is).
  int64_t default_local_context = 131'072;
  // Interlocking constraints in the instruction from which Claude answers.
  int64_t constraint_threshold = 4;
  // Requests to a saturated local engine (queue full) go to the cloud
  // instead of waiting, unless sensitive. Off: they wait or get a 429.
  bool overflow_to_cloud = false;
  // Claude tier used when the cloud answers a task whose table entry is
  // local (too long for the local window, local down).
  std::string default_cloud_tier = "haiku";
  // Output tokens assumed when reserving budget for a request without
  // max_tokens.
  int64_t expected_output_tokens = 1024;

  // Local specialist per role (policy.md §3): role -> local model id; ""
  // or a missing role means the first local model.
  std::map<std::string, std::string> local_models = {
      {"general", ""}, {"coding", ""}, {"reasoning", ""}, {"flagship", ""}};
  // Claude model per tier: tier -> model id or alias.
  std::map<std::string, std::string> claude_models = {
      {"haiku", "claude-haiku-4-5"},
      {"sonnet", "claude-sonnet-4-6"},
      {"opus", "claude-opus-4-6"}};
  // The task table, by task name ("code_review"). Defaults: policy.md §2.
  std::map<std::string, TaskPolicy> tasks = DefaultTaskPolicies();

  // Sensitive data: extra words (client names, code names), RE2
  // patterns, strings that are never sensitive, and client keys (by id)
  // whose requests always stay local.
  std::vector<std::string> sensitive_words;
  std::vector<std::string> sensitive_patterns;
  std::vector<std::string> sensitive_allow;
  std::vector<std::string> local_only_keys;

  // Cloud spend caps, overall and per client key id.
  BudgetLimitConfig budget;
  BudgetLimitConfig key_budget;  // every key not listed in key_budgets
  std::map<std::string, BudgetLimitConfig> key_budgets;

  EscalationConfig escalation;
  PolishConfig polish;
  ShadowConfig shadow;

  static std::map<std::string, TaskPolicy> DefaultTaskPolicies();

  // Whether any cap counts this month's spend: a budget cap, overall or
  // per key, or the shadow evaluation's when it is on.
  bool HasSpendCaps() const;

  friend bool operator==(const PolicyConfig&, const PolicyConfig&) = default;
};

// `policy` as TOML: the [policy] table and its sub-tables.
std::string PolicyToToml(const PolicyConfig& policy);

}  // namespace duet
