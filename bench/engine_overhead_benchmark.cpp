// What duet's engine adds over llama.cpp itself, measured in one process.
//
//   build/release/bench/duet_bench_engine_overhead MODEL.gguf [THREADS] [ROUNDS] [SLOTS]
//
// Two measures, each taken through the engine and through llama.h directly,
// in a context of the same shape (SLOTS sequences of kContext cells, not
// unified, as `duet serve` with local.slots builds; default 4) and the same
// flash-attention choice (local.flash_attention = auto):
//   time to first token: for prompts of about 500 tokens (a different one
//       each time, so no cached prefix helps), LlamaEngine::Generate to the
//       first text delta (templating, tokenising, admission, the prefill
//       decode and the first sample) against llama_decode of the same
//       number of tokens; target: at most 1 ms more.
//   decode: tokens/s of one 128-token answer, first to last text delta,
//       against a loop of 128 one-token llama_decode calls that fetch
//       their logits and sample nothing (llama-bench's tg loop); target:
//       at least 0.97x.
// The two sides alternate within each of ROUNDS rounds (after a warm-up),
// each warmed up by a prefill and alone with its compute threads (the
// engine is loaded for its turn and unloaded after it), so a machine whose
// speed drifts moves both; it prints medians and the
// median of the per-round differences and ratios. Templating + tokenising
// a new prompt alone is timed too (the median of five).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backend/llama/engine.h"
#include "ggml-cpu.h"
#include "llama.h"
#include "support/collecting_sink.h"

namespace {

using Clock = std::chrono::steady_clock;
using duet::ChatEvent;

constexpr int kContext = 2048;
constexpr int kBatch = 512;
constexpr int kDecodeTokens = 128;

std::string Prompt(int run) {
  std::string text = "Run " + std::to_string(run) + ": ";
  for (int i = 0; i < 90; ++i) {
    text += "lorem ipsum dolor sit amet ";
  }
  return text;
}

duet::ChatRequest Request(int run, int max_tokens = 1) {
  duet::ChatRequest request;
  request.model = "bench";
  request.max_tokens = max_tokens;
  request.sampling.temperature = 0;
  duet::Message message;
  message.content.push_back(duet::ContentBlock::Text(Prompt(run)));
  request.messages.push_back(std::move(message));
  return request;
}

// Time to the first text delta through the engine, in milliseconds.
double EngineTtft(duet::llama::LlamaEngine& engine, int run) {
  auto first = std::make_shared<Clock::time_point>();
  auto sink = std::make_shared<duet::testing::CollectingSink>(
      [first](const ChatEvent& event) {
        if (event.kind == ChatEvent::Kind::kBlockDelta &&
            *first == Clock::time_point()) {
          *first = Clock::now();
        }
      });
  const auto start = Clock::now();
  engine.Generate(Request(run), sink, std::make_shared<duet::CancelFlag>());
  sink->WaitForTerminal();
  return std::chrono::duration<double, std::milli>(*first - start).count();
}

// Decode tokens/s of one answer through the engine: text deltas after the
// first, over the time from the first to the last. Returns 0 when the model
// ended the answer early (too few deltas to measure).
double EngineDecode(duet::llama::LlamaEngine& engine, int run) {
  struct Times {
    std::mutex mutex;
    std::vector<Clock::time_point> deltas;
  };
  auto times = std::make_shared<Times>();
  auto sink = std::make_shared<duet::testing::CollectingSink>(
      [times](const ChatEvent& event) {
        if (event.kind == ChatEvent::Kind::kBlockDelta) {
          std::lock_guard lock(times->mutex);
          times->deltas.push_back(Clock::now());
        }
      });
  duet::ChatRequest request = Request(run, kDecodeTokens);
  request.messages[0].content[0].text = "Decode run " + std::to_string(run) + ".";
  engine.Generate(std::move(request), sink, std::make_shared<duet::CancelFlag>());
  sink->WaitForTerminal();
  std::lock_guard lock(times->mutex);
  if (times->deltas.size() < kDecodeTokens / 2) {
    return 0;
  }
  const double seconds =
      std::chrono::duration<double>(times->deltas.back() - times->deltas.front()).count();
  return static_cast<double>(times->deltas.size() - 1) / seconds;
}

// Tokens/s of kDecodeTokens one-token llama_decode calls in a fresh
// sequence, each fetching its logits row and choosing nothing from it (as
// llama-bench's tg does not sample): llama.cpp's own floor for a token,
// against which every per-token cost of the engine counts, sampling
// included. The tokens fed back cycle through ordinary ids.
double RawDecode(llama_context* context, int n_vocab) {
  llama_memory_seq_rm(llama_get_memory(context), 0, -1, -1);
  llama_batch batch = llama_batch_init(1, 0, 1);
  float checksum = 0;
  const auto start = Clock::now();
  for (int i = 0; i < kDecodeTokens; ++i) {
    batch.n_tokens = 1;
    batch.token[0] = static_cast<llama_token>(1000 + (i * 7919) % (n_vocab / 2));
    batch.pos[0] = static_cast<llama_pos>(i);
    batch.n_seq_id[0] = 1;
    batch.seq_id[0][0] = 0;
    batch.logits[0] = 1;
    if (llama_decode(context, batch) != 0) {
      std::fprintf(stderr, "llama_decode failed\n");
      std::exit(1);
    }
    checksum += llama_get_logits_ith(context, -1)[0];
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  llama_batch_free(batch);
  return std::isfinite(checksum) ? kDecodeTokens / seconds : 0;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// llama_decode of `tokens` (in kBatch chunks, logits for the last) in a
// fresh sequence, in milliseconds.
double RawPrefill(llama_context* context, const std::vector<llama_token>& tokens) {
  llama_memory_seq_rm(llama_get_memory(context), 0, -1, -1);
  llama_batch batch = llama_batch_init(kBatch, 0, 1);
  const auto start = Clock::now();
  for (size_t at = 0; at < tokens.size(); at += kBatch) {
    batch.n_tokens = 0;
    for (size_t i = at; i < std::min(tokens.size(), at + kBatch); ++i) {
      const int k = batch.n_tokens++;
      batch.token[k] = tokens[i];
      batch.pos[k] = static_cast<llama_pos>(i);
      batch.n_seq_id[k] = 1;
      batch.seq_id[k][0] = 0;
      batch.logits[k] = i + 1 == tokens.size();
    }
    if (llama_decode(context, batch) != 0) {
      std::fprintf(stderr, "llama_decode failed\n");
      std::exit(1);
    }
  }
  llama_synchronize(context);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  llama_batch_free(batch);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL.gguf [THREADS] [ROUNDS] [SLOTS]\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  const int rounds = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  const int slots = argc > 4 ? std::max(1, std::atoi(argv[4])) : 4;

  duet::llama::RunnerOptions options;
  options.name = "bench";
  options.path = path;
  options.context = kContext;
  options.slots = slots;
  options.threads = threads;
  options.batch_size = kBatch;
  // llama.cpp's OpenMP runtime keeps a pool of workers for each thread that
  // computes, for that thread's life, and with more of them than CPUs its
  // barriers sleep instead of spinning (engine.cpp). So only one side has
  // compute threads at a time: each round loads the engine and unloads it
  // before the raw side runs, on a thread of its own that ends with it.
  const auto load_engine = [&]() -> std::unique_ptr<duet::llama::LlamaEngine> {
    auto engine = duet::llama::LlamaEngine::Create({.models = {options}});
    if (!engine) {
      std::fprintf(stderr, "%s\n", engine.error().message().c_str());
      std::exit(1);
    }
    return std::move(*engine);
  };
  const auto on_own_thread = [](auto work) { std::thread(work).join(); };

  int64_t prompt_tokens = 0;
  std::vector<double> render_ms;
  {
    auto engine = load_engine();
    prompt_tokens = *engine->CountTokens(Request(0));
    // Rendering the template and tokenising, alone (CountTokens does both),
    // each time a prompt the engine has not seen: a seen message comes from
    // its tokeniser's cache.
    for (int i = 0; i < 5; ++i) {
      const auto start = Clock::now();
      (void)engine->CountTokens(Request(100 + i));
      render_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
  }

  // The same model and context shape, driven directly.
  llama_model* model = nullptr;
  llama_context* context = nullptr;
  ggml_threadpool* pool = nullptr;
  on_own_thread([&] {
    model = llama_model_load_from_file(path.c_str(), llama_model_default_params());
    // The engine's own attention plan for this shape.
    const duet::llama::AttentionPlan attention = duet::llama::PlanAttention(
        options.flash_attention, duet::llama::HasGpuDevice(),
        {.heads = llama_model_n_head(model),
         .cells = kContext,
         .vocabulary = llama_vocab_n_tokens(llama_model_get_vocab(model)),
         .batch = kBatch});
    llama_context_params params = llama_context_default_params();
    params.n_ctx = static_cast<uint32_t>(kContext * slots);
    params.n_batch = kBatch;
    params.n_ubatch = static_cast<uint32_t>(attention.micro_batch);
    params.n_seq_max = static_cast<uint32_t>(slots);
    params.kv_unified = false;
    params.flash_attn_type = static_cast<llama_flash_attn_type>(attention.flash_attention);
    params.n_threads = threads;
    params.n_threads_batch = threads;
    context = llama_init_from_model(model, params);
    // A persistent compute pool, as the engine and llama-bench use.
    ggml_threadpool_params pool_params = ggml_threadpool_params_default(threads);
    pool = ggml_threadpool_new(&pool_params);
    llama_attach_threadpool(context, pool, nullptr);
  });
  const llama_vocab* vocab = llama_model_get_vocab(model);
  const int n_vocab = llama_vocab_n_tokens(vocab);

  std::vector<double> engine_ttft, raw_prefill, ttft_overhead;
  std::vector<double> engine_decode, raw_decode, decode_ratio;
  for (int run = 0; run <= rounds; ++run) {
    // The raw side decodes the same number of tokens as the engine's prompt.
    std::vector<llama_token> tokens(static_cast<size_t>(prompt_tokens));
    const std::string text = Prompt(run);
    const int n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()),
                                 tokens.data(), static_cast<int32_t>(tokens.size()),
                                 false, true);
    tokens.resize(static_cast<size_t>(std::max(0, n)));
    while (tokens.size() < static_cast<size_t>(prompt_tokens)) {
      tokens.push_back(tokens.back());
    }
    // Each side warms up (a prefill) in its round before it is measured;
    // which side goes first alternates from round to round.
    double engine_ms = 0, raw_ms = 0, engine_rate = 0, raw_rate = 0;
    const auto engine_side = [&] {
      auto engine = load_engine();
      EngineTtft(*engine, run + 2000);
      engine_ms = EngineTtft(*engine, run + 1000);
      engine_rate = EngineDecode(*engine, run);
    };
    const auto raw_side = [&] {
      on_own_thread([&] {
        RawPrefill(context, tokens);
        raw_ms = RawPrefill(context, tokens);
        raw_rate = RawDecode(context, n_vocab);
      });
    };
    if (run % 2 == 0) {
      engine_side();
      raw_side();
    } else {
      raw_side();
      engine_side();
    }
    if (run == 0) {
      continue;  // warm-up
    }
    engine_ttft.push_back(engine_ms);
    raw_prefill.push_back(raw_ms);
    ttft_overhead.push_back(engine_ms - raw_ms);
    if (engine_rate > 0) {
      engine_decode.push_back(engine_rate);
      raw_decode.push_back(raw_rate);
      decode_ratio.push_back(engine_rate / raw_rate);
    }
  }
  std::printf("prompt %lld tokens, %d threads, %d slots, %d rounds (medians)\n",
              static_cast<long long>(prompt_tokens), threads, slots, rounds);
  std::printf("template + tokenise          %9.2f ms (median of 5 new prompts)\n",
              Median(render_ms));
  std::printf("engine time to first token  %9.2f ms\n", Median(engine_ttft));
  std::printf("llama_decode prefill alone  %9.2f ms\n", Median(raw_prefill));
  std::printf("TTFT overhead %+.2f ms (per-round median; target <= 1 ms)\n",
              Median(ttft_overhead));
  if (decode_ratio.empty()) {
    std::printf("decode: every answer ended before %d tokens; not measured\n",
                kDecodeTokens / 2);
  } else {
    std::printf("engine decode               %9.1f tokens/s\n", Median(engine_decode));
    std::printf("llama_decode loop           %9.1f tokens/s\n", Median(raw_decode));
    std::printf("decode ratio %.3f (per-round median of %zu; min %.3f, max %.3f; target >= 0.97)\n",
                Median(decode_ratio), decode_ratio.size(),
                *std::min_element(decode_ratio.begin(), decode_ratio.end()),
                *std::max_element(decode_ratio.begin(), decode_ratio.end()));
  }
  llama_free(context);
  ggml_threadpool_free(pool);
  llama_model_free(model);
  return 0;
}
