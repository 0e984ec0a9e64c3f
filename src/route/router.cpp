#include "route/router.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "model/text_size.h"
#include "route/event_gate.h"
#include "route/routing_sink.h"

namespace duet {
namespace {

// The pseudo-model that asks for the polish workflow.
constexpr std::string_view kPolishModel = "duet/polish";


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
      local_models_.push_back(
          {info.id, info.context_window, info.reads_images, info.tokens_per_image});
    }
  }
  // The policy's cloud side: the first cloud backend serving a Claude
  // model the policy names.
  std::shared_ptr<Backend> cloud;
  if (options_.policy) {
    for (const auto& backend : backends_) {
      for (const auto& [tier, model] : options_.policy->config().claude_models) {
        if (cloud == nullptr && backend->locality() == Locality::kCloud &&
            backend->Serves(model)) {
          cloud = backend;
        }
      }
    }
  }
  cloud_backend_ = cloud.get();
  if (cloud != nullptr && local_backend_ != nullptr && options_.policy->config().shadow.enabled) {
    shadow_ = std::make_unique<ShadowEvaluator>(options_.policy, std::move(cloud),
                                                std::move(options_.shadow));
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

std::shared_ptr<Backend> Router::Shared(Backend* backend) const {
  for (const auto& candidate : backends_) {
    if (candidate.get() == backend) {
      return candidate;
    }
  }
  return nullptr;
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

void Router::Send(Backend* backend, ChatRequest request, std::shared_ptr<EventSink> sink,
                  std::shared_ptr<const CancelFlag> cancel, RouteDecision* decision) {
  sink = AnswerSink(backend, &request, std::move(sink), cancel, decision);
  backend->Generate(std::move(request), std::move(sink), std::move(cancel));
}

std::shared_ptr<EventSink> Router::AnswerSink(Backend* backend, ChatRequest* request,
                                              std::shared_ptr<EventSink> sink,
                                              const std::shared_ptr<const CancelFlag>& cancel,
                                              RouteDecision* decision) {
  ResolveAutoModel(backend, request);
  if (decision != nullptr && shadow_ != nullptr && backend->locality() == Locality::kLocal) {
    // Outermost, next to the client: it must see whether escalation
    // replaced the local answer.
    sink = shadow_->Tap(std::move(sink), *request, *decision, Shared(backend));
  }
  if (decision != nullptr) {
    sink = WithEscalation(backend, *request, std::move(sink), cancel, *decision);
    const std::vector<std::string>& checks = options_.policy->config().escalation.checks;
    // The confidence check needs the local engine to score its tokens.
    request->report_confidence =
        !decision->escalation_model.empty() && backend->locality() == Locality::kLocal &&
        std::find(checks.begin(), checks.end(), "confidence") != checks.end();
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
                            .model = request->model,
                            .usage = std::nullopt};
  }
  auto routing = std::make_shared<RoutingSink>(std::move(sink), std::move(note),
                                               std::move(settlement));
  Backend* fallback = options_.fallback.get();
  const bool fallback_allowed =
      decision == nullptr || !decision->local_only ||
      (fallback != nullptr && fallback->locality() == Locality::kLocal);
  if (fallback != nullptr && fallback != backend && request->route_hints.allow_fallback &&
      fallback_allowed) {
    ChatRequest copy = *request;
    copy.model = options_.auto_model;
    ResolveAutoModel(fallback, &copy);
    // A request with images falls back to a model that reads them, or not
    // at all: the client then sees the upstream's own error, not a refusal
    // of its images.
    if (CountImages(*request) > 0) {
      copy.model.clear();
      for (const ModelInfo& model : fallback->ListModels()) {
        if (model.reads_images) {
          copy.model = model.id;
          break;
        }
      }
    }
    if (!copy.model.empty()) {
      routing->ArmFallback(fallback, std::move(copy), cancel);
    }
  }
  return routing;
}

void Router::SendWhileDeciding(Backend* backend, ChatRequest request,
                               const RouteTargets& targets, std::shared_ptr<EventSink> sink,
                               std::shared_ptr<const CancelFlag> cancel) {
  // The backend prepares the prompt (a local engine renders and tokenises
  // it) while the policy reads the request; its answer waits at the gate
  // for the sink that carries the decision.
  auto gate = std::make_shared<EventGate>();
  ChatRequest sent = request;
  sent.report_confidence = false;  // a named model's answer is not escalated
  backend->Generate(std::move(sent), gate, cancel);
  RouteDecision decision = options_.policy->Decide(request, targets, options_.auto_model);
  const bool as_sent = decision.side == RouteSide::kLocal && decision.model == request.model &&
                       decision.refusal.ok() && decision.escalation_model.empty() &&
                       decision.shadow_model.empty() && !decision.thinking &&
                       !decision.budget.pending();
  if (!as_sent) {
    // PolicyEngine::AnswersWithNamedLocalModel promised otherwise: the
    // answer begun goes nowhere, and the decision is carried out as made.
    spdlog::error("route: the policy did not keep {} on the local model it names; "
                  "dropping the answer begun",
                  request.model);
    gate->Discard();
    LogDecision(decision);
    Dispatch(std::move(request), std::move(decision), std::move(sink), std::move(cancel));
    return;
  }
  LogDecision(decision);
  gate->Open(AnswerSink(backend, &request, std::move(sink), cancel, &decision));
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
  const RouteTargets targets = Targets();
  if (!polish &&
      options_.policy->AnswersWithNamedLocalModel(request, targets, options_.auto_model)) {
    Result<Backend*> named = Resolve(request.model);
    if (named && (*named)->locality() == Locality::kLocal) {
      SendWhileDeciding(*named, std::move(request), targets, std::move(sink), std::move(cancel));
      return;
    }
  }
  RouteDecision decision = options_.policy->Decide(request, targets, options_.auto_model);
  if (polish) {
    ApplyPolish(&decision);
  }
  LogDecision(decision);
  Dispatch(std::move(request), std::move(decision), std::move(sink), std::move(cancel));
}

void Router::LogDecision(const RouteDecision& decision) {
  if (!spdlog::should_log(spdlog::level::info)) {
    return;  // the explanation is built for the line, and every request has one
  }
  spdlog::info("route: {} {} [{}] task={}/{} sensitive={} ~{} tokens",
               RouteSideName(decision.side),
               decision.model.empty() ? "(default model)" : decision.model,
               decision.Explanation(), TaskDomainName(decision.task),
               TaskKindName(decision.task), decision.sensitive ? "yes" : "no",
               decision.estimated_tokens);
}

void Router::Dispatch(ChatRequest request, RouteDecision decision,
                      std::shared_ptr<EventSink> sink, std::shared_ptr<const CancelFlag> cancel) {
  if (!decision.refusal.ok()) {
    ChatEvent refusal = ChatEvent::Failure(decision.refusal);
    refusal.mutable_route() = NoteFor(decision);
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
    decision.thinking_added = true;
  }
  Send(backend, std::move(request), std::move(sink), std::move(cancel), &decision);
}

}  // namespace duet
