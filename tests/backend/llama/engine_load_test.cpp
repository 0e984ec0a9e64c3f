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
  std::string WriteQ8Model() {
    model_files::RandomModelOptions options;
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

TEST(FlashAttentionTest, AutoIsOffOnCpusAndLlamaCppsOwnChoiceOnAGpu) {
  using Setting = RunnerOptions::FlashAttention;
  EXPECT_EQ(ChooseFlashAttention(Setting::kAuto, false), LLAMA_FLASH_ATTN_TYPE_DISABLED);
  EXPECT_EQ(ChooseFlashAttention(Setting::kAuto, true), LLAMA_FLASH_ATTN_TYPE_AUTO);
  EXPECT_EQ(ChooseFlashAttention(Setting::kOn, false), LLAMA_FLASH_ATTN_TYPE_ENABLED);
  EXPECT_EQ(ChooseFlashAttention(Setting::kOff, true), LLAMA_FLASH_ATTN_TYPE_DISABLED);
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

    Message answer;
    answer.role = Role::kAssistant;
    answer.content.push_back(ContentBlock::Text(first.Text()));
    Message next;
    next.content.push_back(ContentBlock::Text("And inland?"));
    request.messages.push_back(std::move(answer));
    request.messages.push_back(std::move(next));
    const EngineAnswer second = RunToEnd(**engine, request);
    ASSERT_TRUE(second.error.ok()) << second.error.message();
    EXPECT_EQ(second.response.usage.output_tokens, 8);
    EXPECT_GT(second.response.usage.cache_read_input_tokens,
              first.response.usage.input_tokens / 2);
  }
}

}  // namespace
}  // namespace duet::llama
