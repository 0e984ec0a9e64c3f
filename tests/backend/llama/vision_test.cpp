// Images on the local engine: the tiny model with a generated vision
// projector (random weights, Gemma 3's layout) reads image blocks, counts
// their tokens, reuses them across turns like text, and refuses what it
// cannot read with errors that say why.
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "backend/llama/engine.h"
#include "backend/llama/engine_answer.h"
#include "model_files/random_projector.h"
#include "support/test_images.h"

// llama.cpp's mtmd_init_from_file keeps what it had loaded of a projector
// that then fails its checks (the constructor throws past its members);
// the load test provokes that on purpose.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:mtmd_init_from_file\n";
}

namespace duet::llama {
namespace {

using duet::testing::ImageBlock;
using duet::testing::SolidBmp;
using duet::testing::SolidWebp;

constexpr int kTokensPerImage = 16;  // random_projector.h

RunnerOptions VisionOptions(std::string name, std::string mmproj) {
  RunnerOptions options;
  options.name = std::move(name);
  options.path = DUET_TINY_VISION_MODEL;
  options.mmproj = std::move(mmproj);
  options.context = 512;
  options.slots = 2;
  options.threads = 1;
  options.batch_size = 64;
  return options;
}

// One user turn: `blocks`, then a question.
ChatRequest AskAbout(const std::string& model, std::vector<ContentBlock> blocks,
                     const std::string& question = "What is in this picture?") {
  ChatRequest request;
  request.model = model;
  request.max_tokens = 4;
  request.sampling.temperature = 0;
  blocks.push_back(ContentBlock::Text(question));
  request.messages.push_back({Role::kUser, std::move(blocks)});
  return request;
}

// The first bytes of a PNG file declaring `width` x `height` RGB pixels.
std::string PngHeader(uint32_t width, uint32_t height) {
  std::string png = "\x89PNG\r\n\x1a\n";
  png += std::string("\0\0\0\x0dIHDR", 8);
  for (const uint32_t side : {width, height}) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      png.push_back(static_cast<char>((side >> shift) & 0xff));
    }
  }
  png += std::string("\x08\x02\0\0\0", 5);  // 8-bit RGB
  png += std::string(4, '\0');                  // CRC (never read this far)
  return png;
}

std::string Red() { return SolidBmp(20, 12, {255, 0, 0}); }
std::string Blue() { return SolidBmp(20, 12, {0, 0, 255}); }

class LlamaVisionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<std::unique_ptr<LlamaEngine>> engine = LlamaEngine::Create(
        {.models = {VisionOptions("seer", DUET_TINY_VISION_PROJECTOR),
                    VisionOptions("blind", "")}});
    ASSERT_TRUE(engine.has_value()) << engine.error().message();
    engine_ = std::move(*engine).release();
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }

  static inline LlamaEngine* engine_ = nullptr;
};

TEST_F(LlamaVisionTest, OnlyTheModelWithAProjectorSaysItReadsImages) {
  const std::vector<ModelInfo> models = engine_->ListModels();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].id, "seer");
  EXPECT_TRUE(models[0].reads_images);
  // The projector scales every image to one size: a typical one costs 16.
  EXPECT_EQ(models[0].tokens_per_image, kTokensPerImage);
  EXPECT_EQ(models[1].id, "blind");
  EXPECT_FALSE(models[1].reads_images);
  EXPECT_EQ(models[1].tokens_per_image, 0);
}

TEST_F(LlamaVisionTest, AnImageIsAnsweredAndCountedAsItsEmbeddings) {
  const ChatRequest with_image = AskAbout("seer", {ImageBlock(Red())});
  const ChatRequest without = AskAbout("seer", {});
  Result<int64_t> counted = engine_->CountTokens(with_image);
  Result<int64_t> text_only = engine_->CountTokens(without);
  ASSERT_TRUE(counted.has_value()) << counted.error().message();
  ASSERT_TRUE(text_only.has_value());
  // 16 embeddings, plus the projector's begin and end markers
  // (<start_of_image>, <end_of_image>: plain text to this vocabulary, 17
  // tokens together) and the blank line between the image and the question.
  EXPECT_GE(*counted - *text_only, kTokensPerImage + 17);
  EXPECT_LE(*counted - *text_only, kTokensPerImage + 17 + 3);

  const EngineAnswer answer = RunToEnd(*engine_, with_image);
  ASSERT_TRUE(answer.error.ok()) << answer.error.message();
  EXPECT_EQ(answer.response.stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(answer.response.usage.output_tokens, 4);
  EXPECT_EQ(answer.response.usage.input_tokens + answer.response.usage.cache_read_input_tokens,
            *counted);
}

// The log-probabilities of an answer's tokens, in order.
std::vector<double> Logprobs(const EngineAnswer& answer) {
  std::vector<double> logprobs;
  for (const ChatEvent& event : answer.events) {
    for (const TokenLogprob& entry : event.logprobs) {
      logprobs.push_back(entry.logprob);
    }
  }
  return logprobs;
}

TEST_F(LlamaVisionTest, ThePixelsReachTheModel) {
  // The random model's greedy answer hardly depends on its input, but the
  // probabilities it gives that answer do: they are a function of the
  // prompt, the image's embeddings included.
  const auto ask = [](const std::string& image) {
    ChatRequest request = AskAbout("seer", {ImageBlock(image)});
    request.logprobs = true;
    return RunToEnd(*engine_, request);
  };
  const EngineAnswer red = ask(Red());
  const EngineAnswer blue = ask(Blue());
  const EngineAnswer red_again = ask(Red());
  ASSERT_TRUE(red.error.ok() && blue.error.ok() && red_again.error.ok());
  ASSERT_FALSE(Logprobs(red).empty());
  // The same image again may come partly from the cache, decoded in other
  // batches: equal up to float rounding. Another image moves the first
  // token's log-probability by about 0.15 with these weights.
  const double first_red = Logprobs(red).front();
  EXPECT_NEAR(Logprobs(red_again).front(), first_red, 0.01);
  EXPECT_GT(std::abs(Logprobs(blue).front() - first_red), 0.05);
}

TEST_F(LlamaVisionTest, AWebpImageIsReadAsItsPixels) {
  // mtmd reads WebP only through ffmpeg; duet decodes it with libwebp. The
  // same pixels as a BMP give the same answer, other pixels another one.
  const auto first_logprob = [](const ContentBlock& image) {
    ChatRequest request = AskAbout("seer", {image});
    request.logprobs = true;
    const EngineAnswer answer = RunToEnd(*engine_, request);
    EXPECT_TRUE(answer.error.ok()) << answer.error.message();
    return Logprobs(answer).empty() ? 0.0 : Logprobs(answer).front();
  };
  const double red_bmp = first_logprob(ImageBlock(Red()));
  const double red_webp = first_logprob(ImageBlock(SolidWebp(20, 12, {255, 0, 0}), "image/webp"));
  const double blue_webp = first_logprob(ImageBlock(SolidWebp(20, 12, {0, 0, 255}), "image/webp"));
  EXPECT_NEAR(red_webp, red_bmp, 0.01);
  EXPECT_GT(std::abs(blue_webp - red_webp), 0.05);
}

TEST_F(LlamaVisionTest, NextTurnReusesTheImageAndADifferentImageIsEncodedAgain) {
  const ChatRequest first = AskAbout("seer", {ImageBlock(Red())});
  const EngineAnswer one = RunToEnd(*engine_, first);
  ASSERT_TRUE(one.error.ok()) << one.error.message();
  const int64_t first_prompt =
      one.response.usage.input_tokens + one.response.usage.cache_read_input_tokens;

  // The next turn of the same conversation: everything up to the new
  // question is reused, the image included.
  ChatRequest second = first;
  second.messages.push_back({Role::kAssistant, {ContentBlock::Text(one.Text())}});
  second.messages.push_back({Role::kUser, {ContentBlock::Text("And the colour?")}});
  const EngineAnswer two = RunToEnd(*engine_, second);
  ASSERT_TRUE(two.error.ok()) << two.error.message();
  EXPECT_GE(two.response.usage.cache_read_input_tokens, first_prompt - 2);

  // Another picture with the same words: only the text before the image
  // can be reused.
  const EngineAnswer three = RunToEnd(*engine_, AskAbout("seer", {ImageBlock(Blue())}));
  ASSERT_TRUE(three.error.ok()) << three.error.message();
  EXPECT_LE(three.response.usage.cache_read_input_tokens, first_prompt - kTokensPerImage);
  EXPECT_GE(three.response.usage.input_tokens, kTokensPerImage);
}

TEST_F(LlamaVisionTest, ImagesInToolResultsAreRead) {
  ChatRequest request;
  request.model = "seer";
  request.max_tokens = 4;
  request.sampling.temperature = 0;
  request.messages.push_back({Role::kUser, {ContentBlock::Text("Take a screenshot.")}});
  request.messages.push_back(
      {Role::kAssistant, {ContentBlock::ToolUse("call_1", "screenshot", RawJson{"{}"})}});
  ContentBlock result;
  result.type = BlockType::kToolResult;
  result.tool_use_id = "call_1";
  result.tool_result_content.push_back(ImageBlock(Red()));
  request.messages.push_back({Role::kUser, {result}});
  Result<int64_t> counted = engine_->CountTokens(request);
  ASSERT_TRUE(counted.has_value()) << counted.error().message();
  const EngineAnswer answer = RunToEnd(*engine_, request);
  ASSERT_TRUE(answer.error.ok()) << answer.error.message();
  EXPECT_EQ(answer.response.usage.input_tokens + answer.response.usage.cache_read_input_tokens,
            *counted);
}

TEST_F(LlamaVisionTest, ImagesItCannotReadAreRefusedWithTheReason) {
  struct Case {
    const char* what;
    ChatRequest request;
    const char* says;
  };
  ContentBlock url = ImageBlock("");
  url.image.kind = ImageSource::Kind::kUrl;
  url.image.data = "https://example.com/cat.png";
  ContentBlock not_base64 = ImageBlock("");
  not_base64.image.data = "not base64!";
  const std::vector<Case> cases = {
      {"no projector", AskAbout("blind", {ImageBlock(Red())}), "reads no images"},
      {"a URL", AskAbout("seer", {url}), "base64 data, not URLs"},
      {"bad base64", AskAbout("seer", {not_base64}), "image 1: base64"},
      {"not an image", AskAbout("seer", {ImageBlock("plain text, not pixels", "image/png")}),
       "image 1 (image/png) could not be decoded"},
      {"a WebP wider than 8000 pixels",
       AskAbout("seer", {ImageBlock(SolidWebp(8001, 1, {0, 0, 0}), "image/webp")}),
       "image 1 (image/webp) is 8001x1 pixels; the local engine reads images of at most 8000"},
      {"a BMP taller than 8000 pixels",
       AskAbout("seer", {ImageBlock(SolidBmp(1, 8001, {0, 0, 0}))}),
       "image 1 (image/bmp) is 1x8001 pixels"},
      {"a PNG header claiming 100000x100000 pixels (never decoded)",
       AskAbout("seer", {ImageBlock(PngHeader(100000, 100000), "image/png")}),
       "image 1 (image/png) is 100000x100000 pixels"},
      {"duet's marker in the text",
       AskAbout("seer", {ImageBlock(Red())}, "What is <__duet_image_0__>?"), "image marker"},
      {"text spelling a control token beside an image",
       AskAbout("seer", {ImageBlock(Red())}, "What is </s>?"),
       "can keep as text only in requests without images"},
  };
  for (const Case& each : cases) {
    const EngineAnswer answer = RunToEnd(*engine_, each.request);
    EXPECT_EQ(answer.error.code(), ErrorCode::kInvalidArgument) << each.what;
    EXPECT_NE(answer.error.message().find(each.says), std::string::npos)
        << each.what << ": " << answer.error.message();
    Result<int64_t> counted = engine_->CountTokens(each.request);
    EXPECT_FALSE(counted.has_value()) << each.what;
  }
  // The engine is unharmed.
  EXPECT_TRUE(RunToEnd(*engine_, AskAbout("seer", {ImageBlock(Blue())})).error.ok());
}

TEST(ReusablePrefixTest, KeepsWholeImagesAndStopsAtTheFirstMRopeImage) {
  // Tokens 0-9 text, 10-25 an image, 26-39 text, 40-55 an M-RoPE image
  // (16 embeddings in 4 positions), then text.
  const std::vector<TokenizedPrompt::Image> images = {
      {.start = 10, .length = 16, .positions = 16},
      {.start = 40, .length = 16, .positions = 4}};
  EXPECT_EQ(ReusablePrefix(images, 5), 5u);    // before any image
  EXPECT_EQ(ReusablePrefix(images, 10), 10u);  // up to the first image
  EXPECT_EQ(ReusablePrefix(images, 17), 10u);  // not into the middle of it
  EXPECT_EQ(ReusablePrefix(images, 26), 26u);  // the whole of it
  EXPECT_EQ(ReusablePrefix(images, 39), 39u);
  EXPECT_EQ(ReusablePrefix(images, 50), 40u);  // nothing of the M-RoPE image
  EXPECT_EQ(ReusablePrefix(images, 70), 40u);  // nor past it
  EXPECT_EQ(ReusablePrefix({}, 70), 70u);
}

class LlamaVisionLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("duet-vision-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

TEST_F(LlamaVisionLoadTest, AProjectorForAnotherModelIsAnErrorUnlessItWasAGuess) {
  // Made for a model 32 wide; the tiny model is 64 wide.
  const std::string wrong = (dir_ / "mmproj-other.gguf").string();
  ASSERT_TRUE(model_files::WriteRandomProjector({.out_path = wrong, .text_width = 32}).has_value());

  Result<std::unique_ptr<LlamaEngine>> configured =
      LlamaEngine::Create({.models = {VisionOptions("seer", wrong)}});
  ASSERT_FALSE(configured.has_value());
  EXPECT_EQ(configured.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(configured.error().message().find("model seer"), std::string::npos)
      << configured.error().message();

  RunnerOptions guessed = VisionOptions("seer", wrong);
  guessed.mmproj_guessed = true;
  Result<std::unique_ptr<LlamaEngine>> text_only =
      LlamaEngine::Create({.models = {guessed}});
  ASSERT_TRUE(text_only.has_value()) << text_only.error().message();
  EXPECT_FALSE((*text_only)->ListModels().front().reads_images);

  Result<std::unique_ptr<LlamaEngine>> missing = LlamaEngine::Create(
      {.models = {VisionOptions("seer", (dir_ / "absent.gguf").string())}});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace duet::llama
