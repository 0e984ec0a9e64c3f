// Token log-probabilities and the answer-confidence summary from the local
// engine, on the generated tiny models (random weights, a real 32,000-token
// vocabulary): their answers are noise, so the model is never sure of them.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "backend/llama/engine.h"
#include "backend/llama/engine_answer.h"

namespace duet::llama {
namespace {

using Answer = EngineAnswer;

ChatRequest Ask(const std::string& model, const std::string& text,
                int64_t max_tokens) {
  ChatRequest request;
  request.model = model;
  request.max_tokens = max_tokens;
  request.sampling.temperature = 0;
  request.messages.push_back({Role::kUser, {ContentBlock::Text(text)}});
  return request;
}

ChatRequest WithLogprobs(ChatRequest request, int top) {
  request.logprobs = true;
  request.top_logprobs = top;
  return request;
}

RunnerOptions Options(const std::string& name, const std::string& path) {
  RunnerOptions options;
  options.name = name;
  options.path = path;
  options.context = 256;
  options.slots = 2;
  options.threads = 1;
  options.batch_size = 64;
  return options;
}

std::string Joined(const std::vector<TokenLogprob>& logprobs) {
  std::string text;
  for (const TokenLogprob& entry : logprobs) {
    text += entry.token;
  }
  return text;
}

std::string TextOf(const ChatResponse& response) {
  std::string text;
  for (const ContentBlock& block : response.content) {
    if (block.type == BlockType::kText) {
      text += block.text;
    }
  }
  return text;
}

class LlamaLogprobsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<std::unique_ptr<LlamaEngine>> engine = LlamaEngine::Create(
        {.models = {Options("tiny", DUET_TINY_MODEL),
                    Options("thinker", DUET_TINY_THINKING_MODEL)}});
    ASSERT_TRUE(engine.has_value()) << engine.error().message();
    engine_ = std::move(*engine).release();
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }

  static Answer Complete(ChatRequest request) {
    Answer answer = RunToEnd(*engine_, std::move(request));
    EXPECT_TRUE(answer.error.ok()) << answer.error.message();
    return answer;
  }

  static inline LlamaEngine* engine_ = nullptr;
};

TEST_F(LlamaLogprobsTest, EveryGeneratedTokenIsReportedWithItsText) {
  const Answer answer =
      Complete(WithLogprobs(Ask("tiny", "Tell me about the sea", 24), 3));
  const ChatResponse& response = answer.response;
  ASSERT_GT(response.usage.output_tokens, 0);
  // No stop sequence cut it: one entry per completion token.
  ASSERT_NE(response.stop_reason, StopReason::kStopSequence);
  ASSERT_EQ(static_cast<int64_t>(response.logprobs.size()),
            response.usage.output_tokens);
  // The tokens spell the answer (plus, at most, a character that max_tokens
  // cut in half and the text therefore left out).
  const std::string text = TextOf(response);
  const std::string joined = Joined(response.logprobs);
  EXPECT_EQ(joined.substr(0, text.size()), text);
  EXPECT_LT(joined.size() - text.size(), 4u);

  for (const TokenLogprob& entry : response.logprobs) {
    EXPECT_LE(entry.logprob, 0.0);
    EXPECT_GE(entry.logprob, TokenLogprob::kLogprobFloor);
    ASSERT_EQ(entry.top.size(), 3u);
    double mass = 0;
    for (size_t i = 0; i < entry.top.size(); ++i) {
      mass += std::exp(entry.top[i].logprob);
      if (i > 0) {
        EXPECT_LE(entry.top[i].logprob, entry.top[i - 1].logprob);
      }
    }
    EXPECT_LE(mass, 1.0 + 1e-9);
    // Greedy decoding takes the most likely token: it heads the list.
    EXPECT_EQ(entry.top[0].token, entry.token);
    EXPECT_EQ(entry.top[0].logprob, entry.logprob);
  }
}

TEST_F(LlamaLogprobsTest, EachDeltaCarriesTheTokensItsTextBeginsWith) {
  // Long enough that the template's stop markers make the engine hold text
  // back now and then, so deltas and tokens do not line up one to one.
  const Answer answer =
      Complete(WithLogprobs(Ask("tiny", "Write a long story", 64), 0));
  std::string released;
  std::vector<TokenLogprob> reported;
  int deltas = 0;
  for (const ChatEvent& event : answer.events) {
    if (event.kind != ChatEvent::Kind::kBlockDelta) {
      continue;
    }
    ++deltas;
    released += event.delta;
    reported.insert(reported.end(), event.logprobs.begin(), event.logprobs.end());
    if (event.delta.empty()) {
      continue;  // the end of the answer: whatever never got text
    }
    SCOPED_TRACE("after delta " + std::to_string(deltas));
    // The text so far is covered by the tokens so far...
    const std::string joined = Joined(reported);
    ASSERT_GE(joined.size(), released.size());
    EXPECT_EQ(joined.substr(0, released.size()), released);
    // ...and none of them begins after it: each left with its first byte.
    ASSERT_FALSE(reported.empty());
    EXPECT_LT(joined.size() - reported.back().token.size(), released.size());
  }
  EXPECT_GT(deltas, 1);
  for (const TokenLogprob& entry : reported) {
    EXPECT_TRUE(entry.top.empty());  // top_logprobs 0 asks for none
  }
}

TEST_F(LlamaLogprobsTest, ConfidenceSummarisesTheSameScores) {
  const Answer answer =
      Complete(WithLogprobs(Ask("tiny", "What is the capital of France?", 20), 0));
  const ChatResponse& response = answer.response;
  ASSERT_TRUE(response.confidence.has_value());
  const AnswerConfidence& confidence = *response.confidence;
  ASSERT_EQ(confidence.tokens, response.usage.output_tokens);
  ASSERT_EQ(static_cast<int64_t>(response.logprobs.size()), confidence.tokens);
  double sum = 0;
  double lowest = 0;
  int64_t low = 0;
  for (const TokenLogprob& entry : response.logprobs) {
    sum += entry.logprob;
    lowest = std::min(lowest, entry.logprob);
    low += std::exp(entry.logprob) < AnswerConfidence::kLowProbability ? 1 : 0;
  }
  EXPECT_NEAR(confidence.mean_logprob, sum / static_cast<double>(confidence.tokens),
              1e-9);
  EXPECT_EQ(confidence.min_logprob, lowest);
  EXPECT_EQ(confidence.low_probability_tokens, low);
  // Random weights spread their mass: noise is never a confident answer.
  EXPECT_LE(confidence.mean_logprob, std::log(0.5));
  EXPECT_GT(confidence.mean_entropy, 1.0);
  EXPECT_LE(confidence.mean_entropy, std::log(32000.0) + 1e-6);
}

TEST_F(LlamaLogprobsTest, ReportConfidenceAloneGivesTheSummaryButNoTokens) {
  ChatRequest request = Ask("tiny", "What is the capital of France?", 20);
  request.report_confidence = true;
  const Answer answer = Complete(request);
  for (const ChatEvent& event : answer.events) {
    EXPECT_TRUE(event.logprobs.empty());
  }
  EXPECT_TRUE(answer.response.logprobs.empty());
  ASSERT_TRUE(answer.response.confidence.has_value());
  EXPECT_EQ(answer.response.confidence->tokens, answer.response.usage.output_tokens);
  // The same greedy answer scored with logprobs on gives the same summary
  // (up to float noise: the second answer decodes its prompt from the
  // cache, in a different batch).
  const Answer with_logprobs = Complete(WithLogprobs(request, 0));
  ASSERT_TRUE(with_logprobs.response.confidence.has_value());
  const AnswerConfidence& alone = *answer.response.confidence;
  const AnswerConfidence& with = *with_logprobs.response.confidence;
  EXPECT_EQ(with.tokens, alone.tokens);
  EXPECT_NEAR(with.mean_logprob, alone.mean_logprob, 1e-3);
  EXPECT_NEAR(with.min_logprob, alone.min_logprob, 1e-3);
  EXPECT_NEAR(with.mean_entropy, alone.mean_entropy, 1e-3);
}

TEST_F(LlamaLogprobsTest, NeitherAskedMeansNoScores) {
  const Answer answer = Complete(Ask("tiny", "What is the capital of France?", 12));
  for (const ChatEvent& event : answer.events) {
    EXPECT_TRUE(event.logprobs.empty());
    EXPECT_FALSE(event.confidence.has_value());
  }
  EXPECT_TRUE(answer.response.logprobs.empty());
  EXPECT_FALSE(answer.response.confidence.has_value());
}

TEST_F(LlamaLogprobsTest, ScoresComeFromTheDistributionBeforeTemperature) {
  // The first token is drawn from the same logits whatever the sampling
  // settings, so its scored alternatives must not depend on them. The
  // second request finds all but the prompt's last token cached and decodes
  // one token where the first decoded the whole prompt; without flash
  // attention (the CPU default) the attention sums run in another order
  // then, which moves log-probabilities by about 1e-4. A temperature of
  // 1.7 would move them by whole units.
  const ChatRequest greedy = WithLogprobs(Ask("tiny", "Pick a word", 4), 5);
  ChatRequest hot = greedy;
  hot.sampling.temperature = 1.7;
  hot.sampling.top_k = 3;
  hot.sampling.seed = 11;
  const Answer cold_answer = Complete(greedy);
  const Answer hot_answer = Complete(hot);
  ASSERT_FALSE(cold_answer.response.logprobs.empty());
  ASSERT_FALSE(hot_answer.response.logprobs.empty());
  const TokenLogprob& cold_first = cold_answer.response.logprobs[0];
  const TokenLogprob& hot_first = hot_answer.response.logprobs[0];
  ASSERT_EQ(hot_first.top.size(), cold_first.top.size());
  for (size_t i = 0; i < cold_first.top.size(); ++i) {
    EXPECT_EQ(hot_first.top[i].token, cold_first.top[i].token) << i;
    EXPECT_NEAR(hot_first.top[i].logprob, cold_first.top[i].logprob, 1e-3) << i;
  }
  // top_k 3 drew one of the three most likely tokens, scored as they are.
  bool among_top = false;
  for (size_t i = 0; i < 3; ++i) {
    if (cold_first.top[i].token == hot_first.token) {
      among_top = true;
      EXPECT_NEAR(hot_first.logprob, cold_first.top[i].logprob, 1e-3);
    }
  }
  EXPECT_TRUE(among_top) << hot_first.token;
}

TEST_F(LlamaLogprobsTest, TokensSwallowedByAStopSequenceAreNotReported) {
  const std::string text =
      TextOf(Complete(Ask("tiny", "Write something", 32)).response);
  ASSERT_GE(text.size(), 8u) << "the model answered too little to test stops";
  const std::string stop = text.substr(text.size() / 2, 3);
  ChatRequest request = WithLogprobs(Ask("tiny", "Write something", 32), 0);
  request.stop_sequences = {stop};
  const Answer answer = Complete(request);
  const ChatResponse& response = answer.response;
  ASSERT_EQ(response.stop_reason, StopReason::kStopSequence);
  const std::string content = TextOf(response);
  ASSERT_EQ(content, text.substr(0, text.find(stop)));
  // Every reported token begins inside the content; the stop sequence's
  // own tokens are gone, though they were generated and are still scored.
  const std::string joined = Joined(response.logprobs);
  EXPECT_EQ(joined.substr(0, content.size()), content);
  if (!response.logprobs.empty()) {
    EXPECT_LT(joined.size() - response.logprobs.back().token.size(), content.size());
  }
  EXPECT_LT(static_cast<int64_t>(response.logprobs.size()),
            response.usage.output_tokens);
  ASSERT_TRUE(response.confidence.has_value());
  EXPECT_EQ(response.confidence->tokens, response.usage.output_tokens);
}

TEST_F(LlamaLogprobsTest, ReasoningTokensAreScoredButNotReported) {
  // The thinking template opens <think> in the prompt; noise never closes
  // it, so the whole answer is reasoning.
  ChatRequest request = WithLogprobs(Ask("thinker", "Think about it", 16), 2);
  ThinkingConfig thinking;
  thinking.mode = ThinkingConfig::Mode::kEnabled;
  thinking.budget_tokens = 1024;
  request.thinking = thinking;
  const Answer answer = Complete(request);
  bool thought = false;
  for (const ChatEvent& event : answer.events) {
    if (event.kind == ChatEvent::Kind::kBlockDelta &&
        event.delta_kind == ChatEvent::DeltaKind::kThinking) {
      thought = true;
      EXPECT_TRUE(event.logprobs.empty());
    }
  }
  ASSERT_TRUE(thought) << "the answer had no reasoning to test with";
  for (const TokenLogprob& entry : answer.response.logprobs) {
    EXPECT_LE(entry.logprob, 0.0);  // only text deltas' tokens, if any
  }
  ASSERT_TRUE(answer.response.confidence.has_value());
  EXPECT_EQ(answer.response.confidence->tokens, answer.response.usage.output_tokens);
}

}  // namespace
}  // namespace duet::llama
