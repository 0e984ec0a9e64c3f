// Router: chooses which backend answers a request, and falls back when the
// choice fails before answering.
//
// Resolution: the request's model name picks the first backend that serves
// it (Backend::Serves: ids and aliases); "auto" (or an empty model) picks
// the first backend, with its first model. The policy router (privacy,
// size, task, budget) grows here.
//
// Fallback: when a backend other than `Options::fallback` fails before its
// first event with kUnavailable, kResourceExhausted, kDeadlineExceeded or
// kInternal (offline, rate limited, overloaded, 5xx, timed out), the same
// request goes to the fallback backend's first model within the same client
// request, and the answer carries RouteNote::fallback_reason. Clients that
// set RouteHints::allow_fallback = false get the first error instead, as do
// requests cancelled meanwhile and errors that are the request's own fault
// (invalid, unauthorised, unknown model).
//
// Every kMessageStart passing through gets RouteNote::backend.
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
    // Answers when another backend fails before its first event; usually
    // the local engine. Null: no fallback.
    std::shared_ptr<Backend> fallback;
  };

  // `backends` in priority order: the first one that serves a model wins,
  // and the first one overall answers "auto".
  Router(std::vector<std::shared_ptr<Backend>> backends, Options options);
  explicit Router(std::vector<std::shared_ptr<Backend>> backends)
      : Router(std::move(backends), Options()) {}

  std::string_view name() const override { return "router"; }
  std::vector<ModelInfo> ListModels() const override;
  bool Serves(std::string_view model) const override;
  Result<int64_t> CountTokens(const ChatRequest& request) override;
  void Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                std::shared_ptr<const CancelFlag> cancel) override;

  // The backend that would answer `model`, or kNotFound ("model: <id>").
  Result<Backend*> Resolve(const std::string& model) const;

  // True for failures a fallback may hide from the client.
  static bool IsFallbackEligible(ErrorCode code);

 private:
  // Rewrites "auto" to the backend's first model, so the backend sees a
  // name it serves.
  void ResolveAutoModel(Backend* backend, ChatRequest* request) const;

  std::vector<std::shared_ptr<Backend>> backends_;
  Options options_;
};

}  // namespace duet
