// The judge's question and how its reply is read (route/shadow/shadow_judge.h).
#include "route/shadow/shadow_judge.h"

#include <gtest/gtest.h>

#include "route/answer_text.h"

namespace duet {
namespace {

ChatResponse Answering(std::vector<ContentBlock> content) {
  ChatResponse response;
  response.content = std::move(content);
  return response;
}

TEST(ParseVerdictTest, ReadsTheFirstVerdictWordInAnyCase) {
  EXPECT_EQ(ParseVerdict("SAME"), "same");
  EXPECT_EQ(ParseVerdict("different"), "different");
  EXPECT_EQ(ParseVerdict("  Different.\n"), "different");
  EXPECT_EQ(ParseVerdict("They differ: B is right"), "different");
  EXPECT_EQ(ParseVerdict("same, nothing differs"), "same");
  EXPECT_EQ(ParseVerdict("Answer B differs, not the same"), "different");
}

TEST(ParseVerdictTest, ANonAnswerIsUnsure) {
  EXPECT_EQ(ParseVerdict(""), "unsure");
  EXPECT_EQ(ParseVerdict("7"), "unsure");
  EXPECT_EQ(ParseVerdict("qz lorem ipsum"), "unsure");
}

TEST(AnswerDigestTest, KeepsTextAndToolCallsButNotThinking) {
  ContentBlock thinking;
  thinking.type = BlockType::kThinking;
  thinking.text = "secret reasoning";
  const ChatResponse answer =
      Answering({thinking, ContentBlock::Text("Looking it up. "),
                 ContentBlock::ToolUse("toolu_1", "get_weather", RawJson{R"({"city":"Oslo"})"})});
  EXPECT_EQ(AnswerDigest(answer), R"(Looking it up. [tool call get_weather {"city":"Oslo"}])");
}

TEST(JudgeRequestTest, PutsTheLastUserTurnAndBothAnswersToTheJudge) {
  ChatRequest original;
  original.model = "auto";
  original.stream = true;
  original.tools.push_back(Tool{});
  original.messages.push_back({Role::kUser, {ContentBlock::Text("first question")}});
  original.messages.push_back({Role::kAssistant, {ContentBlock::Text("first answer")}});
  original.messages.push_back({Role::kUser, {ContentBlock::Text("What is 2+2?")}});
  const ChatRequest judge =
      JudgeRequest(original, Answering({ContentBlock::Text("5")}),
                   Answering({ContentBlock::Text("4")}), "qwen");
  EXPECT_EQ(judge.model, "qwen");
  EXPECT_FALSE(judge.stream);
  EXPECT_TRUE(judge.tools.empty());
  ASSERT_TRUE(judge.max_tokens.has_value());
  EXPECT_LE(*judge.max_tokens, 16);
  ASSERT_EQ(judge.messages.size(), 1u);
  const std::string& question = judge.messages[0].content.at(0).text;
  EXPECT_NE(question.find("What is 2+2?"), std::string::npos);
  EXPECT_EQ(question.find("first question"), std::string::npos);
  EXPECT_NE(question.find("Answer A:\n5"), std::string::npos);
  EXPECT_NE(question.find("Answer B:\n4"), std::string::npos);
  ASSERT_FALSE(judge.system.empty());
  EXPECT_NE(judge.system[0].text.find("SAME"), std::string::npos);
}

}  // namespace
}  // namespace duet
