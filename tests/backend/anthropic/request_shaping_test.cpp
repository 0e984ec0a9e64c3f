// ShapeForModel: requests are made acceptable to each Claude model.
#include "backend/anthropic/request_shaping.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace duet::anthropic {
namespace {

ThinkingConfig Enabled(int64_t budget) {
  ThinkingConfig thinking;
  thinking.mode = ThinkingConfig::Mode::kEnabled;
  thinking.budget_tokens = budget;
  return thinking;
}

ClaudeModel Model(int64_t max_output, bool fixed_sampling, bool adaptive_only) {
  ClaudeModel model;
  model.id = "claude-test";
  model.max_output_tokens = max_output;
  model.fixed_sampling = fixed_sampling;
  model.adaptive_thinking_only = adaptive_only;
  return model;
}

TEST(RequestShapingTest, MissingMaxTokensGetsADefaultWithinTheModelLimit) {
  ChatRequest request;
  ShapeForModel(Model(64'000, false, false), &request);
  EXPECT_EQ(request.max_tokens, kDefaultMaxTokens);
  ChatRequest small;
  ShapeForModel(Model(1000, false, false), &small);
  EXPECT_EQ(small.max_tokens, 1000);
}

TEST(RequestShapingTest, MaxTokensAboveTheModelLimitIsLowered) {
  ChatRequest request;
  request.max_tokens = 200'000;
  const auto changes = ShapeForModel(Model(64'000, false, false), &request);
  EXPECT_EQ(request.max_tokens, 64'000);
  EXPECT_EQ(changes.size(), 1u);
}

TEST(RequestShapingTest, FixedSamplingModelsLoseSamplingParameters) {
  ChatRequest request;
  request.max_tokens = 100;
  request.sampling = {.temperature = 0.2, .top_p = 0.9, .top_k = 40, .seed = 7};
  ShapeForModel(Model(64'000, true, false), &request);
  EXPECT_FALSE(request.sampling.temperature);
  EXPECT_FALSE(request.sampling.top_p);
  EXPECT_FALSE(request.sampling.top_k);

  ChatRequest kept;
  kept.max_tokens = 100;
  kept.sampling.temperature = 0.2;
  ShapeForModel(Model(64'000, false, false), &kept);
  EXPECT_EQ(kept.sampling.temperature, 0.2);
}

TEST(RequestShapingTest, EnabledThinkingBecomesAdaptiveWhereRequired) {
  ChatRequest request;
  request.max_tokens = 8000;
  request.thinking = Enabled(2048);
  ShapeForModel(Model(64'000, false, true), &request);
  EXPECT_EQ(request.thinking->mode, ThinkingConfig::Mode::kAdaptive);
  EXPECT_EQ(request.thinking->budget_tokens, 0);
}

TEST(RequestShapingTest, ABudgetThatNoLongerFitsMovesMaxTokensOrShrinks) {
  ChatRequest raised;
  raised.max_tokens = 2000;
  raised.thinking = Enabled(4000);
  ShapeForModel(Model(64'000, false, false), &raised);
  EXPECT_EQ(raised.max_tokens, 5024);
  EXPECT_EQ(raised.thinking->budget_tokens, 4000);

  ChatRequest lowered;
  lowered.max_tokens = 90'000;  // lowered to 8192 first
  lowered.thinking = Enabled(10'000);
  ShapeForModel(Model(8192, false, false), &lowered);
  EXPECT_EQ(lowered.max_tokens, 8192);
  EXPECT_EQ(lowered.thinking->budget_tokens, 8192 - 1024);
}

TEST(RequestShapingTest, ASystemPromptAloneBecomesTheUserMessage) {
  ChatRequest request;
  request.system = {ContentBlock::Text("Write a haiku about the sea."),
                    ContentBlock::Text("No title.")};
  const std::vector<std::string> changes =
      ShapeForModel(Model(64'000, false, false), &request);
  EXPECT_TRUE(request.system.empty());
  ASSERT_EQ(request.messages.size(), 1u);
  EXPECT_EQ(request.messages[0].role, Role::kUser);
  EXPECT_EQ(request.messages[0].content,
            (std::vector{ContentBlock::Text("Write a haiku about the sea."),
                         ContentBlock::Text("No title.")}));
  EXPECT_NE(std::find(changes.begin(), changes.end(),
                      "sent the system prompt as the user message (there was no other)"),
            changes.end());

  // With any message at all, the system prompt stays where it is.
  ChatRequest usual;
  usual.system = {ContentBlock::Text("Be brief.")};
  Message question;
  question.content.push_back(ContentBlock::Text("Why?"));
  usual.messages.push_back(question);
  ShapeForModel(Model(64'000, false, false), &usual);
  EXPECT_EQ(usual.system, std::vector{ContentBlock::Text("Be brief.")});
  EXPECT_EQ(usual.messages, std::vector{question});
}

TEST(RequestShapingTest, UpstreamAlwaysStreams) {
  ChatRequest request;
  request.max_tokens = 10;
  ShapeForModel(Model(64'000, false, false), &request);
  EXPECT_TRUE(request.stream);
}

}  // namespace
}  // namespace duet::anthropic
