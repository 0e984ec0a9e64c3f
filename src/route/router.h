// Router: chooses which backend answers a request.
//
// This is the foundation's router: it resolves the request's model name to
// the backend that serves it, and "auto" (or an empty model) to the default
// backend. The policy router (privacy, size, task, budget) grows here.
//
// The Router is itself a Backend, so the api layer talks to one Backend and
// stays unaware of routing.
// Thread safety: immutable after construction; all methods are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"

namespace duet {

class Router final : public Backend {
 public:
  struct Options {
    // Model name that means "let duet decide".
    std::string auto_model = "auto";
  };

  // `backends` in priority order: the first one that serves a model wins,
  // and the first one overall answers "auto".
  Router(std::vector<std::shared_ptr<Backend>> backends, Options options);
  explicit Router(std::vector<std::shared_ptr<Backend>> backends)
      : Router(std::move(backends), Options()) {}

  std::string_view name() const override { return "router"; }
  std::vector<ModelInfo> ListModels() const override;
  Result<int64_t> CountTokens(const ChatRequest& request) override;
  void Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                std::shared_ptr<const CancelFlag> cancel) override;

  // The backend that would answer `model`, or kNotFound ("model: <id>").
  Result<Backend*> Resolve(const std::string& model) const;

 private:
  std::vector<std::shared_ptr<Backend>> backends_;
  Options options_;
};

}  // namespace duet
