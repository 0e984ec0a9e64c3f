// ModelRunner::Load: a GGUF file becomes a runner, with its context, its
// compute pool, its vision projector and its chat templates.
#include "backend/llama/model_runner.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common.h"  // llama.cpp common: common_cpu_get_num_math
#include "ggml-backend.h"
#include "ggml-cpu.h"
#include "llama.h"

namespace duet::llama {
namespace {

// llama.cpp's own default, as llama-server and llama-bench use it: one
// thread per physical core (a hyperthread's sibling adds little but
// contention to a memory-bound decode), performance cores only on a hybrid
// CPU.
int DefaultThreads() { return std::max(1, static_cast<int>(common_cpu_get_num_math())); }

}  // namespace

bool HasGpuDevice() {
  for (size_t i = 0; i < ggml_backend_dev_count(); ++i) {
    const enum ggml_backend_dev_type type = ggml_backend_dev_type(ggml_backend_dev_get(i));
    if (type == GGML_BACKEND_DEVICE_TYPE_GPU || type == GGML_BACKEND_DEVICE_TYPE_IGPU) {
      return true;
    }
  }
  return false;
}

AttentionPlan PlanAttention(RunnerOptions::FlashAttention setting, bool on_gpu,
                            const AttentionShape& shape) {
  const int batch = std::max(1, shape.batch);
  using Setting = RunnerOptions::FlashAttention;
  if (setting == Setting::kOn) {
    return {.flash_attention = LLAMA_FLASH_ATTN_TYPE_ENABLED, .micro_batch = batch};
  }
  if (setting == Setting::kAuto && on_gpu) {
    return {.flash_attention = LLAMA_FLASH_ATTN_TYPE_AUTO, .micro_batch = batch};
  }
  constexpr int64_t kFloatBytes = 4;
  const int64_t per_token = std::max<int64_t>(1, shape.heads * shape.cells * kFloatBytes);
  const int64_t budget =
      std::max(shape.vocabulary * batch * kFloatBytes, shape.scores_floor);
  const int64_t fits = budget / per_token;
  const int min_micro_batch = std::clamp(shape.min_micro_batch, 1, batch);
  if (setting == Setting::kAuto && fits < min_micro_batch) {
    return {.flash_attention = LLAMA_FLASH_ATTN_TYPE_ENABLED, .micro_batch = batch};
  }
  const int micro_batch =
      static_cast<int>(std::clamp<int64_t>(fits, min_micro_batch, batch));
  return {.flash_attention = LLAMA_FLASH_ATTN_TYPE_DISABLED,
          .micro_batch = micro_batch,
          .scores_bytes = per_token * micro_batch};
}

Result<std::unique_ptr<ModelRunner>> ModelRunner::Load(RunnerOptions options) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(options.path, error)) {
    return Error(NotFound("model " + options.name + ": no GGUF file at " +
                          options.path));
  }
  llama_model_params model_params = llama_model_default_params();
  ::llama_model* model =
      llama_model_load_from_file(options.path.c_str(), model_params);
  if (model == nullptr) {
    return Error(InvalidArgument("model " + options.name + ": llama.cpp "
                                 "could not load " + options.path));
  }
  const int64_t trained = llama_model_n_ctx_train(model);
  int64_t slot_context = options.context > 0
                             ? options.context
                             : std::min(trained, kDefaultMaxContext);
  slot_context = std::min(slot_context, trained);

  const int slots = std::max(1, options.slots);
  const int threads = options.threads > 0 ? options.threads : DefaultThreads();
  llama_context_params params = llama_context_default_params();
  params.n_ctx = static_cast<uint32_t>(slot_context * slots);
  const AttentionPlan attention = PlanAttention(
      options.flash_attention, HasGpuDevice(),
      {.heads = llama_model_n_head(model),
       .cells = slot_context,
       .vocabulary = llama_vocab_n_tokens(llama_model_get_vocab(model)),
       .batch = options.batch_size,
       .min_micro_batch = options.mmproj.empty() ? AttentionShape{}.min_micro_batch
                                                 : options.batch_size,
       .scores_floor = options.attention_scores_floor});
  params.n_batch = static_cast<uint32_t>(std::max(1, options.batch_size));
  params.n_ubatch = static_cast<uint32_t>(attention.micro_batch);
  params.n_seq_max = static_cast<uint32_t>(slots);
  params.n_threads = threads;
  params.n_threads_batch = threads;
  params.kv_unified = false;  // each slot owns slot_context cells
  params.flash_attn_type = static_cast<llama_flash_attn_type>(attention.flash_attention);
  ::llama_context* context = llama_init_from_model(model, params);
  if (context == nullptr) {
    llama_model_free(model);
    return Error(Unavailable("model " + options.name +
                             ": cannot create a context of " +
                             std::to_string(params.n_ctx) + " tokens"));
  }
  // One pool of compute threads for the runner's life, as llama-bench and
  // llama-server attach. Without it ggml starts and joins `threads` - 1
  // threads inside every llama_decode: one token's worth of thread starts
  // at each decode step, which cost single-stream decode several percent
  // at 8 threads.
  ggml_threadpool_params pool_params = ggml_threadpool_params_default(threads);
  ggml_threadpool* pool = ggml_threadpool_new(&pool_params);
  if (pool == nullptr) {
    llama_free(context);
    llama_model_free(model);
    return Error(Unavailable("model " + options.name + ": cannot start " +
                             std::to_string(threads) + " compute threads"));
  }
  llama_attach_threadpool(context, pool, nullptr);
  const auto unload = [&] {
    llama_free(context);
    ggml_threadpool_free(pool);
    llama_model_free(model);
  };
  std::unique_ptr<VisionProjector> vision;
  if (!options.mmproj.empty()) {
    Result<std::unique_ptr<VisionProjector>> loaded =
        VisionProjector::Load(options.mmproj, model, threads);
    if (loaded) {
      vision = std::move(*loaded);
    } else if (options.mmproj_guessed) {
      spdlog::warn("model {}: {} is not its vision projector ({}); serving text only",
                   options.name, options.mmproj, loaded.error().message());
    } else {
      unload();
      return Error(Status(loaded.error().code(),
                          "model " + options.name + ": " + loaded.error().message()));
    }
  }
  Result<std::unique_ptr<ChatTemplates>> templates =
      ChatTemplates::ForModel(model, vision != nullptr);
  if (!templates) {
    vision.reset();  // before the model it was made for
    unload();
    return Error(Status(templates.error().code(),
                        "model " + options.name + ": " +
                            templates.error().message()));
  }
  spdlog::info(
      "model {} loaded from {}: {} slots of {} tokens, {} threads, flash attention {}, "
      "prompts computed {} tokens at a time{}{}",
      options.name, options.path, slots, slot_context, threads,
      llama_flash_attn_type_name(params.flash_attn_type), params.n_ubatch,
      attention.scores_bytes > 0
          ? fmt::format(" (attention scores {:.1f} MiB)",
                        static_cast<double>(attention.scores_bytes) / (1 << 20))
          : std::string(),
      vision ? ", images through " + options.mmproj : std::string());
  return std::unique_ptr<ModelRunner>(
      new ModelRunner(std::move(options), model, context, pool, slot_context,
                      std::move(*templates), std::move(vision)));
}

}  // namespace duet::llama
