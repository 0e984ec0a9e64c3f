// Loading a quantized model: it answers, and loading leaves no threads
// behind. llama.cpp's OpenMP runtime keeps a pool of workers for as long as
// each thread that ran parallel work lives, and loading a quantized model
// runs some on CPUs with AMX (its weights are repacked for the tile
// kernels). A pool left on the loading thread made the runner's barriers
// sleep instead of spin (engine.cpp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "backend/llama/engine.h"
#include "backend/llama/engine_answer.h"
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

TEST_F(QuantizedModelTest, LoadingLeavesOnlyTheRunnerThreadAndTheModelAnswers) {
  RunnerOptions options;
  options.name = "tiny-q8";
  options.path = WriteQ8Model();
  options.context = 256;
  options.slots = 1;
  options.threads = 1;  // computes on the runner thread alone
  options.batch_size = 64;

  const size_t before = ThreadsInThisProcess();
  Result<std::unique_ptr<LlamaEngine>> engine =
      LlamaEngine::Create({.models = {options}});
  ASSERT_TRUE(engine.has_value()) << engine.error().message();
  EXPECT_EQ(ThreadsInThisProcess(), before + 1)
      << "the runner's thread, and nothing else";

  // A prompt of many tokens goes through the matrix kernels, not the
  // one-row path a single token takes.
  ChatRequest request;
  request.model = options.name;
  request.max_tokens = 8;
  request.sampling.temperature = 0;
  Message message;
  message.content.push_back(ContentBlock::Text(
      "Summarise the weather report for the coast this weekend, briefly."));
  request.messages.push_back(std::move(message));
  const EngineAnswer answer = RunToEnd(**engine, std::move(request));
  ASSERT_TRUE(answer.error.ok()) << answer.error.message();
  EXPECT_GT(answer.response.usage.input_tokens, 16);
  EXPECT_EQ(answer.response.usage.output_tokens, 8);
}

}  // namespace
}  // namespace duet::llama
