// ParseSimTurn, ParseSimScript and TakeDirective: every documented field of
// a scripted turn is read, every bad one is refused naming the field, and a
// `sim:` directive is found and removed only in the last user message.
#include "sim/sim_turn.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::sim {
namespace {

SimTurn ParseOk(std::string_view json) {
  Result<SimTurn> turn = ParseSimTurn(json);
  EXPECT_TRUE(turn.has_value()) << json << ": " << turn.error().ToString();
  return turn.has_value() ? *turn : SimTurn{};
}

// ParseSimTurn(json) fails with kInvalidArgument and a message naming
// `field`.
void ExpectRejected(std::string_view json, std::string_view field) {
  SCOPED_TRACE(json);
  Result<SimTurn> turn = ParseSimTurn(json);
  ASSERT_FALSE(turn.has_value());
  EXPECT_EQ(turn.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(turn.error().message().find(field), std::string::npos)
      << turn.error().message();
}

Message UserMessage(std::vector<ContentBlock> content) {
  return Message{Role::kUser, std::move(content)};
}

Message AssistantText(std::string text) {
  return Message{Role::kAssistant, {ContentBlock::Text(std::move(text))}};
}

ChatRequest RequestWith(std::vector<Message> messages) {
  ChatRequest request;
  request.model = "claude-haiku-4-5";
  request.max_tokens = 256;
  request.messages = std::move(messages);
  return request;
}

TEST(ParseSimTurnTest, EmptyObjectIsAnEchoWithDefaults) {
  const SimTurn turn = ParseOk("{}");
  EXPECT_TRUE(turn.content.empty());
  EXPECT_FALSE(turn.stop_reason.has_value());
  EXPECT_EQ(turn.fault, Fault::kNone);
  EXPECT_EQ(turn.error_type, "overloaded_error");
  EXPECT_FALSE(turn.retry_after_seconds.has_value());
  EXPECT_FALSE(turn.retry_after_ms.has_value());
  EXPECT_EQ(turn.after_events, 3);
  EXPECT_EQ(turn.delay.count(), 0);
  EXPECT_EQ(turn.first_byte_delay.count(), 0);
}

TEST(ParseSimTurnTest, TextIsOneTextBlock) {
  const SimTurn turn = ParseOk(R"({"text":"Hello from the script"})");
  ASSERT_EQ(turn.content.size(), 1u);
  EXPECT_EQ(turn.content[0].type, BlockType::kText);
  EXPECT_EQ(turn.content[0].text, "Hello from the script");
}

TEST(ParseSimTurnTest, ContentReadsTextToolUseAndThinkingBlocks) {
  const SimTurn turn = ParseOk(
      R"({"content":[)"
      R"({"type":"thinking","thinking":"Weather needs a tool."},)"
      R"({"type":"text","text":"Checking."},)"
      R"({"type":"tool_use","name":"get_weather","input":{"city":"Paris","days":3}},)"
      R"({"type":"tool_use","id":"toolu_given","name":"get_time"}]})");
  ASSERT_EQ(turn.content.size(), 4u);
  EXPECT_EQ(turn.content[0].type, BlockType::kThinking);
  EXPECT_EQ(turn.content[0].text, "Weather needs a tool.");
  EXPECT_EQ(turn.content[1].type, BlockType::kText);
  EXPECT_EQ(turn.content[1].text, "Checking.");
  EXPECT_EQ(turn.content[2].type, BlockType::kToolUse);
  EXPECT_EQ(turn.content[2].tool_name, "get_weather");
  EXPECT_EQ(turn.content[2].tool_id, "");
  // Compact JSON, keys in the order given.
  EXPECT_EQ(turn.content[2].tool_input.text, R"({"city":"Paris","days":3})");
  EXPECT_EQ(turn.content[3].tool_id, "toolu_given");
  EXPECT_EQ(turn.content[3].tool_name, "get_time");
  // No input: the empty object.
  EXPECT_EQ(turn.content[3].tool_input.text, "{}");
}

TEST(ParseSimTurnTest, TextAndContentBothAddBlocksInOrder) {
  const SimTurn turn = ParseOk(
      R"({"text":"first","content":[{"type":"text","text":"second"}]})");
  ASSERT_EQ(turn.content.size(), 2u);
  EXPECT_EQ(turn.content[0].text, "first");
  EXPECT_EQ(turn.content[1].text, "second");
}

TEST(ParseSimTurnTest, EveryStopReason) {
  const std::pair<const char*, StopReason> cases[] = {
      {"end_turn", StopReason::kEndTurn},
      {"max_tokens", StopReason::kMaxTokens},
      {"stop_sequence", StopReason::kStopSequence},
      {"tool_use", StopReason::kToolUse},
      {"pause_turn", StopReason::kPauseTurn},
      {"refusal", StopReason::kRefusal},
  };
  for (const auto& [name, reason] : cases) {
    SCOPED_TRACE(name);
    const SimTurn turn =
        ParseOk(std::string(R"({"stop_reason":")") + name + "\"}");
    ASSERT_TRUE(turn.stop_reason.has_value());
    EXPECT_EQ(*turn.stop_reason, reason);
  }
}

TEST(ParseSimTurnTest, EveryFault) {
  const std::pair<const char*, Fault> cases[] = {
      {"rate_limit", Fault::kRateLimit},
      {"overloaded", Fault::kOverloaded},
      {"api_error", Fault::kApiError},
      {"too_large", Fault::kTooLarge},
      {"timeout", Fault::kTimeout},
      {"stream_error", Fault::kStreamError},
      {"drop", Fault::kDrop},
  };
  for (const auto& [name, fault] : cases) {
    SCOPED_TRACE(name);
    const SimTurn turn = ParseOk(std::string(R"({"fault":")") + name + "\"}");
    EXPECT_EQ(turn.fault, fault);
  }
}

TEST(ParseSimTurnTest, FaultTuningFields) {
  const SimTurn turn = ParseOk(
      R"({"fault":"stream_error","error_type":"api_error","retry_after":1.5,)"
      R"("retry_after_ms":250,"after_events":7,"delay_ms":20,)"
      R"("first_byte_delay_ms":600000})");
  EXPECT_EQ(turn.fault, Fault::kStreamError);
  EXPECT_EQ(turn.error_type, "api_error");
  ASSERT_TRUE(turn.retry_after_seconds.has_value());
  EXPECT_DOUBLE_EQ(*turn.retry_after_seconds, 1.5);
  ASSERT_TRUE(turn.retry_after_ms.has_value());
  EXPECT_EQ(*turn.retry_after_ms, 250);
  EXPECT_EQ(turn.after_events, 7);
  EXPECT_EQ(turn.delay.count(), 20);
  EXPECT_EQ(turn.first_byte_delay.count(), 600'000);
}

TEST(ParseSimTurnTest, ZeroIsAValidCountAndDelay) {
  const SimTurn turn = ParseOk(
      R"({"retry_after":0,"retry_after_ms":0,"after_events":0,"delay_ms":0,)"
      R"("first_byte_delay_ms":0})");
  EXPECT_EQ(turn.retry_after_seconds, 0.0);
  EXPECT_EQ(turn.retry_after_ms, 0);
  EXPECT_EQ(turn.after_events, 0);
}

TEST(ParseSimTurnTest, RejectsWhatIsNotAnObject) {
  for (std::string_view json : {"[]", R"("text")", "42", "null"}) {
    SCOPED_TRACE(json);
    Result<SimTurn> turn = ParseSimTurn(json);
    ASSERT_FALSE(turn.has_value());
    EXPECT_EQ(turn.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(ParseSimTurnTest, RejectsMalformedJson) {
  for (std::string_view json : {"", "{", R"({"text":})", "{'text':'x'}"}) {
    SCOPED_TRACE(json);
    Result<SimTurn> turn = ParseSimTurn(json);
    ASSERT_FALSE(turn.has_value());
    EXPECT_EQ(turn.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(ParseSimTurnTest, RejectsUnknownFields) {
  ExpectRejected(R"({"txt":"typo"})", "txt");
  ExpectRejected(R"({"text":"ok","retry_after_seconds":1})",
                 "retry_after_seconds");
}

TEST(ParseSimTurnTest, RejectsFieldsOfTheWrongType) {
  ExpectRejected(R"({"text":42})", "text");
  ExpectRejected(R"({"text":null})", "text");
  ExpectRejected(R"({"content":{"type":"text","text":"x"}})", "content");
  ExpectRejected(R"({"stop_reason":1})", "stop_reason");
  ExpectRejected(R"({"fault":true})", "fault");
  ExpectRejected(R"({"error_type":5})", "error_type");
  ExpectRejected(R"({"retry_after":"5"})", "retry_after");
}

TEST(ParseSimTurnTest, RejectsUnknownNames) {
  ExpectRejected(R"({"stop_reason":"stop"})", "stop_reason");
  ExpectRejected(R"({"stop_reason":"context_window_exceeded"})", "stop_reason");
  ExpectRejected(R"({"fault":"explode"})", "fault");
  ExpectRejected(R"({"fault":"RATE_LIMIT"})", "fault");
}

TEST(ParseSimTurnTest, RejectsBadContentBlocks) {
  ExpectRejected(R"({"content":["text"]})", "content.0");
  ExpectRejected(R"({"content":[{"text":"no type"}]})", "content.0");
  ExpectRejected(R"({"content":[{"type":7}]})", "content.0");
  ExpectRejected(
      R"({"content":[{"type":"text","text":"ok"},{"type":"image"}]})",
      "content.1.type");
  ExpectRejected(R"({"content":[{"type":"tool_use","input":{}}]})",
                 "content.0.name");
  ExpectRejected(R"({"content":[{"type":"tool_use","name":""}]})",
                 "content.0.name");
  ExpectRejected(
      R"({"content":[{"type":"tool_use","name":"f","input":"{\"a\":1}"}]})",
      "content.0.input");
  ExpectRejected(
      R"({"content":[{"type":"tool_use","name":"f","input":[1,2]}]})",
      "content.0.input");
}

TEST(ParseSimTurnTest, RejectsOutOfRangeNumbers) {
  ExpectRejected(R"({"retry_after":-1})", "retry_after");
  for (const char* key :
       {"retry_after_ms", "after_events", "delay_ms", "first_byte_delay_ms"}) {
    SCOPED_TRACE(key);
    const std::string field = std::string("{\"") + key + "\":";
    ExpectRejected(field + "-1}", key);
    ExpectRejected(field + "600001}", key);
    ExpectRejected(field + "1.5}", key);
    ExpectRejected(field + "\"10\"}", key);
  }
}

TEST(ParseSimScriptTest, OneObjectIsOneTurn) {
  Result<std::vector<SimTurn>> turns =
      ParseSimScript(R"({"fault":"overloaded"})");
  ASSERT_TRUE(turns.has_value()) << turns.error().ToString();
  ASSERT_EQ(turns->size(), 1u);
  EXPECT_EQ((*turns)[0].fault, Fault::kOverloaded);
}

TEST(ParseSimScriptTest, AnArrayIsTurnsInOrder) {
  Result<std::vector<SimTurn>> turns = ParseSimScript(
      R"([{"fault":"rate_limit","retry_after_ms":5},{"text":"second"},{}])");
  ASSERT_TRUE(turns.has_value()) << turns.error().ToString();
  ASSERT_EQ(turns->size(), 3u);
  EXPECT_EQ((*turns)[0].fault, Fault::kRateLimit);
  EXPECT_EQ((*turns)[0].retry_after_ms, 5);
  ASSERT_EQ((*turns)[1].content.size(), 1u);
  EXPECT_EQ((*turns)[1].content[0].text, "second");
  EXPECT_TRUE((*turns)[2].content.empty());
}

TEST(ParseSimScriptTest, AnEmptyArrayQueuesNothing) {
  Result<std::vector<SimTurn>> turns = ParseSimScript("[]");
  ASSERT_TRUE(turns.has_value()) << turns.error().ToString();
  EXPECT_TRUE(turns->empty());
}

TEST(ParseSimScriptTest, OneBadTurnRejectsTheScript) {
  for (std::string_view json :
       {R"([{"text":"ok"},{"fault":"nope"}])", R"([{"text":"ok"},3])",
        R"([{"text":"ok"})", R"("text")"}) {
    SCOPED_TRACE(json);
    Result<std::vector<SimTurn>> turns = ParseSimScript(json);
    ASSERT_FALSE(turns.has_value());
    EXPECT_EQ(turns.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(TakeDirectiveTest, NoDirectiveLeavesTheRequestAlone) {
  ChatRequest request = RequestWith(
      {UserMessage({ContentBlock::Text("Hello there\nsecond line")})});
  const ChatRequest before = request;
  Result<std::optional<SimTurn>> turn = TakeDirective(&request);
  ASSERT_TRUE(turn.has_value()) << turn.error().ToString();
  EXPECT_FALSE(turn->has_value());
  EXPECT_EQ(request, before);
}

TEST(TakeDirectiveTest, DirectiveOnTheFirstLineIsRemoved) {
  ChatRequest request = RequestWith({UserMessage({ContentBlock::Text(
      "sim: {\"fault\":\"rate_limit\",\"retry_after_ms\":5}\nHello there")})});
  Result<std::optional<SimTurn>> turn = TakeDirective(&request);
  ASSERT_TRUE(turn.has_value()) << turn.error().ToString();
  ASSERT_TRUE(turn->has_value());
  EXPECT_EQ((*turn)->fault, Fault::kRateLimit);
  EXPECT_EQ((*turn)->retry_after_ms, 5);
  EXPECT_EQ(request.messages[0].content[0].text, "Hello there");
}

TEST(TakeDirectiveTest, DirectiveOnTheLastLineIsRemovedWithItsNewline) {
  ChatRequest request = RequestWith({UserMessage(
      {ContentBlock::Text("Hello there\n\nsim: {\"text\":\"scripted\"}")})});
  Result<std::optional<SimTurn>> turn = TakeDirective(&request);
  ASSERT_TRUE(turn.has_value()) << turn.error().ToString();
  ASSERT_TRUE(turn->has_value());
  ASSERT_EQ((*turn)->content.size(), 1u);
  EXPECT_EQ((*turn)->content[0].text, "scripted");
  EXPECT_EQ(request.messages[0].content[0].text, "Hello there");
}

TEST(TakeDirectiveTest, DirectiveBetweenLinesKeepsTheOthers) {
  ChatRequest request = RequestWith({UserMessage({ContentBlock::Text(
      "before\nsim: {\"stop_reason\":\"refusal\"}\nafter")})});
  Result<std::optional<SimTurn>> turn = TakeDirective(&request);
  ASSERT_TRUE(turn.has_value()) << turn.error().ToString();
  ASSERT_TRUE(turn->has_value());
  EXPECT_EQ((*turn)->stop_reason, StopReason::kRefusal);
  EXPECT_EQ(request.messages[0].content[0].text, "before\nafter");
}

TEST(TakeDirectiveTest, ADirectiveAloneLeavesAnEmptyText) {
  ChatRequest request = RequestWith(
      {UserMessage({ContentBlock::Text("sim: {\"fault\":\"drop\"}")})});
  Result<std::optional<SimTurn>> turn = TakeDirective(&request);
  ASSERT_TRUE(turn.has_value()) << turn.error().ToString();
  ASSERT_TRUE(turn->has_value());
  EXPECT_EQ((*turn)->fault, Fault::kDrop);
  EXPECT_EQ(request.messages[0].content[0].text, "");
}

TEST(TakeDirectiveTest, FindsTheDirectiveInALaterTextBlock) {
  ChatRequest request = RequestWith({UserMessage(
      {ContentBlock::Text("first block"),
       ContentBlock::Text("sim: {\"fault\":\"overloaded\"}\nsecond block")})});
  Result<std::optional<SimTurn>> turn = TakeDirective(&request);
  ASSERT_TRUE(turn.has_value()) << turn.error().ToString();
  ASSERT_TRUE(turn->has_value());
  EXPECT_EQ((*turn)->fault, Fault::kOverloaded);
  EXPECT_EQ(request.messages[0].content[0].text, "first block");
  EXPECT_EQ(request.messages[0].content[1].text, "second block");
}

TEST(TakeDirectiveTest, IgnoresDirectivesInEarlierUserMessages) {
  const std::string old_text = "sim: {\"fault\":\"api_error\"}\nold question";
  ChatRequest request = RequestWith(
      {UserMessage({ContentBlock::Text(old_text)}), AssistantText("old answer"),
       UserMessage({ContentBlock::Text("new question")})});
  const ChatRequest before = request;
  Result<std::optional<SimTurn>> turn = TakeDirective(&request);
  ASSERT_TRUE(turn.has_value()) << turn.error().ToString();
  EXPECT_FALSE(turn->has_value());
  EXPECT_EQ(request, before);
}

TEST(TakeDirectiveTest, ALastUserMessageBeforeAnAssistantPrefillCounts) {
  // The last message is an assistant prefill; the last *user* message is the
  // one before it.
  ChatRequest request = RequestWith(
      {UserMessage({ContentBlock::Text("question\nsim: {\"text\":\"x\"}")}),
       AssistantText("sim: {\"fault\":\"drop\"}")});
  Result<std::optional<SimTurn>> turn = TakeDirective(&request);
  ASSERT_TRUE(turn.has_value()) << turn.error().ToString();
  ASSERT_TRUE(turn->has_value());
  EXPECT_EQ((*turn)->fault, Fault::kNone);
  EXPECT_EQ(request.messages[0].content[0].text, "question");
  // Assistant text is never a directive.
  EXPECT_EQ(request.messages[1].content[0].text, "sim: {\"fault\":\"drop\"}");
}

TEST(TakeDirectiveTest, SimInsideALineIsNotADirective) {
  ChatRequest request = RequestWith({UserMessage(
      {ContentBlock::Text("please run sim: {\"fault\":\"drop\"}")})});
  const ChatRequest before = request;
  Result<std::optional<SimTurn>> turn = TakeDirective(&request);
  ASSERT_TRUE(turn.has_value()) << turn.error().ToString();
  EXPECT_FALSE(turn->has_value());
  EXPECT_EQ(request, before);
}

TEST(TakeDirectiveTest, ToolResultTextIsNotSearched) {
  ContentBlock result;
  result.type = BlockType::kToolResult;
  result.tool_use_id = "toolu_1";
  result.tool_result_content = {
      ContentBlock::Text("sim: {\"fault\":\"drop\"}")};
  ChatRequest request = RequestWith({UserMessage({result})});
  Result<std::optional<SimTurn>> turn = TakeDirective(&request);
  ASSERT_TRUE(turn.has_value()) << turn.error().ToString();
  EXPECT_FALSE(turn->has_value());
}

TEST(TakeDirectiveTest, AMalformedDirectiveIsAnError) {
  for (const char* text :
       {"sim: {\"fault\":\"nope\"}", "hi\nsim: {not json", "sim: [1]"}) {
    SCOPED_TRACE(text);
    ChatRequest request =
        RequestWith({UserMessage({ContentBlock::Text(text)})});
    Result<std::optional<SimTurn>> turn = TakeDirective(&request);
    ASSERT_FALSE(turn.has_value());
    EXPECT_EQ(turn.error().code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace duet::sim
