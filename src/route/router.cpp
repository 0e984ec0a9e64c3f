#include "route/router.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "route/escalation/escalation_sink.h"

namespace duet {
namespace {

// The pseudo-model that asks for the polish workflow.
constexpr std::string_view kPolishModel = "duet/polish";

// A cloud answer's budget reservation, settled from the answer's usage.
struct Settlement {
  std::shared_ptr<PolicyEngine> policy;
  BudgetReservation reservation;
  std::string model;
  std::optional<Usage> usage;

  void Finish() {
    if (usage) {
      reservation.Settle(policy->CloudCost(model, *usage));
    } else {
      reservation.Release();
    }
  }
};

// Stamps the route on kMessageStart, settles the budget when the answer
// ends and, when armed, replaces a first eligible error with the fallback
// backend's answer.
class RoutingSink final : public EventSink {
 public:
  RoutingSink(std::shared_ptr<EventSink> client, RouteNote note,
              std::optional<Settlement> settlement)
      : client_(std::move(client)),
        note_(std::move(note)),
        settlement_(std::move(settlement)) {}

  // Arms the fallback: `request` goes to `fallback` (model already set)
  // if the first event is an eligible error.
  void ArmFallback(Backend* fallback, ChatRequest request,
                   std::shared_ptr<const CancelFlag> cancel) {
    fallback_ = fallback;
    fallback_request_ = std::move(request);
    cancel_ = std::move(cancel);
  }

  void OnEvent(ChatEvent event) override {
    if (!started_) {
      started_ = true;
      if (event.kind == ChatEvent::Kind::kError && fallback_ != nullptr &&
          Router::IsFallbackEligible(event.error.code()) &&
          !(cancel_ && cancel_->cancelled())) {
        spdlog::info("{} failed before answering ({}); answering from {}",
                     note_.backend, event.error.ToString(), fallback_->name());
        if (settlement_) {
          settlement_->reservation.Release();  // nothing was billed
        }
        RouteNote next_note = note_;
        next_note.backend = std::string(fallback_->name());
        next_note.local = fallback_->locality() == Locality::kLocal;
        next_note.fallback_reason = note_.backend + ": " + event.error.message();
        if (!next_note.side.empty()) {
          next_note.side = "local";
        }
        auto next = std::make_shared<RoutingSink>(std::move(client_),
                                                  std::move(next_note), std::nullopt);
        fallback_->Generate(std::move(*fallback_request_), std::move(next),
                            std::move(cancel_));
        return;
      }
      fallback_request_.reset();  // the request is answered; free the copy
    }
    if (event.kind == ChatEvent::Kind::kError) {
      event.route = note_;  // a refused or failed answer still says who and why
    }
    if (event.kind == ChatEvent::Kind::kMessageStart) {
      const std::string fallback_reason = std::move(event.route.fallback_reason);
      event.route = note_;
      if (event.route.fallback_reason.empty()) {
        event.route.fallback_reason = fallback_reason;
      }
    }
    if (settlement_) {
      if (event.kind == ChatEvent::Kind::kMessageStart ||
          event.kind == ChatEvent::Kind::kMessageDelta) {
        settlement_->usage = event.usage;
      }
      if (event.terminal()) {
        settlement_->Finish();
        settlement_.reset();
      }
    }
    client_->OnEvent(std::move(event));
  }

 private:
  std::shared_ptr<EventSink> client_;
  const RouteNote note_;
  std::optional<Settlement> settlement_;
  Backend* fallback_ = nullptr;
  std::optional<ChatRequest> fallback_request_;
  std::shared_ptr<const CancelFlag> cancel_;
  bool started_ = false;
};

RouteNote NoteFor(const RouteDecision& decision) {
  RouteNote note;
  note.side = std::string(RouteSideName(decision.side));
  note.task = std::string(TaskDomainName(decision.task)) + "/" +
              std::string(TaskKindName(decision.task));
  note.rule = decision.rule;
  note.explanation = decision.Explanation();
  note.sensitive = decision.sensitive;
  return note;
}

// Collects the local model's grade of its own answer (self-verification)
// and hands the verdict on when the answer ends.
class VerdictSink final : public EventSink {
 public:
  using Done = std::function<void(std::optional<CheckFailure>)>;
  VerdictSink(int64_t threshold, Done done) : threshold_(threshold), done_(std::move(done)) {}

  void OnEvent(ChatEvent event) override {
    if (event.kind == ChatEvent::Kind::kBlockDelta &&
        event.delta_kind == ChatEvent::DeltaKind::kText) {
      text_ += event.delta;
    }
    if (!event.terminal()) {
      return;
    }
    // No grade (an error, or no number in the reply) is no verdict: the
    // other checks already passed.
    std::optional<CheckFailure> failure;
    const size_t digit = text_.find_first_of("0123456789");
    if (event.kind == ChatEvent::Kind::kMessageStop && digit != std::string::npos) {
      const int64_t grade = std::min<int64_t>(10, std::atoll(text_.c_str() + digit));
      if (grade < threshold_) {
        failure = CheckFailure{"self_check",
                               fmt::format("the local model graded its own answer {}/10, under "
                                           "policy.escalation.self_check_threshold ({})",
                                           grade, threshold_)};
      }
    }
    done_(std::move(failure));
  }

 private:
  const int64_t threshold_;
  Done done_;
  std::string text_;
};

// The question the local model grades its answer against.
ChatRequest SelfCheckRequest(const ChatRequest& original, const ChatResponse& answer,
                             const std::string& model) {
  std::string question;
  for (const Message& message : original.messages) {
    if (message.role != Role::kUser) {
      continue;
    }
    question.clear();
    for (const ContentBlock& block : message.content) {
      question += block.type == BlockType::kText ? block.text : "";
    }
  }
  std::string text;
  for (const ContentBlock& block : answer.content) {
    text += block.type == BlockType::kText ? block.text : "";
  }
  ChatRequest check;
  check.model = model;
  check.max_tokens = 8;
  check.sampling.temperature = 0.0;
  check.system = {ContentBlock::Text(
      "You grade answers. Reply with one integer from 0 (useless or wrong) to 10 (correct "
      "and complete), nothing else.")};
  check.messages.push_back(
      {Role::kUser,
       {ContentBlock::Text("Question:\n" + question + "\n\nAnswer:\n" + text +
                           "\n\nGrade the answer from 0 to 10.")}});
  return check;
}

// The request Claude gets in the polish workflow: the conversation, the
// local draft as its answer, and a request to improve it. An empty draft
// (a tool call, say) leaves the request as it was.
ChatRequest PolishRequest(const ChatRequest& original, const std::string& draft) {
  ChatRequest polished = original;
  if (draft.empty()) {
    return polished;
  }
  polished.messages.push_back({Role::kAssistant, {ContentBlock::Text(draft)}});
  polished.messages.push_back(
      {Role::kUser,
       {ContentBlock::Text("Improve your answer above: correct what is wrong, fill what is "
                           "missing, keep what is right, and keep to what I asked for. Reply "
                           "with the improved answer only.")}});
  return polished;
}

}  // namespace

Router::Router(std::vector<std::shared_ptr<Backend>> backends,
               Options options)
    : backends_(std::move(backends)), options_(std::move(options)) {
  // Backends and their models are fixed for the router's life: what the
  // policy needs to know about them is looked up once, not per request.
  for (const auto& backend : backends_) {
    if (backend->locality() != Locality::kLocal) {
      continue;
    }
    local_backend_ = local_backend_ != nullptr ? local_backend_ : backend.get();
    for (const ModelInfo& info : backend->ListModels()) {
      local_models_.push_back({info.id, info.context_window});
    }
  }
  // The policy's cloud side: the first cloud backend serving a Claude
  // model the policy names.
  if (options_.policy) {
    for (const auto& backend : backends_) {
      for (const auto& [tier, model] : options_.policy->config().claude_models) {
        if (cloud_backend_ == nullptr && backend->locality() == Locality::kCloud &&
            backend->Serves(model)) {
          cloud_backend_ = backend.get();
        }
      }
    }
  }
}

bool Router::IsFallbackEligible(ErrorCode code) {
  return code == ErrorCode::kUnavailable ||
         code == ErrorCode::kResourceExhausted ||
         code == ErrorCode::kDeadlineExceeded || code == ErrorCode::kInternal;
}

Locality Router::locality() const {
  for (const auto& backend : backends_) {
    if (backend->locality() == Locality::kCloud) {
      return Locality::kCloud;
    }
  }
  return Locality::kLocal;
}

std::vector<ModelInfo> Router::ListModels() const {
  std::vector<ModelInfo> models;
  for (const auto& backend : backends_) {
    for (ModelInfo& info : backend->ListModels()) {
      models.push_back(std::move(info));
    }
  }
  if (options_.policy && local_backend_ != nullptr && cloud_backend_ != nullptr) {
    ModelInfo polish;
    polish.id = std::string(kPolishModel);
    polish.display_name = "duet polish: a local draft, improved by Claude";
    polish.owned_by = "duet";
    models.push_back(std::move(polish));
  }
  return models;
}

bool Router::Serves(std::string_view model) const {
  return Resolve(std::string(model)).has_value();
}

Result<Backend*> Router::Resolve(const std::string& model) const {
  if (model.empty() || model == options_.auto_model) {
    if (backends_.empty()) {
      return Error(NotFound("model: " + (model.empty() ? options_.auto_model : model) +
                            ": no backend is configured"));
    }
    return backends_.front().get();
  }
  for (const auto& backend : backends_) {
    if (backend->Serves(model)) {
      return backend.get();
    }
  }
  return Error(NotFound("model: " + model));
}

Backend* Router::FirstOnSide(RouteSide side) const {
  const Locality wanted = side == RouteSide::kCloud ? Locality::kCloud : Locality::kLocal;
  for (const auto& backend : backends_) {
    if (backend->locality() == wanted) {
      return backend.get();
    }
  }
  return nullptr;
}

RouteTargets Router::Targets() const {
  RouteTargets targets;
  targets.local_models = local_models_;
  targets.local_configured = local_backend_ != nullptr;
  if (local_backend_ != nullptr) {
    const BackendHealth health = local_backend_->Health();
    targets.local_unavailable_reason = health.unavailable_reason;
    targets.local_saturated = health.saturated;
  }
  if (cloud_backend_ != nullptr) {
    targets.cloud_configured = true;
    targets.cloud_name = std::string(cloud_backend_->name());
    const BackendHealth health = cloud_backend_->Health();
    targets.cloud_unavailable_reason = health.unavailable_reason;
    targets.cloud_tokens_remaining = health.tokens_remaining;
  }
  targets.side_of_model = [this](std::string_view model) -> std::optional<RouteSide> {
    Result<Backend*> backend = Resolve(std::string(model));
    if (!backend) {
      return std::nullopt;
    }
    return (*backend)->locality() == Locality::kLocal ? RouteSide::kLocal
                                                       : RouteSide::kCloud;
  };
  return targets;
}

void Router::ResolveAutoModel(Backend* backend, ChatRequest* request) const {
  if (!request->model.empty() && request->model != options_.auto_model) {
    return;
  }
  std::vector<ModelInfo> models = backend->ListModels();
  if (!models.empty()) {
    request->model = models.front().id;
  }
}

Result<int64_t> Router::CountTokens(const ChatRequest& request) {
  Backend* backend = nullptr;
  const bool automatic = request.model.empty() || request.model == options_.auto_model;
  if (options_.policy && automatic) {
    backend = FirstOnSide(RouteSide::kLocal);
  }
  if (backend == nullptr) {
    DUET_ASSIGN_OR_RETURN(backend, Resolve(request.model));
  }
  ChatRequest resolved = request;
  ResolveAutoModel(backend, &resolved);
  return backend->CountTokens(resolved);
}

std::shared_ptr<EventSink> Router::WithEscalation(Backend* backend, const ChatRequest& request,
                                                 std::shared_ptr<EventSink> sink,
                                                 const std::shared_ptr<const CancelFlag>& cancel,
                                                 const RouteDecision& decision) const {
  if (decision.escalation_model.empty() || backend->locality() != Locality::kLocal ||
      decision.local_only) {
    return sink;
  }
  Result<Backend*> cloud = Resolve(decision.escalation_model);
  if (!cloud || (*cloud)->locality() != Locality::kCloud) {
    return sink;
  }
  const EscalationConfig& config = options_.policy->config().escalation;
  const bool polish = decision.workflow == "polish";
  auto shared_request = std::make_shared<const ChatRequest>(request);
  RouteNote base = NoteFor(decision);
  base.side = "cloud";
  base.backend = std::string((*cloud)->name());
  base.local = false;
  base.workflow = decision.workflow;
  EscalationSink::Escalate escalate =
      [this, cloud_backend = *cloud, model = decision.escalation_model, shared_request, sink,
       cancel, base](const CheckFailure& failure, const LocalAttempt& attempt,
                     std::vector<ChatEvent> local_answer) {
        if ((cancel && cancel->cancelled()) ||
            !cloud_backend->Health().unavailable_reason.empty()) {
          return false;
        }
        const Usage estimate{.input_tokens = attempt.usage.prompt_tokens(),
                             .output_tokens = std::max<int64_t>(
                                 attempt.usage.output_tokens,
                                 options_.policy->config().expected_output_tokens)};
        Result<BudgetReservation> reservation = options_.policy->budget().Reserve(
            shared_request->route_hints.client_key, options_.policy->CloudCost(model, estimate));
        if (!reservation) {
          spdlog::info("escalation skipped: {}", reservation.error().message());
          return false;
        }
        RouteNote note = base;
        note.escalation = failure.check;
        note.escalation_reason = failure.explanation;
        note.local_attempt_model = attempt.model;
        note.local_attempt_usage = attempt.usage;
        note.local_attempt_seconds = attempt.seconds;
        spdlog::info("{} to {}: {} ({})", base.workflow.empty() ? "escalating" : "polishing",
                     model, failure.check, failure.explanation);
        ChatRequest escalated = base.workflow == "polish"
                                    ? PolishRequest(*shared_request, attempt.text)
                                    : *shared_request;
        escalated.model = model;
        auto routing = std::make_shared<RoutingSink>(
            std::make_shared<KeepLocalAnswerSink>(sink, std::move(local_answer)), std::move(note),
            Settlement{.policy = options_.policy,
                       .reservation = std::move(*reservation),
                       .model = model,
                       .usage = std::nullopt});
        cloud_backend->Generate(std::move(escalated), std::move(routing), cancel);
        return true;
      };
  EscalationSink::Options options;
  options.always_escalate = polish;
  if (config.self_check && !polish) {
    options.self_check = [backend, shared_request, cancel,
                          threshold = config.self_check_threshold](
                             const ChatResponse& answer,
                             std::function<void(std::optional<CheckFailure>)> done) {
      backend->Generate(SelfCheckRequest(*shared_request, answer, shared_request->model),
                        std::make_shared<VerdictSink>(threshold, std::move(done)), cancel);
    };
  }
  options.checks.checks = config.checks;
  options.checks.truncated_budget_tokens = config.truncated_budget_tokens;
  options.stream = request.stream;
  options.stream_hold = std::chrono::milliseconds(config.stream_hold_ms);
  return std::make_shared<EscalationSink>(std::move(sink), std::move(shared_request),
                                          std::move(options), std::move(escalate));
}

void Router::Send(Backend* backend, ChatRequest request, std::shared_ptr<EventSink> sink,
                  std::shared_ptr<const CancelFlag> cancel, RouteDecision* decision) {
  ResolveAutoModel(backend, &request);
  if (decision != nullptr) {
    sink = WithEscalation(backend, request, std::move(sink), cancel, *decision);
  }
  RouteNote note = decision != nullptr ? NoteFor(*decision) : RouteNote();
  note.backend = std::string(backend->name());
  note.local = backend->locality() == Locality::kLocal;
  if (decision != nullptr) {
    note.fallback_reason = decision->fallback_reason;
  }
  std::optional<Settlement> settlement;
  if (decision != nullptr && decision->budget.pending()) {
    settlement = Settlement{.policy = options_.policy,
                            .reservation = std::move(decision->budget),
                            .model = request.model,
                            .usage = std::nullopt};
  }
  auto routing = std::make_shared<RoutingSink>(std::move(sink), std::move(note),
                                               std::move(settlement));
  Backend* fallback = options_.fallback.get();
  const bool fallback_allowed =
      decision == nullptr || !decision->local_only ||
      (fallback != nullptr && fallback->locality() == Locality::kLocal);
  if (fallback != nullptr && fallback != backend && request.route_hints.allow_fallback &&
      fallback_allowed) {
    ChatRequest copy = request;
    copy.model = options_.auto_model;
    ResolveAutoModel(fallback, &copy);
    routing->ArmFallback(fallback, std::move(copy), cancel);
  }
  backend->Generate(std::move(request), std::move(routing), std::move(cancel));
}

void Router::ApplyPolish(RouteDecision* decision) const {
  const PolicyConfig& config = options_.policy->config();
  const auto model = config.claude_models.find(config.polish_tier);
  const Result<Backend*> cloud =
      model == config.claude_models.end() ? Result<Backend*>(Error(NotFound("no polish tier")))
                                          : Resolve(model->second);
  std::string skipped;
  if (!decision->refusal.ok()) {
    return;
  }
  if (decision->local_only) {
    skipped = "polish skipped: the request stays local";
  } else if (decision->rule == "exceeds_local_context") {
    skipped = "polish skipped: the request does not fit the local model's window";
  } else if (local_backend_ == nullptr) {
    skipped = "polish skipped: no local model to draft with";
  } else if (!cloud || (*cloud)->locality() != Locality::kCloud ||
             !(*cloud)->Health().unavailable_reason.empty()) {
    skipped = "polish skipped: Claude is not available";
  }
  if (!skipped.empty()) {
    decision->reasons.push_back(skipped);
    return;
  }
  decision->budget.Release();  // the polishing call reserves its own
  const bool drafted_locally = decision->side == RouteSide::kLocal;
  decision->side = RouteSide::kLocal;
  decision->model = drafted_locally ? decision->model : "";
  decision->rule = "polish";
  decision->reasons.insert(decision->reasons.begin(),
                           "duet/polish: a local draft, improved by " + model->second);
  decision->workflow = "polish";
  decision->escalation_model = model->second;
}

void Router::Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                      std::shared_ptr<const CancelFlag> cancel) {
  if (!options_.policy) {
    Result<Backend*> resolved = Resolve(request.model);
    if (!resolved) {
      sink->OnEvent(ChatEvent::Failure(std::move(resolved).error()));
      return;
    }
    Send(*resolved, std::move(request), std::move(sink), std::move(cancel), nullptr);
    return;
  }

  const bool polish = request.model == kPolishModel || request.route_hints.workflow == "polish";
  if (request.model == kPolishModel) {
    request.model = options_.auto_model;
  }
  RouteDecision decision = options_.policy->Decide(request, Targets(), options_.auto_model);
  if (polish) {
    ApplyPolish(&decision);
  }
  spdlog::info("route: {} {} [{}] task={}/{} sensitive={} ~{} tokens",
               RouteSideName(decision.side),
               decision.model.empty() ? "(default model)" : decision.model,
               decision.Explanation(), TaskDomainName(decision.task),
               TaskKindName(decision.task), decision.sensitive ? "yes" : "no",
               decision.estimated_tokens);
  if (!decision.refusal.ok()) {
    ChatEvent refusal = ChatEvent::Failure(decision.refusal);
    refusal.route = NoteFor(decision);
    sink->OnEvent(std::move(refusal));
    return;
  }
  Backend* backend = nullptr;
  if (!decision.model.empty()) {
    Result<Backend*> resolved = Resolve(decision.model);
    if (!resolved) {
      sink->OnEvent(ChatEvent::Failure(std::move(resolved).error()));
      return;
    }
    backend = *resolved;
  } else {
    backend = FirstOnSide(decision.side);
    if (backend == nullptr) {
      sink->OnEvent(ChatEvent::Failure(
          backends_.empty()
              ? NotFound("model: " + options_.auto_model + ": no backend is configured")
              : Unavailable("no " + std::string(RouteSideName(decision.side)) +
                            " backend is configured")));
      return;
    }
  }
  if (decision.local_only && backend->locality() != Locality::kLocal) {
    // The policy never decides this; if it ever does, fail closed.
    spdlog::error("route: refused to send a local-only request to {}", backend->name());
    sink->OnEvent(ChatEvent::Failure(
        Internal("a local-only request was about to reach a cloud backend; refused")));
    return;
  }
  request.model = decision.model.empty() ? options_.auto_model : decision.model;
  if (decision.thinking && !request.thinking) {
    ThinkingConfig thinking;
    thinking.mode = ThinkingConfig::Mode::kEnabled;
    request.thinking = thinking;
  }
  Send(backend, std::move(request), std::move(sink), std::move(cancel), &decision);
}

}  // namespace duet
