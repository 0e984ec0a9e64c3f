#include "app/local_backend.h"

#include <utility>

#if DUET_HAVE_LLAMA
#include "backend/llama/engine.h"
#endif

namespace duet {

Result<std::shared_ptr<Backend>> MakeLocalBackend(const Config& config) {
  if (config.models.empty()) {
    return std::shared_ptr<Backend>();
  }
#if DUET_HAVE_LLAMA
  llama::LlamaEngine::Options options;
  for (const LocalModelConfig& model : config.models) {
    llama::RunnerOptions runner;
    runner.name = model.name;
    runner.path = model.path;
    runner.context = model.context > 0 ? model.context : config.local.context;
    runner.slots = static_cast<int>(config.local.slots);
    runner.queue_size = static_cast<int>(config.local.queue_size);
    runner.threads = static_cast<int>(config.local.threads);
    runner.batch_size = static_cast<int>(config.local.batch_size);
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
