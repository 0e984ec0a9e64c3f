#include "route/router.h"

#include <optional>
#include <utility>

#include <spdlog/spdlog.h>

namespace duet {
namespace {

// Stamps the route on kMessageStart and, when armed, replaces a first
// eligible error with the fallback backend's answer.
class RoutingSink final : public EventSink {
 public:
  RoutingSink(std::shared_ptr<EventSink> client, std::string backend,
              std::string fallback_reason)
      : client_(std::move(client)),
        backend_(std::move(backend)),
        fallback_reason_(std::move(fallback_reason)) {}

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
                     backend_, event.error.ToString(), fallback_->name());
        auto next = std::make_shared<RoutingSink>(
            std::move(client_), std::string(fallback_->name()),
            backend_ + ": " + event.error.message());
        fallback_->Generate(std::move(*fallback_request_), std::move(next),
                            std::move(cancel_));
        return;
      }
      fallback_request_.reset();  // the request is answered; free the copy
    }
    if (event.kind == ChatEvent::Kind::kMessageStart) {
      event.route.backend = backend_;
      event.route.fallback_reason = fallback_reason_;
    }
    client_->OnEvent(std::move(event));
  }

 private:
  std::shared_ptr<EventSink> client_;
  const std::string backend_;
  const std::string fallback_reason_;
  Backend* fallback_ = nullptr;
  std::optional<ChatRequest> fallback_request_;
  std::shared_ptr<const CancelFlag> cancel_;
  bool started_ = false;
};

}  // namespace

Router::Router(std::vector<std::shared_ptr<Backend>> backends,
               Options options)
    : backends_(std::move(backends)), options_(std::move(options)) {}

bool Router::IsFallbackEligible(ErrorCode code) {
  return code == ErrorCode::kUnavailable ||
         code == ErrorCode::kResourceExhausted ||
         code == ErrorCode::kDeadlineExceeded || code == ErrorCode::kInternal;
}

std::vector<ModelInfo> Router::ListModels() const {
  std::vector<ModelInfo> models;
  for (const auto& backend : backends_) {
    for (ModelInfo& info : backend->ListModels()) {
      models.push_back(std::move(info));
    }
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
  DUET_ASSIGN_OR_RETURN(Backend * backend, Resolve(request.model));
  ChatRequest resolved = request;
  ResolveAutoModel(backend, &resolved);
  return backend->CountTokens(resolved);
}

void Router::Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                      std::shared_ptr<const CancelFlag> cancel) {
  Result<Backend*> resolved = Resolve(request.model);
  if (!resolved) {
    sink->OnEvent(ChatEvent::Failure(std::move(resolved).error()));
    return;
  }
  Backend* backend = *resolved;
  ResolveAutoModel(backend, &request);
  auto routing = std::make_shared<RoutingSink>(std::move(sink),
                                               std::string(backend->name()), "");
  Backend* fallback = options_.fallback.get();
  if (fallback != nullptr && fallback != backend &&
      request.route_hints.allow_fallback) {
    ChatRequest copy = request;
    copy.model = options_.auto_model;
    ResolveAutoModel(fallback, &copy);
    routing->ArmFallback(fallback, std::move(copy), cancel);
  }
  backend->Generate(std::move(request), std::move(routing), std::move(cancel));
}

}  // namespace duet
