#include "backend/llama/engine.h"

#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>

#include "llama.h"
#include "log.h"  // llama.cpp common
#include "mtmd-helper.h"

namespace duet::llama {
namespace {

// llama.cpp logs through duet's logger: its chatter at debug level, its
// warnings and errors at theirs. Lines arrive in pieces; trailing newlines
// are trimmed.
void LogFromLlama(ggml_log_level level, const char* text, void*) {
  std::string_view line(text);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  if (line.empty()) {
    return;
  }
  switch (level) {
    case GGML_LOG_LEVEL_ERROR:
      spdlog::error("llama.cpp: {}", line);
      break;
    case GGML_LOG_LEVEL_WARN:
      spdlog::warn("llama.cpp: {}", line);
      break;
    default:
      spdlog::debug("llama.cpp: {}", line);
      break;
  }
}

// llama.cpp's process-wide state: initialised once, before the first model.
void InitLlamaOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    llama_log_set(LogFromLlama, nullptr);
    mtmd_helper_log_set(LogFromLlama, nullptr);  // vision projectors
    // llama.cpp's common library (chat templates) prints to stderr on its
    // own, outside duet's log, and warns on every plain request rendered
    // as pure content (prompt.h): only its errors are kept.
    common_log_set_verbosity_thold(LOG_LEVEL_ERROR);
    llama_backend_init();
  });
}

// Loads `options` on a thread of its own that ends with the load.
//
// llama.cpp runs its parallel work on OpenMP, and libgomp gives every
// thread that starts such work a pool of workers that lives as long as that
// thread. Loading can run parallel work (on a CPU with AMX, quantized
// weights are repacked for the tile kernels), so a model loaded on the
// caller's thread would leave a pool of up to one worker per CPU beside the
// runner's own. With more OpenMP threads than CPUs, libgomp spins 100 times
// at a barrier before it sleeps on a futex instead of 300,000, and a decode
// step passes a few hundred barriers: on 2 cores, single-stream
// decode ran at 31 tokens/s with ~260 sleeps per token on each compute
// thread, against llama-server's 39.
Result<std::unique_ptr<ModelRunner>> LoadOnOwnThread(RunnerOptions options) {
  std::optional<Result<std::unique_ptr<ModelRunner>>> loaded;
  std::thread loader([&] { loaded.emplace(ModelRunner::Load(std::move(options))); });
  loader.join();
  return std::move(*loaded);
}

}  // namespace

Result<std::unique_ptr<LlamaEngine>> LlamaEngine::Create(Options options) {
  InitLlamaOnce();
  std::vector<std::unique_ptr<ModelRunner>> runners;
  for (RunnerOptions& model : options.models) {
    Result<std::unique_ptr<ModelRunner>> runner = LoadOnOwnThread(std::move(model));
    if (!runner) {
      return Error(runner.error());
    }
    runners.push_back(std::move(*runner));
  }
  return std::unique_ptr<LlamaEngine>(new LlamaEngine(std::move(runners)));
}

LlamaEngine::LlamaEngine(std::vector<std::unique_ptr<ModelRunner>> runners)
    : runners_(std::move(runners)) {}

LlamaEngine::~LlamaEngine() = default;

std::vector<ModelInfo> LlamaEngine::ListModels() const {
  std::vector<ModelInfo> models;
  for (const auto& runner : runners_) {
    models.push_back(runner->info());
  }
  return models;
}

BackendHealth LlamaEngine::Health() const {
  BackendHealth health;
  for (const auto& runner : runners_) {
    health.saturated = health.saturated || runner->Saturated();
    const auto [running, queued] = runner->RunningAndQueued();
    health.running += running;
    health.queued += queued;
  }
  return health;
}

ModelRunner* LlamaEngine::Find(const std::string& model) const {
  for (const auto& runner : runners_) {
    if (runner->name() == model) {
      return runner.get();
    }
  }
  return nullptr;
}

Result<int64_t> LlamaEngine::CountTokens(const ChatRequest& request) {
  ModelRunner* runner = Find(request.model);
  if (runner == nullptr) {
    return Error(NotFound("model: " + request.model));
  }
  return runner->CountTokens(request);
}

void LlamaEngine::Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                           std::shared_ptr<const CancelFlag> cancel) {
  ModelRunner* runner = Find(request.model);
  if (runner == nullptr) {
    sink->OnEvent(ChatEvent::Failure(NotFound("model: " + request.model)));
    return;
  }
  runner->Submit(std::move(request), std::move(sink), std::move(cancel));
}

}  // namespace duet::llama
