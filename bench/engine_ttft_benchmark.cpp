// Time to first token: what duet's engine adds over llama.cpp's own prefill.
//
//   build/release/bench/duet_bench_engine_ttft MODEL.gguf [THREADS] [REPEAT]
//
// For prompts of about 500 tokens (a different one each time, so no cached
// prefix helps), it measures
//   engine: LlamaEngine::Generate to the first text delta, in-process
//           (templating, tokenising, admission, the prefill decode and the
//           first sample), and
//   prefill: llama_decode of the same prompt tokens in a context of the same
//           shape, driven directly through llama.h,
// alternating the two, and prints the best of each and their difference:
// the engine's overhead over its own prefill (target: at most 1 ms).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
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

std::string Prompt(int run) {
  std::string text = "Run " + std::to_string(run) + ": ";
  for (int i = 0; i < 90; ++i) {
    text += "lorem ipsum dolor sit amet ";
  }
  return text;
}

duet::ChatRequest Request(int run) {
  duet::ChatRequest request;
  request.model = "bench";
  request.max_tokens = 1;
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
    std::fprintf(stderr, "usage: %s MODEL.gguf [THREADS] [REPEAT]\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  const int repeat = argc > 3 ? std::atoi(argv[3]) : 5;

  duet::llama::RunnerOptions options;
  options.name = "bench";
  options.path = path;
  options.context = kContext;
  options.slots = 1;
  options.threads = threads;
  options.batch_size = kBatch;
  auto engine = duet::llama::LlamaEngine::Create({.models = {options}});
  if (!engine) {
    std::fprintf(stderr, "%s\n", engine.error().message().c_str());
    return 1;
  }
  auto prompt_tokens = (*engine)->CountTokens(Request(0));
  // Rendering the template and tokenising, alone (CountTokens does both).
  double best_render = 1e30;
  for (int i = 0; i < 5; ++i) {
    const auto start = Clock::now();
    (void)(*engine)->CountTokens(Request(i));
    best_render = std::min(
        best_render,
        std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }

  // The same model and context shape, driven directly.
  llama_model* model = llama_model_load_from_file(path.c_str(), llama_model_default_params());
  llama_context_params params = llama_context_default_params();
  params.n_ctx = kContext;
  params.n_batch = kBatch;
  params.n_ubatch = kBatch;
  params.n_seq_max = 1;
  params.n_threads = threads;
  params.n_threads_batch = threads;
  llama_context* context = llama_init_from_model(model, params);
  // A persistent compute pool, as the engine and llama-bench use.
  ggml_threadpool_params pool_params = ggml_threadpool_params_default(threads);
  ggml_threadpool* pool = ggml_threadpool_new(&pool_params);
  llama_attach_threadpool(context, pool, nullptr);
  const llama_vocab* vocab = llama_model_get_vocab(model);

  double best_engine = 1e30;
  double best_raw = 1e30;
  for (int run = 0; run <= repeat; ++run) {
    // The raw side decodes the same number of tokens as the engine's prompt.
    std::vector<llama_token> tokens(static_cast<size_t>(*prompt_tokens));
    const std::string text = Prompt(run);
    const int n = llama_tokenize(vocab, text.data(), static_cast<int32_t>(text.size()),
                                 tokens.data(), static_cast<int32_t>(tokens.size()),
                                 false, true);
    tokens.resize(static_cast<size_t>(std::max(0, n)));
    while (tokens.size() < static_cast<size_t>(*prompt_tokens)) {
      tokens.push_back(tokens.back());
    }
    const double engine_ms = EngineTtft(**engine, run + 1000);
    const double raw_ms = RawPrefill(context, tokens);
    if (run == 0) {
      continue;  // warm-up
    }
    best_engine = std::min(best_engine, engine_ms);
    best_raw = std::min(best_raw, raw_ms);
  }
  std::printf("prompt %lld tokens, %d threads, best of %d\n",
              static_cast<long long>(*prompt_tokens), threads, repeat);
  std::printf("template + tokenise          %9.2f ms\n", best_render);
  std::printf("engine time to first token  %9.2f ms\n", best_engine);
  std::printf("llama_decode prefill alone  %9.2f ms\n", best_raw);
  std::printf("ratio engine / prefill = %.4f; overhead %+.2f ms (target <= 1 ms)\n",
              best_engine / best_raw, best_engine - best_raw);
  llama_free(context);
  ggml_threadpool_free(pool);
  llama_model_free(model);
  return 0;
}
