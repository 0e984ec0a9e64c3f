#include "route/policy/policy_engine.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "cost/prices.h"
#include "model/text_size.h"
#include "route/escalation/answer_checks.h"
#include "route/signals/constraints.h"
#include "route/signals/token_estimate.h"

namespace duet {
namespace {

constexpr std::string_view kLocalOnlyMode = "local_only_mode";
constexpr std::string_view kLocalOnlyKey = "local_only_key";
constexpr std::string_view kSensitive = "sensitive";

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

BudgetLimits ToLimits(const BudgetLimitConfig& config) {
  return {.monthly_usd = config.monthly_usd, .daily_usd = config.daily_usd};
}

BudgetOptions ToBudgetOptions(const PolicyConfig& config) {
  BudgetOptions options;
  options.overall = ToLimits(config.budget);
  options.per_key_default = ToLimits(config.key_budget);
  for (const auto& [key, limits] : config.key_budgets) {
    options.per_key[key] = ToLimits(limits);
  }
  return options;
}

SensitiveScannerOptions ToScannerOptions(const PolicyConfig& config) {
  SensitiveScannerOptions options;
  options.words = config.sensitive_words;
  options.patterns = config.sensitive_patterns;
  options.allow = config.sensitive_allow;
  return options;
}

Status ValidateConfig(const PolicyConfig& config) {
  for (const auto& [name, rule] : config.tasks) {
    if (!TaskKindFromName(name)) {
      return InvalidArgument("policy.tasks." + name + ": unknown task (see docs/routing.md)");
    }
    if (!config.local_models.contains(rule.local_role)) {
      return InvalidArgument("policy.tasks." + name + ".local: '" + rule.local_role +
                             "' is not a role of policy.local_models");
    }
    if (!config.claude_models.contains(rule.cloud_tier)) {
      return InvalidArgument("policy.tasks." + name + ".cloud: '" + rule.cloud_tier +
                             "' is not a tier of policy.claude_models");
    }
  }
  for (TaskKind kind : AllTaskKinds()) {
    if (!config.tasks.contains(std::string(TaskKindName(kind)))) {
      return InvalidArgument("policy.tasks: no rule for task " +
                             std::string(TaskKindName(kind)));
    }
  }
  if (!config.claude_models.contains(config.default_cloud_tier)) {
    return InvalidArgument("policy.default_cloud_tier: '" + config.default_cloud_tier +
                           "' is not a tier of policy.claude_models");
  }
  return Status::Ok();
}

std::string JoinKinds(const std::vector<std::string>& kinds) {
  std::string out;
  for (const std::string& kind : kinds) {
    out += out.empty() ? "" : ", ";
    out += kind;
  }
  return out;
}

// The privacy rule, checked once more on the result: a broken rule above
// must fail closed, never send.
void FailClosed(RouteDecision* decision) {
  if (decision->local_only && decision->side == RouteSide::kCloud) {
    decision->side = RouteSide::kLocal;
    decision->refusal = Internal("routing sent local-only data to the cloud; refused");
  }
}

}  // namespace

std::string_view RouteSideName(RouteSide side) {
  return side == RouteSide::kCloud ? "cloud" : "local";
}

std::string RouteDecision::Explanation() const {
  std::string out = rule;
  for (size_t i = 0; i < reasons.size(); ++i) {
    out += i == 0 ? ": " : "; ";
    out += reasons[i];
  }
  return out;
}

struct PolicyEngine::Signals {
  int64_t tokens = 0;
  TaskPrediction prediction;
  TaskKind task = TaskKind::kGeneralQa;
  ConstraintCount constraints;
  std::vector<std::string> sensitive_kinds;
  std::string local_only_rule;  // "" when the cloud is allowed
  std::string local_model;      // the specialist for the task ("" = default)
  int64_t local_window = 0;
  // `tokens` as the chosen local model would count them: its own cost per
  // image, when known, in place of Claude's.
  int64_t local_tokens = 0;
  int64_t images = 0;               // image blocks in the request
  bool local_reads_images = true;   // the chosen local model takes them
  int64_t expected_output = 0;  // output tokens a cloud answer is costed at
  const TaskPolicy* task_policy = nullptr;
};

PolicyEngine::PolicyEngine(PolicyConfig config, const Clock* clock,
                           Options options, SensitiveScanner scanner)
    : config_(std::move(config)),
      options_(options),
      clock_(clock),
      scanner_(std::move(scanner)),
      budget_(ToBudgetOptions(config_), clock) {}

Result<std::unique_ptr<PolicyEngine>> PolicyEngine::Create(PolicyConfig config,
                                                           const Clock* clock,
                                                           Options options) {
  DUET_RETURN_IF_ERROR(ValidateConfig(config));
  DUET_RETURN_IF_ERROR(ValidateBudgetOptions(ToBudgetOptions(config)));
  Result<SensitiveScanner> scanner = SensitiveScanner::Create(ToScannerOptions(config));
  if (!scanner) {
    return Error(InvalidArgument("policy.sensitive: " + scanner.error().message()));
  }
  if (options.classifier == nullptr) {
    options.classifier = &TaskClassifier::BuiltIn();
  }
  if (options.catalog == nullptr) {
    options.catalog = &ClaudeCatalog::BuiltIn();
  }
  if (Status checks = ValidateCheckNames(config.escalation.checks); !checks.ok()) {
    return Error(InvalidArgument("policy.escalation.checks: " + checks.message()));
  }
  if (!config.claude_models.contains(config.polish.tier)) {
    return Error(InvalidArgument("policy.polish.tier: '" + config.polish.tier +
                                 "' is not a tier of policy.claude_models"));
  }
  if (const std::string& tier = config.shadow.tier;
      !tier.empty() && !config.claude_models.contains(tier)) {
    return Error(InvalidArgument("policy.shadow.tier: '" + tier +
                                 "' is not a tier of policy.claude_models"));
  }
  if (const std::string& judge = config.shadow.judge;
      judge != "local" && !config.claude_models.contains(judge)) {
    return Error(InvalidArgument("policy.shadow.judge: '" + judge +
                                 "' is neither \"local\" nor a tier of policy.claude_models"));
  }
  if (const std::string& tier = config.escalation.tier;
      !tier.empty() && !config.claude_models.contains(tier)) {
    return Error(InvalidArgument("policy.escalation.tier: '" + tier +
                                 "' is not a tier of policy.claude_models"));
  }
  // The policy chooses these models itself: a retired one would fail every
  // request it chose it for.
  for (const auto& [tier, model] : config.claude_models) {
    if (const ClaudeModel* known = options.catalog->Find(model);
        known != nullptr && known->retired) {
      return Error(InvalidArgument("policy.claude_models." + tier + ": " + model +
                                   " is retired; duet does not send requests to it"));
    }
  }
  return std::unique_ptr<PolicyEngine>(
      new PolicyEngine(std::move(config), clock, options, std::move(*scanner)));
}

std::vector<SensitiveFinding> PolicyEngine::ScanRequest(const ChatRequest& request) const {
  std::vector<SensitiveFinding> findings;
  const auto scan_block = [&](const ContentBlock& block, const auto& self) -> void {
    switch (block.type) {
      case BlockType::kText:
      case BlockType::kThinking:
        scanner_.Scan(block.text, &findings);
        break;
      case BlockType::kToolUse:
        scanner_.Scan(block.tool_input.text, &findings);
        break;
      case BlockType::kToolResult:
        for (const ContentBlock& inner : block.tool_result_content) {
          self(inner, self);
        }
        break;
      case BlockType::kOther:
        scanner_.Scan(block.raw.text, &findings);
        break;
      case BlockType::kImage:
      case BlockType::kRedactedThinking:
        break;
    }
  };
  for (const ContentBlock& block : request.system) {
    scan_block(block, scan_block);
  }
  for (const Message& message : request.messages) {
    for (const ContentBlock& block : message.content) {
      scan_block(block, scan_block);
    }
  }
  return findings;
}

PolicyEngine::Signals PolicyEngine::ComputeSignals(const ChatRequest& request,
                                                   const RouteTargets& targets) const {
  Signals signals;
  signals.tokens = EstimateRequestTokens(request);
  signals.expected_output =
      std::min(request.max_tokens.value_or(config_.expected_output_tokens),
               config_.expected_output_tokens);
  const InstructionText instruction = ExtractInstruction(request);
  signals.prediction = options_.classifier->Classify(
      {.text = instruction.text,
       .request_tokens = signals.tokens,
       .prior_turns = instruction.prior_turns,
       .has_tools = !request.tools.empty()});
  signals.task = signals.prediction.kind;
  signals.constraints = CountConstraints(instruction.text);
  if (signals.constraints.Interlocking(config_.constraint_threshold)) {
    signals.task = TaskKind::kMultiConstraint;
  }
  // A document analysis over the long-context threshold is a long one,
  // whatever the wording says.
  if (signals.task == TaskKind::kShortDocumentAnalysis &&
      signals.tokens > config_.long_context_tokens) {
    signals.task = TaskKind::kLongDocumentAnalysis;
  }
  signals.task_policy = &config_.tasks.at(std::string(TaskKindName(signals.task)));

  for (const SensitiveFinding& finding : ScanRequest(request)) {
    const std::string kind(SensitiveKindName(finding.kind));
    if (!Contains(signals.sensitive_kinds, kind)) {
      signals.sensitive_kinds.push_back(kind);
    }
  }
  if (config_.mode == "local-only") {
    signals.local_only_rule = kLocalOnlyMode;
  } else if (!signals.sensitive_kinds.empty()) {
    signals.local_only_rule = kSensitive;
  } else if (Contains(config_.local_only_keys, request.route_hints.client_key)) {
    signals.local_only_rule = kLocalOnlyKey;
  }

  // The task's local specialist, when it is loaded; else the first model.
  // A request with images needs one that reads them: the first such when
  // the specialist does not.
  signals.images = static_cast<int64_t>(CountImages(request));
  const auto role = config_.local_models.find(signals.task_policy->local_role);
  const std::string wanted = role == config_.local_models.end() ? "" : role->second;
  signals.local_window = config_.default_local_context;
  const RouteTargets::LocalModel* chosen = nullptr;
  for (const RouteTargets::LocalModel& model : targets.local_models) {
    if (!wanted.empty() && model.id == wanted) {
      chosen = &model;
    }
  }
  if (chosen == nullptr && !targets.local_models.empty()) {
    chosen = &targets.local_models.front();
  }
  if (chosen != nullptr && signals.images > 0 && !chosen->reads_images) {
    for (const RouteTargets::LocalModel& model : targets.local_models) {
      if (model.reads_images) {
        chosen = &model;
        break;
      }
    }
  }
  signals.local_tokens = signals.tokens;
  if (chosen != nullptr) {
    signals.local_model = chosen->id;
    signals.local_reads_images = chosen->reads_images;
    if (chosen->context_window > 0) {
      signals.local_window = chosen->context_window;
    }
    if (chosen->reads_images && chosen->tokens_per_image > 0) {
      signals.local_tokens +=
          signals.images * (chosen->tokens_per_image - kImageTokenEstimate);
    }
  }
  return signals;
}

void PolicyEngine::GoLocal(std::string rule, std::string reason,
                           RouteDecision* decision) const {
  decision->side = RouteSide::kLocal;
  decision->rule = std::move(rule);
  decision->reasons.push_back(std::move(reason));
}

void PolicyEngine::GoCloud(std::string rule, std::string reason,
                           RouteDecision* decision) const {
  decision->side = RouteSide::kCloud;
  decision->rule = std::move(rule);
  decision->reasons.push_back(std::move(reason));
}

double PolicyEngine::CloudCost(std::string_view model, const Usage& usage) const {
  const ClaudeModel* info = options_.catalog->Find(model);
  return info == nullptr ? 0 : CostUsd(usage, PricesOf(*info));
}

void PolicyEngine::ChooseModel(const Signals& signals, RouteDecision* decision) const {
  decision->local_role = signals.task_policy->local_role;
  if (decision->side == RouteSide::kLocal) {
    decision->model = signals.local_model;
    decision->thinking = signals.task_policy->thinking;
    decision->cloud_tier.clear();
    return;
  }
  // The task's own tier when the table sends it to the cloud; the default
  // (cheap) tier when a local task lands there for another reason.
  const TaskPolicy& task = *signals.task_policy;
  const bool task_goes_cloud =
      task.route == "cloud" || (task.route == "either" && config_.either == "cloud");
  decision->cloud_tier = task_goes_cloud ? task.cloud_tier : config_.default_cloud_tier;
  decision->model = config_.claude_models.at(decision->cloud_tier);
  decision->thinking = false;
}

void PolicyEngine::ApplyCloudLimits(const Signals& signals, const RouteTargets& targets,
                                    bool request_allows_fallback, RouteDecision* decision) {
  const bool fits_local = signals.local_tokens <= signals.local_window &&
                          (signals.images == 0 || signals.local_reads_images) &&
                          targets.local_configured &&
                          targets.local_unavailable_reason.empty();
  // `fallback`: the cloud was wanted and could not take it (shown as a
  // fallback), as opposed to a cloud that was never there.
  const auto stay_or_go_local = [&](std::string rule, std::string reason,
                                    bool fallback = true) {
    if (!request_allows_fallback && fallback) {
      // x-duet-fallback: never: the client wants this side or an error.
      decision->refusal = Unavailable(reason + " (and x-duet-fallback is never)");
      decision->reasons.push_back(std::move(reason));
    } else if (fits_local) {
      if (fallback) {
        decision->fallback_reason =
            (targets.cloud_name.empty() ? std::string("cloud") : targets.cloud_name) + ": " +
            reason;
      }
      GoLocal(std::move(rule), std::move(reason) + " -> local", decision);
    } else {
      decision->reasons.push_back(std::move(reason) + "; local cannot take it either");
    }
  };
  if (!targets.cloud_configured) {
    if (!fits_local && !decision->local_only) {
      decision->refusal = InvalidArgument(fmt::format(
          "this request is about {} tokens, more than the local model's {}-token "
          "context window, and no cloud backend is configured",
          signals.local_tokens, signals.local_window));
    }
    stay_or_go_local("no_cloud", "no cloud backend is configured", /*fallback=*/false);
    return;
  }
  if (!targets.cloud_unavailable_reason.empty()) {
    stay_or_go_local("cloud_unavailable", targets.cloud_unavailable_reason);
    return;
  }
  const int64_t expected_output = signals.expected_output;
  if (targets.cloud_tokens_remaining >= 0 &&
      targets.cloud_tokens_remaining < signals.tokens + expected_output) {
    stay_or_go_local("cloud_rate_limited",
                     fmt::format("cloud rate limit: {} tokens left in the window",
                                 targets.cloud_tokens_remaining));
    return;
  }
  decision->estimated_cost_usd =
      CloudCost(decision->model, Usage{.input_tokens = signals.tokens,
                                       .output_tokens = expected_output});
  if (!budget_.Enabled()) {
    return;
  }
  BudgetRefusal refusal;
  Result<BudgetReservation> reservation =
      budget_.Reserve(decision->client_key, decision->estimated_cost_usd, &refusal);
  if (reservation) {
    decision->budget = std::move(*reservation);
    return;
  }
  stay_or_go_local("budget", refusal.Message());
}

void PolicyEngine::FinishCloud(const Signals& signals, const RouteTargets& targets,
                               bool request_allows_fallback, RouteDecision* decision) {
  if (decision->side != RouteSide::kCloud) {
    return;
  }
  ApplyCloudLimits(signals, targets, request_allows_fallback, decision);
  if (decision->side == RouteSide::kLocal) {
    ChooseModel(signals, decision);
  }
}

bool PolicyEngine::AnswersWithNamedLocalModel(const ChatRequest& request,
                                              const RouteTargets& targets,
                                              std::string_view auto_model) const {
  // Decide's step 1 for an explicit model on the local side: the model as
  // named, nothing else (escalation, shadow and thinking are for the task
  // table's local answers; budgets and cloud limits for Claude's).
  return !request.model.empty() && request.model != auto_model &&
         (!targets.side_of_model || targets.side_of_model(request.model) == RouteSide::kLocal);
}

RouteDecision PolicyEngine::Decide(const ChatRequest& request,
                                   const RouteTargets& targets,
                                   std::string_view auto_model) {
  const Signals signals = ComputeSignals(request, targets);
  RouteDecision decision;
  decision.task = signals.task;
  decision.task_confidence = signals.prediction.confidence;
  decision.constraints = signals.constraints.total;
  decision.sensitive = !signals.sensitive_kinds.empty();
  decision.sensitive_kinds = signals.sensitive_kinds;
  decision.local_only = !signals.local_only_rule.empty();
  decision.estimated_tokens = signals.tokens;
  decision.client_key = request.route_hints.client_key;
  const double task_hardness =
      signals.task_policy->route == "cloud" ? signals.prediction.confidence : 0.0;
  decision.complexity =
      0.5 * std::min(1.0, static_cast<double>(signals.constraints.total) /
                              static_cast<double>(config_.constraint_threshold)) +
      0.3 * std::min(1.0, static_cast<double>(signals.tokens) /
                              static_cast<double>(config_.long_context_tokens)) +
      0.2 * task_hardness;

  const std::string local_only_reason =
      signals.local_only_rule == kSensitive
          ? "sensitive data (" + JoinKinds(signals.sensitive_kinds) + ") stays local"
      : signals.local_only_rule == kLocalOnlyMode ? std::string("policy.mode is local-only")
                                                  : std::string("this client key is local-only");

  // 1. An explicit model is honoured, unless it would send local-only
  //    data to the cloud.
  const bool explicit_model = !request.model.empty() && request.model != auto_model;
  const std::string& forced = request.route_hints.forced_side;
  if (explicit_model) {
    const std::optional<RouteSide> side =
        targets.side_of_model ? targets.side_of_model(request.model) : RouteSide::kLocal;
    if (side == RouteSide::kCloud && decision.local_only) {
      GoLocal(signals.local_only_rule,
              "asked for " + request.model + ", but " + local_only_reason, &decision);
    } else {
      decision.side = side.value_or(RouteSide::kLocal);
      decision.rule = "explicit_model";
      decision.reasons.push_back("asked for " + request.model);
      decision.model = request.model;
      decision.local_role = signals.task_policy->local_role;
      // Claude's health, rate limits and budget concern Claude models; a
      // named OpenAI-compatible model answers (or falls back) on its own.
      // A retired Claude model is refused here, before any budget is
      // reserved or a fallback could answer in its name.
      if (const ClaudeModel* claude = options_.catalog->Find(request.model);
          claude != nullptr && claude->retired && side != RouteSide::kLocal) {
        decision.refusal = options_.catalog->FindSendable(request.model).error();
      } else if (claude != nullptr) {
        FinishCloud(signals, targets, request.route_hints.allow_fallback, &decision);
      }
      FailClosed(&decision);
      return decision;
    }
  } else if (forced == "cloud" && decision.local_only) {
    GoLocal(signals.local_only_rule, "x-duet-route asked for the cloud, but " +
                                         local_only_reason, &decision);
  } else if (forced == "cloud" || forced == "local") {
    if (forced == "cloud") {
      GoCloud("forced_side", "x-duet-route: cloud", &decision);
    } else {
      GoLocal("forced_side", "x-duet-route: local", &decision);
    }
  } else if (decision.local_only) {
    GoLocal(signals.local_only_rule, local_only_reason, &decision);
  } else if (signals.images > 0 && !signals.local_reads_images) {
    GoCloud("local_reads_no_images",
            fmt::format("{} image{}, and no local model reads images", signals.images,
                        signals.images == 1 ? "" : "s"),
            &decision);
  } else if (signals.local_tokens > signals.local_window) {
    GoCloud("exceeds_local_context",
            fmt::format("~{} tokens exceed the local window of {}", signals.local_tokens,
                        signals.local_window),
            &decision);
  } else if (signals.tokens > config_.long_context_tokens) {
    GoCloud("long_context",
            fmt::format("~{} tokens, over the {}-token long-context threshold",
                        signals.tokens, config_.long_context_tokens),
            &decision);
  } else if (signals.constraints.Interlocking(config_.constraint_threshold)) {
    GoCloud("many_constraints",
            fmt::format("{} interlocking constraints", signals.constraints.total),
            &decision);
  } else {
    const std::string& route = signals.task_policy->route;
    const std::string task_name(TaskKindName(signals.task));
    const bool either = route == "either";
    const bool cloud = either ? config_.either == "cloud" : route == "cloud";
    std::string rule = either ? "either" : "task";
    std::string reason = either ? task_name + " suits both sides; policy.either = " +
                                      config_.either
                                : task_name + " goes " + route + " by the task table";
    if (cloud) {
      GoCloud(std::move(rule), std::move(reason), &decision);
    } else {
      GoLocal(std::move(rule), std::move(reason), &decision);
    }
  }
  decision.reasons.push_back(fmt::format("task {}/{} ({:.2f})", TaskDomainName(signals.task),
                                         TaskKindName(signals.task),
                                         signals.prediction.confidence));
  decision.reasons.push_back(fmt::format("~{} tokens", signals.tokens));

  // 2. The chosen side must be able to answer.
  if (decision.side == RouteSide::kLocal) {
    if (decision.local_only && signals.local_tokens > signals.local_window) {
      decision.refusal = InvalidArgument(fmt::format(
          "this request is about {} tokens, more than the local model's {}-token "
          "context window, and it cannot be sent to the cloud: {}",
          signals.local_tokens, signals.local_window, local_only_reason));
    } else if (!targets.local_configured || !targets.local_unavailable_reason.empty()) {
      const std::string why = targets.local_configured
                                  ? "local " + targets.local_unavailable_reason
                                  : std::string("no local model is configured");
      if (decision.local_only) {
        decision.refusal = Unavailable(why + ", and " + local_only_reason +
                                       ": it is never sent to the cloud");
      } else if (targets.cloud_configured) {
        GoCloud("local_unavailable", why + " -> cloud", &decision);
      }
    } else if (targets.local_saturated && config_.overflow_to_cloud &&
               !decision.local_only && targets.cloud_configured &&
               targets.cloud_unavailable_reason.empty()) {
      GoCloud("local_busy", "the local queue is full -> cloud", &decision);
    }
  }
  ChooseModel(signals, &decision);
  FinishCloud(signals, targets, request.route_hints.allow_fallback, &decision);
  MarkEscalation(signals, targets, &decision);
  MarkShadow(signals, targets, &decision);
  FailClosed(&decision);
  return decision;
}

namespace {

// Whether answers the task table kept local may be second-guessed by
// Claude (escalation, shadow): not when a client, a size rule or a
// fallback chose the side, never for local-only requests, and only with
// Claude configured and up.
bool CloudMaySecondGuess(const RouteTargets& targets, const RouteDecision& decision) {
  const bool by_task = decision.rule == "task" || decision.rule == "either";
  return decision.side == RouteSide::kLocal && by_task && !decision.local_only &&
         !decision.sensitive && decision.refusal.ok() && targets.cloud_configured &&
         targets.cloud_unavailable_reason.empty();
}

bool TaskListed(const std::vector<std::string>& tasks, std::string_view task) {
  return std::any_of(tasks.begin(), tasks.end(),
                     [&](const std::string& listed) { return listed == "*" || listed == task; });
}

}  // namespace

std::string PolicyEngine::SecondOpinionModel(const Signals& signals,
                                             const std::string& tier_override) const {
  const std::string& tier =
      tier_override.empty() ? signals.task_policy->cloud_tier : tier_override;
  const auto model = config_.claude_models.find(tier);
  const ClaudeModel* claude =
      model == config_.claude_models.end() ? nullptr : options_.catalog->Find(model->second);
  return claude == nullptr || claude->retired ? std::string() : model->second;
}

void PolicyEngine::MarkEscalation(const Signals& signals, const RouteTargets& targets,
                                  RouteDecision* decision) const {
  const EscalationConfig& escalation = config_.escalation;
  if (escalation.enabled && CloudMaySecondGuess(targets, *decision) &&
      TaskListed(escalation.tasks, TaskKindName(signals.task))) {
    decision->escalation_model = SecondOpinionModel(signals, escalation.tier);
  }
}

void PolicyEngine::MarkShadow(const Signals& signals, const RouteTargets& targets,
                              RouteDecision* decision) const {
  const ShadowConfig& shadow = config_.shadow;
  if (shadow.enabled && shadow.sample_rate > 0 && CloudMaySecondGuess(targets, *decision) &&
      TaskListed(shadow.tasks, TaskKindName(signals.task))) {
    decision->shadow_model = SecondOpinionModel(signals, shadow.tier);
  }
}

}  // namespace duet
