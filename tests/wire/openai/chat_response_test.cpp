// WriteChatCompletion and FinishReasonName against protocols.md §3.2 and the
// §3.7 mapping; the golden files are hand-written (see golden/README.md).

#include "wire/openai/chat_response.h"

#include <gtest/gtest.h>

#include "golden.h"

namespace duet::wire::openai {
namespace {

using test_support::ReadGoldenJson;

constexpr int64_t kCreated = 1735000000;

TEST(OpenAIChatResponseTest, TextCompletionMatchesGolden) {
  ChatResponse response;
  response.id = "chatcmpl-golden1";
  response.model = "claude-sonnet-4-5";
  response.content = {ContentBlock::Text("Hello! How can I help?")};
  response.stop_reason = StopReason::kEndTurn;
  response.usage = Usage{.input_tokens = 4,
                         .output_tokens = 7,
                         .cache_creation_input_tokens = 3,
                         .cache_read_input_tokens = 5};
  EXPECT_EQ(WriteChatCompletion(response, kCreated), ReadGoldenJson("completion_text.json"));
}

TEST(OpenAIChatResponseTest, ToolCallCompletionMatchesGolden) {
  ChatResponse response;
  response.id = "chatcmpl-golden2";
  response.model = "claude-sonnet-4-5";
  response.content = {
      ContentBlock::ToolUse("call_1", "get_weather", RawJson{R"({"city":"Paris"})"}),
      ContentBlock::ToolUse("call_2", "get_time", RawJson{R"({"tz":"Europe/Paris"})"})};
  response.stop_reason = StopReason::kToolUse;
  response.usage = Usage{.input_tokens = 20, .output_tokens = 15};
  EXPECT_EQ(WriteChatCompletion(response, kCreated),
            ReadGoldenJson("completion_tool_calls.json"));
}

TEST(OpenAIChatResponseTest, ReasoningTextAndToolCallsTogether) {
  ChatResponse response;
  response.id = "chatcmpl-x";
  response.model = "m";
  ContentBlock redacted;
  redacted.type = BlockType::kRedactedThinking;
  redacted.signature = "opaque";
  ContentBlock other;
  other.type = BlockType::kOther;
  other.raw = RawJson{R"({"type":"server_tool_use"})"};
  response.content = {ContentBlock::Thinking("Think ", "sig"), redacted,
                      ContentBlock::Thinking("more.", ""), ContentBlock::Text("Part one. "),
                      other, ContentBlock::ToolUse("call_9", "f", RawJson{}),
                      ContentBlock::Text("Part two.")};
  response.stop_reason = StopReason::kToolUse;
  response.usage = Usage{.input_tokens = 1, .output_tokens = 9, .thinking_tokens = 4};
  EXPECT_EQ(WriteChatCompletion(response, 5),
            R"({"id":"chatcmpl-x","object":"chat.completion","created":5,"model":"m",)"
            R"("choices":[{"index":0,"message":{"role":"assistant",)"
            R"("content":"Part one. Part two.","refusal":null,"tool_calls":[)"
            R"({"id":"call_9","type":"function","function":{"name":"f","arguments":"{}"}}],)"
            R"("reasoning_content":"Think more."},"logprobs":null,"finish_reason":"tool_calls"}],)"
            R"("usage":{"prompt_tokens":1,"completion_tokens":9,"total_tokens":10,)"
            R"("prompt_tokens_details":{"cached_tokens":0},)"
            R"("completion_tokens_details":{"reasoning_tokens":4}},"system_fingerprint":null})");
}

TEST(OpenAIChatResponseTest, NoContentAtAllIsAnEmptyStringNotNull) {
  ChatResponse response;
  response.id = "chatcmpl-e";
  response.model = "m";
  response.stop_reason = StopReason::kMaxTokens;
  const std::string json = WriteChatCompletion(response, 0);
  EXPECT_NE(json.find(R"("message":{"role":"assistant","content":"","refusal":null})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("finish_reason":"length")"), std::string::npos) << json;
}

TEST(OpenAIChatResponseTest, StringsAreEscapedAndInvalidUtf8Replaced) {
  ChatResponse response;
  response.id = "chatcmpl-\"q\"";
  response.model = "m";
  response.content = {ContentBlock::Text("a\"b\\c\n\x01 \xFF")};
  const std::string json = WriteChatCompletion(response, 0);
  EXPECT_NE(json.find(R"("id":"chatcmpl-\"q\"")"), std::string::npos) << json;
  EXPECT_NE(json.find("\"content\":\"a\\\"b\\\\c\\n\\u0001 \xEF\xBF\xBD\""), std::string::npos)
      << json;
}

TEST(OpenAIChatResponseTest, LogprobsAreTheChoicesContentTokens) {
  ChatResponse response;
  response.id = "chatcmpl-l";
  response.model = "tiny";
  response.content = {ContentBlock::Text("Caf\xC3\xA9")};
  // "é" came as two tokens, one byte each: neither is text on its own.
  response.logprobs = {
      TokenLogprob{"Caf", -0.25, {{"Caf", -0.25}, {"Ca", -2.5}}},
      TokenLogprob{"\xC3", -1.5, {}},
      TokenLogprob{"\xA9", -0.125, {}}};
  response.confidence = AnswerConfidence{.tokens = 3, .mean_logprob = -0.625};
  response.stop_reason = StopReason::kEndTurn;
  const std::string json = WriteChatCompletion(response, 0);
  EXPECT_NE(json.find(R"("logprobs":{"content":[)"
                      R"({"token":"Caf","logprob":-0.25,"bytes":[67,97,102],"top_logprobs":[)"
                      R"({"token":"Caf","logprob":-0.25,"bytes":[67,97,102]},)"
                      R"({"token":"Ca","logprob":-2.5,"bytes":[67,97]}]},)"
                      "{\"token\":\"\xEF\xBF\xBD\",\"logprob\":-1.5,\"bytes\":[195],"
                      R"("top_logprobs":[]},)"
                      "{\"token\":\"\xEF\xBF\xBD\",\"logprob\":-0.125,\"bytes\":[169],"
                      R"("top_logprobs":[]}],"refusal":null},"finish_reason":"stop"})"),
            std::string::npos)
      << json;
  // The confidence summary is duet's own, not part of the API.
  EXPECT_EQ(json.find("mean_logprob"), std::string::npos) << json;
  EXPECT_EQ(json.find("confidence"), std::string::npos) << json;
}

TEST(OpenAIChatResponseTest, FinishReasonForEveryStopReason) {
  EXPECT_EQ(FinishReasonName(StopReason::kEndTurn), "stop");
  EXPECT_EQ(FinishReasonName(StopReason::kStopSequence), "stop");
  EXPECT_EQ(FinishReasonName(StopReason::kPauseTurn), "stop");
  EXPECT_EQ(FinishReasonName(StopReason::kMaxTokens), "length");
  EXPECT_EQ(FinishReasonName(StopReason::kContextWindowExceeded), "length");
  EXPECT_EQ(FinishReasonName(StopReason::kToolUse), "tool_calls");
  EXPECT_EQ(FinishReasonName(StopReason::kRefusal), "content_filter");
}

TEST(OpenAIChatResponseTest, UsageCountsCacheWritesAndReadsAsPrompt) {
  std::string out;
  JsonWriter writer(&out);
  WriteUsageObject(Usage{.input_tokens = 100,
                         .output_tokens = 50,
                         .cache_creation_input_tokens = 1000,
                         .cache_read_input_tokens = 2000,
                         .thinking_tokens = 30},
                   &writer);
  EXPECT_EQ(out,
            R"({"prompt_tokens":3100,"completion_tokens":50,"total_tokens":3150,)"
            R"("prompt_tokens_details":{"cached_tokens":2000},)"
            R"("completion_tokens_details":{"reasoning_tokens":30}})");
}

}  // namespace
}  // namespace duet::wire::openai
