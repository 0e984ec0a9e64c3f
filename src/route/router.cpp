#include "route/router.h"

#include <utility>

namespace duet {

Router::Router(std::vector<std::shared_ptr<Backend>> backends,
               Options options)
    : backends_(std::move(backends)), options_(std::move(options)) {}

std::vector<ModelInfo> Router::ListModels() const {
  std::vector<ModelInfo> models;
  for (const auto& backend : backends_) {
    for (ModelInfo& info : backend->ListModels()) {
      models.push_back(std::move(info));
    }
  }
  return models;
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
    for (const ModelInfo& info : backend->ListModels()) {
      if (info.id == model) {
        return backend.get();
      }
    }
  }
  return Error(NotFound("model: " + model));
}

Result<int64_t> Router::CountTokens(const ChatRequest& request) {
  DUET_ASSIGN_OR_RETURN(Backend * backend, Resolve(request.model));
  return backend->CountTokens(request);
}

void Router::Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                      std::shared_ptr<const CancelFlag> cancel) {
  Result<Backend*> backend = Resolve(request.model);
  if (!backend) {
    sink->OnEvent(ChatEvent::Failure(std::move(backend).error()));
    return;
  }
  (*backend)->Generate(std::move(request), std::move(sink), std::move(cancel));
}

}  // namespace duet
