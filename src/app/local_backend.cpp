#include "app/local_backend.h"

#include <filesystem>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#if DUET_HAVE_LLAMA
#include "backend/llama/engine.h"
#include "model_files/model_discovery.h"
#include "model_files/projector_guess.h"
#endif

namespace duet {

#if DUET_HAVE_LLAMA
namespace {

// The files to load for a configured path.
struct ModelFiles {
  std::string model;
  std::string projector;  // named by where the model came from; "" when not
};

// A configured path that is no file may name a model `duet models` lists
// ("llama3.2:3b", "org/repo/model.gguf"): load the file behind it, and the
// projector its Ollama manifest names. Anything else goes to the engine as
// written, which names it when loading fails.
ModelFiles FilesFor(const std::string& path) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    return {path, ""};
  }
  Result<model_files::DiscoveredModel> found =
      model_files::ResolveModel(path, model_files::ProcessDiscoveryOptions());
  return found ? ModelFiles{found->path, found->projector_path} : ModelFiles{path, ""};
}

// The vision projector for `model`: the configured one, else the one its
// source names, else model_files::GuessProjector's; "" for none.
std::string ProjectorFile(const LocalModelConfig& model, const ModelFiles& files) {
  if (model.mmproj == "none") {
    return "";
  }
  if (!model.mmproj.empty()) {
    return FilesFor(model.mmproj).model;
  }
  if (!files.projector.empty()) {
    return files.projector;
  }
  const model_files::ProjectorGuess guess = model_files::GuessProjector(files.model);
  if (!guess.passed_over.empty()) {
    spdlog::info("model {}: {}; set models.{}.mmproj to read images", model.name,
                 guess.passed_over, model.name);
  }
  return guess.path;
}

}  // namespace
#endif

Result<std::shared_ptr<Backend>> MakeLocalBackend(const Config& config) {
  if (config.models.empty()) {
    return std::shared_ptr<Backend>();
  }
#if DUET_HAVE_LLAMA
  llama::LlamaEngine::Options options;
  for (const LocalModelConfig& model : config.models) {
    llama::RunnerOptions runner;
    runner.name = model.name;
    const ModelFiles files = FilesFor(model.path);
    runner.path = files.model;
    runner.mmproj = ProjectorFile(model, files);
    runner.mmproj_guessed = model.mmproj.empty();
    runner.context = model.context > 0 ? model.context : config.local.context;
    runner.slots = static_cast<int>(config.local.slots);
    runner.queue_size = static_cast<int>(config.local.queue_size);
    runner.threads = static_cast<int>(config.local.threads);
    runner.batch_size = static_cast<int>(config.local.batch_size);
    using FlashAttention = llama::RunnerOptions::FlashAttention;
    runner.flash_attention = config.local.flash_attention == "on"    ? FlashAttention::kOn
                             : config.local.flash_attention == "off" ? FlashAttention::kOff
                                                                     : FlashAttention::kAuto;
    runner.default_max_tokens = config.local.default_max_tokens;
    options.models.push_back(std::move(runner));
  }
  Result<std::unique_ptr<llama::LlamaEngine>> engine =
      llama::LlamaEngine::Create(std::move(options));
  if (!engine) {
    return Error(engine.error());
  }
  return std::shared_ptr<Backend>(std::move(*engine));
#else
  return Error(Unavailable("models." + config.models.front().name +
                           ": this duet was built without llama.cpp "
                           "(DUET_WITH_LLAMA=OFF)"));
#endif
}

}  // namespace duet
