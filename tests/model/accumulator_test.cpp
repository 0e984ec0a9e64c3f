#include "model/accumulator.h"

#include <gtest/gtest.h>

namespace duet {
namespace {

using Delta = ChatEvent::DeltaKind;

TEST(ResponseAccumulatorTest, FoldsTextThinkingAndToolUseBlocks) {
  ResponseAccumulator acc;
  Usage start_usage{.input_tokens = 12, .output_tokens = 1};
  ASSERT_TRUE(acc.Add(ChatEvent::MessageStart("msg_1", "m", start_usage)).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStart(0, ContentBlock::Thinking("", ""))).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::Delta(0, Delta::kThinking, "hmm ")).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::Delta(0, Delta::kThinking, "ok")).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::Delta(0, Delta::kSignature, "sig")).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStop(0)).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::Ping()).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStart(1, ContentBlock::Text(""))).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::Delta(1, Delta::kText, "Hel")).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::Delta(1, Delta::kText, "lo")).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStop(1)).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStart(2, ContentBlock::ToolUse("toolu_1", "get_weather", {}))).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::Delta(2, Delta::kInputJson, "")).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::Delta(2, Delta::kInputJson, "{\"ci")).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::Delta(2, Delta::kInputJson, "ty\":\"Paris\"}")).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStop(2)).ok());
  Usage final_usage{.input_tokens = 12, .output_tokens = 9};
  ASSERT_TRUE(acc.Add(ChatEvent::MessageDelta(StopReason::kToolUse, final_usage)).ok());
  EXPECT_FALSE(acc.complete());
  ASSERT_TRUE(acc.Add(ChatEvent::MessageStop()).ok());
  ASSERT_TRUE(acc.complete());

  const ChatResponse& r = acc.response();
  EXPECT_EQ(r.id, "msg_1");
  ASSERT_EQ(r.content.size(), 3u);
  EXPECT_EQ(r.content[0].text, "hmm ok");
  EXPECT_EQ(r.content[0].signature, "sig");
  EXPECT_EQ(r.content[1].text, "Hello");
  EXPECT_EQ(r.content[2].tool_input.text, R"({"city":"Paris"})");
  EXPECT_EQ(r.stop_reason, StopReason::kToolUse);
  EXPECT_EQ(r.usage.output_tokens, 9);  // cumulative: replaced, not added
}

TEST(ResponseAccumulatorTest, EmptyToolInputBecomesEmptyObject) {
  ResponseAccumulator acc;
  ASSERT_TRUE(acc.Add(ChatEvent::MessageStart("m", "m", {})).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStart(0, ContentBlock::ToolUse("t", "now", {}))).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStop(0)).ok());
  EXPECT_EQ(acc.response().content[0].tool_input.text, "{}");
}

TEST(ResponseAccumulatorTest, CollectsTextLogprobsInOrderAndTheConfidence) {
  ResponseAccumulator acc;
  ASSERT_TRUE(acc.Add(ChatEvent::MessageStart("m", "tiny", {})).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStart(0, ContentBlock::Thinking("", ""))).ok());
  ChatEvent thinking = ChatEvent::Delta(0, Delta::kThinking, "hmm");
  thinking.logprobs = {TokenLogprob{"hmm", -0.1, {}}};  // not content: ignored
  ASSERT_TRUE(acc.Add(thinking).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStop(0)).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStart(1, ContentBlock::Text(""))).ok());
  ChatEvent first = ChatEvent::Delta(1, Delta::kText, "Hel");
  first.logprobs = {TokenLogprob{"H", -0.5, {{"H", -0.5}, {"J", -2.0}}},
                    TokenLogprob{"el", -1.0, {}}};
  ChatEvent second = ChatEvent::Delta(1, Delta::kText, "lo");
  second.logprobs = {TokenLogprob{"lo", -0.25, {}}};
  ASSERT_TRUE(acc.Add(first).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::Delta(1, Delta::kText, "")).ok());
  ASSERT_TRUE(acc.Add(second).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStop(1)).ok());
  EXPECT_FALSE(acc.response().confidence.has_value());
  ChatEvent finish = ChatEvent::MessageDelta(StopReason::kEndTurn, Usage{.output_tokens = 4});
  const AnswerConfidence confidence{.tokens = 4,
                                    .mean_logprob = -0.4625,
                                    .min_logprob = -1.0,
                                    .low_probability_tokens = 0,
                                    .mean_entropy = 2.5};
  finish.confidence = confidence;
  ASSERT_TRUE(acc.Add(finish).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::MessageStop()).ok());

  const ChatResponse& r = acc.response();
  EXPECT_EQ(r.content[1].text, "Hello");
  ASSERT_EQ(r.logprobs.size(), 3u);
  EXPECT_EQ(r.logprobs[0], first.logprobs[0]);
  EXPECT_EQ(r.logprobs[1], first.logprobs[1]);
  EXPECT_EQ(r.logprobs[2], second.logprobs[0]);
  EXPECT_EQ(r.confidence, confidence);
}

TEST(ResponseAccumulatorTest, NoScoresLeaveTheResponseWithout) {
  ResponseAccumulator acc;
  ASSERT_TRUE(acc.Add(ChatEvent::MessageStart("m", "m", {})).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStart(0, ContentBlock::Text(""))).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::Delta(0, Delta::kText, "hi")).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::BlockStop(0)).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::MessageDelta(StopReason::kEndTurn, {})).ok());
  ASSERT_TRUE(acc.Add(ChatEvent::MessageStop()).ok());
  EXPECT_TRUE(acc.response().logprobs.empty());
  EXPECT_FALSE(acc.response().confidence.has_value());
}

TEST(AnswerConfidenceTest, LowProbabilityShareIsZeroWithNothingScored) {
  EXPECT_EQ(AnswerConfidence().low_probability_share(), 0.0);
  EXPECT_DOUBLE_EQ((AnswerConfidence{.tokens = 8, .low_probability_tokens = 2})
                       .low_probability_share(),
                   0.25);
}

TEST(ResponseAccumulatorTest, RejectsOutOfOrderEvents) {
  ResponseAccumulator acc;
  Status status = acc.Add(ChatEvent::BlockStart(0, ContentBlock::Text("")));
  EXPECT_EQ(status.code(), ErrorCode::kInternal);
  // Once failed, it stays failed.
  EXPECT_FALSE(acc.Add(ChatEvent::MessageStart("m", "m", {})).ok());

  ResponseAccumulator skipped_index;
  ASSERT_TRUE(skipped_index.Add(ChatEvent::MessageStart("m", "m", {})).ok());
  EXPECT_FALSE(skipped_index.Add(ChatEvent::BlockStart(1, ContentBlock::Text(""))).ok());

  ResponseAccumulator stop_too_early;
  ASSERT_TRUE(stop_too_early.Add(ChatEvent::MessageStart("m", "m", {})).ok());
  EXPECT_FALSE(stop_too_early.Add(ChatEvent::MessageStop()).ok());
}

TEST(ResponseAccumulatorTest, ErrorEventEndsTheStreamWithItsStatus) {
  ResponseAccumulator acc;
  ASSERT_TRUE(acc.Add(ChatEvent::MessageStart("m", "m", {})).ok());
  Status status = acc.Add(ChatEvent::Failure(Unavailable("Overloaded")));
  EXPECT_EQ(status, Unavailable("Overloaded"));
  EXPECT_FALSE(acc.complete());
}

}  // namespace
}  // namespace duet
