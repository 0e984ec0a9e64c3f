// The engine's threads: loading a quantized model leaves none behind, an
// idle model holds none, and a model that starts again answers as before.
// llama.cpp's OpenMP runtime keeps a pool of workers for as long as each
// thread that ran parallel work lives. Loading a quantized model runs some
// on CPUs with AMX (its weights are repacked for the tile kernels), and
// every decode does. A pool left on the loading thread, or kept by an idle
// model, made a busy model's barriers sleep instead of spin (engine.cpp,
// RunnerOptions::idle_release).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <thread>

#include "backend/llama/engine.h"
#include "backend/llama/engine_answer.h"
#include "backend/llama/model_runner.h"
#include "llama.h"
#include "model_files/random_model.h"

namespace duet::llama {
namespace {

size_t ThreadsInThisProcess() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& task :
       std::filesystem::directory_iterator("/proc/self/task")) {
    ++count;
  }
  return count;
}

class QuantizedModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("duet-engine-load-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }

  // The tiny model's shape with Q8_0 weights, which ggml has AMX kernels for.
  std::string WriteQ8Model(uint32_t trained_context = 0) {
    model_files::RandomModelOptions options;
    options.context = trained_context;
    options.vocab_path =
        std::string(DUET_LLAMA_MODELS_DIR) + "/ggml-vocab-llama-spm.gguf";
    options.out_path = (folder_ / "tiny-q8_0.gguf").string();
    options.type = model_files::RandomModelOptions::Type::kQ8_0;
    EXPECT_TRUE(model_files::WriteRandomModel(options).has_value());
    return options.out_path;
  }

  std::filesystem::path folder_;
};

// Polls until the process has `expected` threads (pool workers end a little
// after the thread that owned them); returns the last count.
size_t WaitForThreads(size_t expected) {
  size_t count = ThreadsInThisProcess();
  for (int i = 0; i < 500 && count != expected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    count = ThreadsInThisProcess();
  }
  return count;
}

ChatRequest Ask(const std::string& model) {
  ChatRequest request;
  request.model = model;
  request.max_tokens = 8;
  request.sampling.temperature = 0;
  Message message;
  // Many tokens: the matrix kernels see many rows at once, not the
  // one-row path of a single token.
  message.content.push_back(ContentBlock::Text(
      "Summarise the weather report for the coast this weekend, briefly."));
  request.messages.push_back(std::move(message));
  return request;
}

// The conversation's next turn: the answer, then a follow-up question.
ChatRequest NextTurn(ChatRequest request, const EngineAnswer& answer) {
  Message said;
  said.role = Role::kAssistant;
  said.content.push_back(ContentBlock::Text(answer.Text()));
  Message next;
  next.content.push_back(ContentBlock::Text("And inland?"));
  request.messages.push_back(std::move(said));
  request.messages.push_back(std::move(next));
  return request;
}

RunnerOptions Options(std::string path, int threads) {
  RunnerOptions options;
  options.name = "tiny-q8";
  options.path = std::move(path);
  options.context = 256;
  options.slots = 1;
  options.threads = threads;
  options.batch_size = 64;
  return options;
}

TEST_F(QuantizedModelTest, LoadingLeavesNoThreadAndTheModelAnswers) {
  const size_t before = ThreadsInThisProcess();
  Result<std::unique_ptr<LlamaEngine>> engine =
      LlamaEngine::Create({.models = {Options(WriteQ8Model(), 2)}});
  ASSERT_TRUE(engine.has_value()) << engine.error().message();
  EXPECT_EQ(WaitForThreads(before), before) << "no thread until there is work";

  const EngineAnswer answer = RunToEnd(**engine, Ask("tiny-q8"));
  ASSERT_TRUE(answer.error.ok()) << answer.error.message();
  EXPECT_GT(answer.response.usage.input_tokens, 16);
  EXPECT_EQ(answer.response.usage.output_tokens, 8);
}

TEST_F(QuantizedModelTest, AnIdleModelHoldsNoThreadsAndAnswersTheSameAfter) {
  RunnerOptions options = Options(WriteQ8Model(), 2);
  options.idle_release = std::chrono::milliseconds(50);
  const size_t before = ThreadsInThisProcess();
  Result<std::unique_ptr<LlamaEngine>> engine =
      LlamaEngine::Create({.models = {options}});
  ASSERT_TRUE(engine.has_value()) << engine.error().message();

  const EngineAnswer first = RunToEnd(**engine, Ask("tiny-q8"));
  ASSERT_TRUE(first.error.ok()) << first.error.message();
  EXPECT_EQ(WaitForThreads(before), before)
      << "the inference thread and its compute pool end when idle";

  const EngineAnswer again = RunToEnd(**engine, Ask("tiny-q8"));
  ASSERT_TRUE(again.error.ok()) << again.error.message();
  EXPECT_EQ(again.Text(), first.Text())
      << "greedy answers repeat on a new thread";
  EXPECT_EQ(again.response.usage.cache_read_input_tokens,
            first.response.usage.input_tokens - 1)
      << "the slot's cached prompt outlives the thread";
}

using Setting = RunnerOptions::FlashAttention;

// Shapes of real models: Qwen2.5-0.5B (14 heads, 151,936 tokens) and
// Llama-3-8B (32 heads, 128,256 tokens), at a batch of 512.
AttentionShape HalfBillion(int64_t cells) {
  return {.heads = 14, .cells = cells, .vocabulary = 151936, .batch = 512};
}
AttentionShape EightBillion(int64_t cells) {
  return {.heads = 32, .cells = cells, .vocabulary = 128256, .batch = 512};
}
int64_t ScoresPerToken(const AttentionShape& shape) { return shape.heads * shape.cells * 4; }
int64_t ScoresBudget(const AttentionShape& shape) {
  return std::max(shape.vocabulary * shape.batch * 4, shape.scores_floor);
}

TEST(AttentionPlanTest, FlashAttentionOnAndAutoOnAGpuComputeWholeBatches) {
  const AttentionPlan on = PlanAttention(Setting::kOn, false, EightBillion(65536));
  EXPECT_EQ(on.flash_attention, LLAMA_FLASH_ATTN_TYPE_ENABLED);
  EXPECT_EQ(on.micro_batch, 512);
  EXPECT_EQ(on.scores_bytes, 0);
  const AttentionPlan gpu = PlanAttention(Setting::kAuto, true, EightBillion(65536));
  EXPECT_EQ(gpu.flash_attention, LLAMA_FLASH_ATTN_TYPE_AUTO);
  EXPECT_EQ(gpu.micro_batch, 512);
}

TEST(AttentionPlanTest, AutoOnCpusIsOffWithWholeBatchesWhileTheScoresFitTheLogits) {
  const AttentionShape shape = HalfBillion(8192);
  for (const Setting setting : {Setting::kAuto, Setting::kOff}) {
    const AttentionPlan plan = PlanAttention(setting, false, shape);
    EXPECT_EQ(plan.flash_attention, LLAMA_FLASH_ATTN_TYPE_DISABLED);
    EXPECT_EQ(plan.micro_batch, 512);
    EXPECT_EQ(plan.scores_bytes, ScoresPerToken(shape) * 512);
    EXPECT_LE(plan.scores_bytes, ScoresBudget(shape));
  }
  // kOff on a GPU plans the same way.
  EXPECT_EQ(PlanAttention(Setting::kOff, true, shape).flash_attention,
            LLAMA_FLASH_ATTN_TYPE_DISABLED);
}

TEST(AttentionPlanTest, ADeepContextComputesTheLargestMicroBatchWhoseScoresFit) {
  for (const AttentionShape& shape : {HalfBillion(32768), EightBillion(32768)}) {
    const AttentionPlan plan = PlanAttention(Setting::kAuto, false, shape);
    EXPECT_EQ(plan.flash_attention, LLAMA_FLASH_ATTN_TYPE_DISABLED);
    EXPECT_LT(plan.micro_batch, 512);
    EXPECT_GE(plan.micro_batch, 64);
    EXPECT_EQ(plan.scores_bytes, ScoresPerToken(shape) * plan.micro_batch);
    EXPECT_LE(plan.scores_bytes, ScoresBudget(shape));
    EXPECT_GT(plan.scores_bytes + ScoresPerToken(shape), ScoresBudget(shape))
        << "one token more would not fit";
  }
  // 32 heads x 32,768 cells x 4 bytes = 4 MiB a token; the logits of 512
  // tokens take 250.5 MiB, under the 256 MiB floor: 64 tokens.
  EXPECT_EQ(PlanAttention(Setting::kOff, false, EightBillion(32768)).micro_batch, 64);
}

TEST(AttentionPlanTest, WhereEvenTheSmallestMicroBatchOverflowsAutoTurnsFlashAttentionOn) {
  const AttentionShape shape = EightBillion(65536);  // 8 MiB of scores a token
  const AttentionPlan automatic = PlanAttention(Setting::kAuto, false, shape);
  EXPECT_EQ(automatic.flash_attention, LLAMA_FLASH_ATTN_TYPE_ENABLED);
  EXPECT_EQ(automatic.micro_batch, 512);
  const AttentionPlan off = PlanAttention(Setting::kOff, false, shape);
  EXPECT_EQ(off.flash_attention, LLAMA_FLASH_ATTN_TYPE_DISABLED) << "off is what was asked";
  EXPECT_EQ(off.micro_batch, 64);
}

TEST(AttentionPlanTest, AProjectorsImagesNeedWholeBatches) {
  AttentionShape shape = HalfBillion(32768);
  shape.min_micro_batch = shape.batch;
  EXPECT_EQ(PlanAttention(Setting::kAuto, false, shape).flash_attention,
            LLAMA_FLASH_ATTN_TYPE_ENABLED);
  const AttentionPlan off = PlanAttention(Setting::kOff, false, shape);
  EXPECT_EQ(off.flash_attention, LLAMA_FLASH_ATTN_TYPE_DISABLED);
  EXPECT_EQ(off.micro_batch, 512);
}

TEST(AttentionPlanTest, ABatchUnderTheSmallestMicroBatchIsComputedWhole) {
  AttentionShape shape = EightBillion(65536);
  shape.batch = 32;
  const AttentionPlan plan = PlanAttention(Setting::kOff, false, shape);
  EXPECT_EQ(plan.micro_batch, 32);
  shape.batch = 0;  // nonsense still plans one token at a time, not zero
  EXPECT_EQ(PlanAttention(Setting::kOff, false, shape).micro_batch, 1);
}

// A prompt longer than the shrunk micro-batch is computed in several, the
// model answers it, and the conversation's next turn reuses it.
TEST_F(QuantizedModelTest, AShrunkMicroBatchAnswersALongPromptAndItsNextTurn) {
  RunnerOptions options = Options(WriteQ8Model(16384), 2);
  options.context = 16384;
  options.batch_size = 512;
  options.flash_attention = Setting::kAuto;
  options.attention_scores_floor = 0;
  // The tiny model: 4 heads, the SPM vocabulary's 32,000 tokens.
  const AttentionPlan plan = PlanAttention(
      options.flash_attention, HasGpuDevice(),
      {.heads = 4, .cells = 16384, .vocabulary = 32000, .batch = 512, .scores_floor = 0});
  ASSERT_EQ(plan.flash_attention, LLAMA_FLASH_ATTN_TYPE_DISABLED);
  ASSERT_LT(plan.micro_batch, 300);

  Result<std::unique_ptr<LlamaEngine>> engine = LlamaEngine::Create({.models = {options}});
  ASSERT_TRUE(engine.has_value()) << engine.error().message();
  ChatRequest request = Ask("tiny-q8");
  std::string report;
  for (int i = 0; i < 60; ++i) {
    report += "Station " + std::to_string(i) + " reports light winds and rain. ";
  }
  request.messages.front().content.front() = ContentBlock::Text(report);
  const EngineAnswer first = RunToEnd(**engine, request);
  ASSERT_TRUE(first.error.ok()) << first.error.message();
  EXPECT_GT(first.response.usage.input_tokens, plan.micro_batch + 100);
  EXPECT_EQ(first.response.usage.output_tokens, 8);

  const EngineAnswer second = RunToEnd(**engine, NextTurn(request, first));
  ASSERT_TRUE(second.error.ok()) << second.error.message();
  EXPECT_EQ(second.response.usage.output_tokens, 8);
  EXPECT_GT(second.response.usage.cache_read_input_tokens, plan.micro_batch)
      << "the cached prompt spans micro-batches";
}

// Both attention paths answer, and a conversation's next turn reuses the
// slot's cache with either.
TEST_F(QuantizedModelTest, EitherAttentionAnswersAndReusesTheConversation) {
  const std::string path = WriteQ8Model();
  for (const auto setting :
       {RunnerOptions::FlashAttention::kOn, RunnerOptions::FlashAttention::kOff}) {
    RunnerOptions options = Options(path, 2);
    options.flash_attention = setting;
    Result<std::unique_ptr<LlamaEngine>> engine = LlamaEngine::Create({.models = {options}});
    ASSERT_TRUE(engine.has_value()) << engine.error().message();
    ChatRequest request = Ask("tiny-q8");
    const EngineAnswer first = RunToEnd(**engine, request);
    ASSERT_TRUE(first.error.ok()) << first.error.message();
    EXPECT_EQ(first.response.usage.output_tokens, 8);

    const EngineAnswer second = RunToEnd(**engine, NextTurn(request, first));
    ASSERT_TRUE(second.error.ok()) << second.error.message();
    EXPECT_EQ(second.response.usage.output_tokens, 8);
    EXPECT_GT(second.response.usage.cache_read_input_tokens,
              first.response.usage.input_tokens / 2);
  }
}

}  // namespace
}  // namespace duet::llama
