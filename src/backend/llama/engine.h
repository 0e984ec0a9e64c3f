// LlamaEngine: the in-process local backend. Serves one or more GGUF models
// with llama.cpp, each through its own ModelRunner (continuous batching over
// a fixed number of slots, a bounded queue, an inference thread of its own).
// See model_runner.h for what a request's events look like.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/llama/model_runner.h"

namespace duet::llama {

class LlamaEngine final : public Backend {
 public:
  struct Options {
    // One entry per model; `name` is the id clients ask for.
    std::vector<RunnerOptions> models;
  };

  // Loads every model. Fails (naming the model) if any cannot be loaded.
  static Result<std::unique_ptr<LlamaEngine>> Create(Options options);
  ~LlamaEngine() override;

  std::string_view name() const override { return "llama"; }
  Locality locality() const override { return Locality::kLocal; }
  // Saturated when any model's slots and queue are all taken.
  BackendHealth Health() const override;
  std::vector<ModelInfo> ListModels() const override;
  Result<int64_t> CountTokens(const ChatRequest& request) override;
  void Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                std::shared_ptr<const CancelFlag> cancel) override;

 private:
  explicit LlamaEngine(std::vector<std::unique_ptr<ModelRunner>> runners);
  ModelRunner* Find(const std::string& model) const;

  std::vector<std::unique_ptr<ModelRunner>> runners_;
};

}  // namespace duet::llama
