// ParseChatCompletionRequest: each mapping rule of protocols.md §3.1/§3.7.
// Validation errors and hostile input live in chat_request_errors_test.cpp.

#include <gtest/gtest.h>

#include <string>

#include "wire/openai/chat_request.h"

namespace duet::wire::openai {
namespace {

// Parses `body`, failing the test (and returning an empty request) on error.
ChatRequest ParseOk(std::string_view body) {
  Result<ChatRequest> result = ParseChatCompletionRequest(body);
  if (!result.has_value()) {
    ADD_FAILURE() << result.error().ToString() << "\nbody: " << body;
    return ChatRequest{};
  }
  return *std::move(result);
}

// The error of a one-message request with the top-level `fields` added
// (`"key":value` text), which must be refused as the client's.
Status Refusal(std::string_view fields) {
  const Result<ChatRequest> result = ParseChatCompletionRequest(
      std::string(R"({"model":"m","messages":[{"role":"user","content":"x"}],)") +
      std::string(fields) + "}");
  if (result.has_value()) {
    ADD_FAILURE() << "accepted: " << fields;
    return Status::Ok();
  }
  EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
  return result.error();
}

ContentBlock TextBlock(std::string text) { return ContentBlock::Text(std::move(text)); }

ContentBlock ToolResult(std::string id, std::vector<ContentBlock> content) {
  ContentBlock block;
  block.type = BlockType::kToolResult;
  block.tool_use_id = std::move(id);
  block.tool_result_content = std::move(content);
  return block;
}

TEST(OpenAIChatRequestParseTest, MinimalRequestHasOneUserMessageAndDefaults) {
  const ChatRequest request = ParseOk(
      R"({"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]})");
  EXPECT_EQ(request.model, "gpt-4o");
  EXPECT_EQ(request.source, ApiFlavor::kOpenAI);
  ASSERT_EQ(request.messages.size(), 1u);
  EXPECT_EQ(request.messages[0].role, Role::kUser);
  EXPECT_EQ(request.messages[0].content, std::vector<ContentBlock>{TextBlock("Hi")});
  EXPECT_TRUE(request.system.empty());
  EXPECT_FALSE(request.max_tokens.has_value());
  EXPECT_FALSE(request.stream);
  EXPECT_FALSE(request.tool_choice.has_value());
  EXPECT_TRUE(request.extra.empty());
}

TEST(OpenAIChatRequestParseTest, SystemAndDeveloperMessagesBecomeSystemBlocksInOrder) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[
      {"role":"system","content":"Be brief."},
      {"role":"user","content":"one"},
      {"role":"developer","content":[{"type":"text","text":"Use French."},
                                     {"type":"text","text":"No lists.",
                                      "cache_control":{"type":"ephemeral"}}]},
      {"role":"user","content":"two"}]})");
  ASSERT_EQ(request.system.size(), 3u);
  EXPECT_EQ(request.system[0].text, "Be brief.");
  EXPECT_EQ(request.system[1].text, "Use French.");
  EXPECT_EQ(request.system[2].text, "No lists.");
  EXPECT_EQ(request.system[2].cache_control.text, R"({"type":"ephemeral"})");
  // The system message between them no longer separates the user turns.
  ASSERT_EQ(request.messages.size(), 1u);
  EXPECT_EQ(request.messages[0].content,
            (std::vector<ContentBlock>{TextBlock("one"), TextBlock("two")}));
}

TEST(OpenAIChatRequestParseTest, UserImagePartsBecomeBase64OrUrlSources) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[{"role":"user","content":[
      {"type":"text","text":"What is this?"},
      {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}},
      {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]})");
  ASSERT_EQ(request.messages.size(), 1u);
  const std::vector<ContentBlock>& content = request.messages[0].content;
  ASSERT_EQ(content.size(), 3u);
  EXPECT_EQ(content[0].text, "What is this?");
  EXPECT_EQ(content[1].type, BlockType::kImage);
  EXPECT_EQ(content[1].image.kind, ImageSource::Kind::kBase64);
  EXPECT_EQ(content[1].image.media_type, "image/png");
  EXPECT_EQ(content[1].image.data, "iVBORw0KGgo=");
  EXPECT_EQ(content[2].image.kind, ImageSource::Kind::kUrl);
  EXPECT_EQ(content[2].image.data, "https://example.com/cat.jpg");
}

TEST(OpenAIChatRequestParseTest, DataUrlParametersBeforeBase64AreIgnored) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[{"role":"user","content":[
      {"type":"image_url","image_url":{"url":"data:image/jpeg;name=x.jpg;base64,/9j/"}}]}]})");
  ASSERT_EQ(request.messages.size(), 1u);
  EXPECT_EQ(request.messages[0].content[0].image.media_type, "image/jpeg");
  EXPECT_EQ(request.messages[0].content[0].image.data, "/9j/");
}

TEST(OpenAIChatRequestParseTest, AssistantToolCallsBecomeToolUseBlocksWithParsedInput) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[
      {"role":"user","content":"Weather?"},
      {"role":"assistant","content":null,"tool_calls":[
        {"id":"call_1","type":"function","function":{"name":"get_weather",
         "arguments":"{ \"city\": \"Paris\", \"units\": [\"c\", 1] }"}},
        {"id":"call_2","type":"function","function":{"name":"now","arguments":""}},
        {"id":"call_3","function":{"name":"ping"}}]}]})");
  ASSERT_EQ(request.messages.size(), 2u);
  const Message& assistant = request.messages[1];
  EXPECT_EQ(assistant.role, Role::kAssistant);
  ASSERT_EQ(assistant.content.size(), 3u);
  EXPECT_EQ(assistant.content[0],
            ContentBlock::ToolUse("call_1", "get_weather",
                                  RawJson{R"({"city":"Paris","units":["c",1]})"}));
  // "" (and a missing arguments) mean a call without input.
  EXPECT_EQ(assistant.content[1], ContentBlock::ToolUse("call_2", "now", RawJson{"{}"}));
  EXPECT_EQ(assistant.content[2], ContentBlock::ToolUse("call_3", "ping", RawJson{"{}"}));
}

TEST(OpenAIChatRequestParseTest, ToolArgumentsKeepTheirKeyOrder) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[
      {"role":"assistant","tool_calls":[{"id":"c","type":"function",
       "function":{"name":"f","arguments":"{\"z\":1,\"a\":{\"y\":2,\"b\":3}}"}}]}]})");
  ASSERT_EQ(request.messages.size(), 1u);
  EXPECT_EQ(request.messages[0].content[0].tool_input.text,
            R"({"z":1,"a":{"y":2,"b":3}})");
}

TEST(OpenAIChatRequestParseTest, ReasoningContentBecomesThinkingBeforeText) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[
      {"role":"user","content":"2+2?"},
      {"role":"assistant","content":"4","reasoning_content":"Simple sum."},
      {"role":"user","content":"thanks"}]})");
  ASSERT_EQ(request.messages.size(), 3u);
  EXPECT_EQ(request.messages[1].content,
            (std::vector<ContentBlock>{ContentBlock::Thinking("Simple sum.", ""),
                                       TextBlock("4")}));
}

TEST(OpenAIChatRequestParseTest, AssistantContentPartsAndRefusalPartsBecomeText) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[
      {"role":"assistant","content":[{"type":"text","text":"a"},
                                     {"type":"refusal","refusal":"I can't."}],
       "refusal":null,"name":"bot"}]})");
  ASSERT_EQ(request.messages.size(), 1u);
  EXPECT_EQ(request.messages[0].content,
            (std::vector<ContentBlock>{TextBlock("a"), TextBlock("I can't.")}));
}

TEST(OpenAIChatRequestParseTest, ToolMessagesAndFollowingUserFormOneUserMessage) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[
      {"role":"user","content":"Weather and time?"},
      {"role":"assistant","content":"Checking.","tool_calls":[
        {"id":"call_1","type":"function","function":{"name":"w","arguments":"{}"}},
        {"id":"call_2","type":"function","function":{"name":"t","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"18C"},
      {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"12:00"},
                                                        {"type":"text","text":"CET"}]},
      {"role":"user","content":"And tomorrow?"}]})");
  ASSERT_EQ(request.messages.size(), 3u);
  EXPECT_EQ(request.messages[1].content,
            (std::vector<ContentBlock>{
                TextBlock("Checking."),
                ContentBlock::ToolUse("call_1", "w", RawJson{"{}"}),
                ContentBlock::ToolUse("call_2", "t", RawJson{"{}"})}));
  EXPECT_EQ(request.messages[2].role, Role::kUser);
  EXPECT_EQ(request.messages[2].content,
            (std::vector<ContentBlock>{
                ToolResult("call_1", {TextBlock("18C")}),
                ToolResult("call_2", {TextBlock("12:00"), TextBlock("CET")}),
                TextBlock("And tomorrow?")}));
}

TEST(OpenAIChatRequestParseTest, ToolResultsStayAheadOfUserTextInAMergedMessage) {
  // Out of the usual order: user text, then a tool result for the same turn.
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[
      {"role":"assistant","tool_calls":[{"id":"c1","type":"function",
       "function":{"name":"f","arguments":"{}"}}]},
      {"role":"user","content":"extra"},
      {"role":"tool","tool_call_id":"c1","content":"ok"},
      {"role":"tool","tool_call_id":"c2"}]})");
  ASSERT_EQ(request.messages.size(), 2u);
  EXPECT_EQ(request.messages[1].content,
            (std::vector<ContentBlock>{ToolResult("c1", {TextBlock("ok")}),
                                       ToolResult("c2", {}), TextBlock("extra")}));
}

TEST(OpenAIChatRequestParseTest, ConsecutiveSameRoleMessagesAreMerged) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[
      {"role":"user","content":"a"},{"role":"user","content":[{"type":"text","text":"b"}]},
      {"role":"assistant","content":"c"},{"role":"assistant","content":"d"},
      {"role":"user","content":"e"}]})");
  ASSERT_EQ(request.messages.size(), 3u);
  EXPECT_EQ(request.messages[0].content,
            (std::vector<ContentBlock>{TextBlock("a"), TextBlock("b")}));
  EXPECT_EQ(request.messages[1].content,
            (std::vector<ContentBlock>{TextBlock("c"), TextBlock("d")}));
  EXPECT_EQ(request.messages[2].content, std::vector<ContentBlock>{TextBlock("e")});
}

TEST(OpenAIChatRequestParseTest, EmptyTextMakesNoBlock) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[
      {"role":"system","content":""},
      {"role":"user","content":[{"type":"text","text":""},{"type":"text","text":"x"}]},
      {"role":"assistant","content":"","reasoning_content":"","tool_calls":[]}]})");
  EXPECT_TRUE(request.system.empty());
  ASSERT_EQ(request.messages.size(), 2u);
  EXPECT_EQ(request.messages[0].content, std::vector<ContentBlock>{TextBlock("x")});
  EXPECT_TRUE(request.messages[1].content.empty());
}

TEST(OpenAIChatRequestParseTest, MaxCompletionTokensIsPreferredOverMaxTokens) {
  EXPECT_EQ(ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
                        "max_tokens":100,"max_completion_tokens":50})")
                .max_tokens,
            50);
  EXPECT_EQ(ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
                        "max_tokens":100})")
                .max_tokens,
            100);
  // 256.0 is an integer to JavaScript clients.
  EXPECT_EQ(ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
                        "max_completion_tokens":256.0,"max_tokens":null})")
                .max_tokens,
            256);
}

TEST(OpenAIChatRequestParseTest, StopAcceptsAStringOrUpToFourStrings) {
  EXPECT_EQ(ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
                        "stop":"END"})")
                .stop_sequences,
            std::vector<std::string>{"END"});
  EXPECT_EQ(ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
                        "stop":["a","b","c","d"]})")
                .stop_sequences,
            (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(OpenAIChatRequestParseTest, SamplingParametersIncludingTopK) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "temperature":0.7,"top_p":0.9,"seed":42,"top_k":40,"n":1})");
  EXPECT_EQ(request.sampling.temperature, 0.7);
  EXPECT_EQ(request.sampling.top_p, 0.9);
  EXPECT_EQ(request.sampling.seed, 42);
  EXPECT_EQ(request.sampling.top_k, 40);
  EXPECT_FALSE(request.extra.contains("n"));
}

TEST(OpenAIChatRequestParseTest, FunctionToolsBecomeToolsWithInputSchema) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather.",
                "parameters":{"type":"object","properties":{"city":{"type":"string"}},
                              "required":["city"]},"strict":true}},
               {"type":"function","function":{"name":"now"}}]})");
  ASSERT_EQ(request.tools.size(), 2u);
  EXPECT_EQ(request.tools[0].name, "get_weather");
  EXPECT_EQ(request.tools[0].description, "Weather.");
  EXPECT_EQ(request.tools[0].input_schema.text,
            R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})");
  EXPECT_EQ(request.tools[0].strict, true);
  EXPECT_TRUE(request.tools[0].type.empty());
  EXPECT_EQ(request.tools[1].input_schema.text, R"({"type":"object","properties":{}})");
  EXPECT_FALSE(request.tools[1].strict.has_value());
}

TEST(OpenAIChatRequestParseTest, ToolChoiceModes) {
  const auto choice = [](std::string_view value) {
    return ParseOk(std::string(R"({"model":"m","messages":[{"role":"user","content":"x"}],)") +
                   R"("tool_choice":)" + std::string(value) + "}")
        .tool_choice;
  };
  EXPECT_EQ(choice(R"("none")"), (ToolChoice{ToolChoice::Mode::kNone, "", false}));
  EXPECT_EQ(choice(R"("auto")"), (ToolChoice{ToolChoice::Mode::kAuto, "", false}));
  EXPECT_EQ(choice(R"("required")"), (ToolChoice{ToolChoice::Mode::kAny, "", false}));
  EXPECT_EQ(choice(R"({"type":"function","function":{"name":"get_weather"}})"),
            (ToolChoice{ToolChoice::Mode::kTool, "get_weather", false}));
}

TEST(OpenAIChatRequestParseTest, ParallelToolCallsFalseDisablesParallelUse) {
  const ChatRequest alone = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "parallel_tool_calls":false})");
  EXPECT_EQ(alone.tool_choice, (ToolChoice{ToolChoice::Mode::kAuto, "", true}));
  const ChatRequest with_choice = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "tool_choice":"required","parallel_tool_calls":false})");
  EXPECT_EQ(with_choice.tool_choice, (ToolChoice{ToolChoice::Mode::kAny, "", true}));
  const ChatRequest allowed = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "parallel_tool_calls":true})");
  EXPECT_FALSE(allowed.tool_choice.has_value());
}

TEST(OpenAIChatRequestParseTest, ResponseFormats) {
  const auto format = [](std::string_view value) {
    return ParseOk(std::string(R"({"model":"m","messages":[{"role":"user","content":"x"}],)") +
                   R"("response_format":)" + std::string(value) + "}")
        .response_format;
  };
  EXPECT_EQ(format(R"({"type":"text"})")->kind, ResponseFormat::Kind::kText);
  EXPECT_EQ(format(R"({"type":"json_object"})")->kind, ResponseFormat::Kind::kJsonObject);
  const std::optional<ResponseFormat> schema = format(
      R"({"type":"json_schema","json_schema":{"name":"answer","description":"d",
          "schema":{"type":"object","properties":{"n":{"type":"integer"}}},"strict":true}})");
  ASSERT_TRUE(schema.has_value());
  EXPECT_EQ(schema->kind, ResponseFormat::Kind::kJsonSchema);
  EXPECT_EQ(schema->name, "answer");
  EXPECT_EQ(schema->schema.text, R"({"type":"object","properties":{"n":{"type":"integer"}}})");
  EXPECT_EQ(schema->strict, true);
}

TEST(OpenAIChatRequestParseTest, ReasoningEffortAndUserIdentity) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "reasoning_effort":"high","user":"u-1"})");
  EXPECT_EQ(request.effort, "high");
  EXPECT_EQ(request.user_id, "u-1");
  // safety_identifier replaces the deprecated user field.
  EXPECT_EQ(ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
                        "user":"old","safety_identifier":"new"})")
                .user_id,
            "new");
}

TEST(OpenAIChatRequestParseTest, StreamAndIncludeUsage) {
  const ChatRequest streaming = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "stream":true,"stream_options":{"include_usage":true,"include_obfuscation":false}})");
  EXPECT_TRUE(streaming.stream);
  EXPECT_TRUE(streaming.stream_include_usage);
  // Usage chunks only exist in a stream.
  const ChatRequest not_streaming = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "stream":false,"stream_options":{"include_usage":true}})");
  EXPECT_FALSE(not_streaming.stream);
  EXPECT_FALSE(not_streaming.stream_include_usage);
}

TEST(OpenAIChatRequestParseTest, UnknownTopLevelKeysAreKeptInExtra) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "service_tier":"flex","metadata":{"b":"2","a":"1"},"prediction":null,
      "temperature":1,"user":"u","presence_penalty":0.5,"logit_bias":{"7":-100}})");
  EXPECT_EQ(request.extra.size(), 3u);
  EXPECT_EQ(request.extra.at("service_tier").text, R"("flex")");
  EXPECT_EQ(request.extra.at("metadata").text, R"({"b":"2","a":"1"})");
  EXPECT_EQ(request.extra.at("prediction").text, "null");
}

TEST(OpenAIChatRequestParseTest, PenaltiesAreReadAndBoundedAsOpenAIBoundsThem) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "presence_penalty":-2,"frequency_penalty":1.5})");
  EXPECT_EQ(request.sampling.presence_penalty, -2.0);
  EXPECT_EQ(request.sampling.frequency_penalty, 1.5);
  EXPECT_FALSE(ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}]})")
                   .sampling.frequency_penalty.has_value());
  for (const char* bad : {R"("presence_penalty":2.5)", R"("frequency_penalty":-3)",
                          R"("frequency_penalty":"1")"}) {
    EXPECT_NE(Refusal(bad).message().find("_penalty"), std::string::npos) << bad;
  }
}

TEST(OpenAIChatRequestParseTest, MinPIsReadAndBounded) {
  EXPECT_EQ(ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],"min_p":0.05})")
                .sampling.min_p,
            0.05);
  for (const char* bad : {R"("min_p":1.5)", R"("min_p":-0.1)", R"("min_p":"0.1")"}) {
    EXPECT_EQ(Refusal(bad).message().rfind("min_p", 0), 0u) << bad;
  }
}

TEST(OpenAIChatRequestParseTest, LogitBiasIsReadAsTokenIdsAndBounded) {
  const ChatRequest request = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "logit_bias":{"50256":-100,"7":12.5}})");
  EXPECT_EQ(request.sampling.logit_bias,
            (std::vector<std::pair<int64_t, double>>{{50256, -100.0}, {7, 12.5}}));
  for (const char* bad : {R"("logit_bias":{"word":1})", R"("logit_bias":{"-1":1})",
                          R"("logit_bias":{"7":101})", R"("logit_bias":{"7":"1"})",
                          R"("logit_bias":[1])"}) {
    EXPECT_EQ(Refusal(bad).message().rfind("logit_bias", 0), 0u) << bad;
  }
}

TEST(OpenAIChatRequestParseTest, LogprobsAndTopLogprobs) {
  const ChatRequest asked = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "logprobs":true,"top_logprobs":20})");
  EXPECT_TRUE(asked.logprobs);
  EXPECT_EQ(asked.top_logprobs, 20);
  EXPECT_FALSE(asked.report_confidence);  // only duet's router sets it
  EXPECT_TRUE(asked.extra.empty());       // modelled, not carried raw
  const ChatRequest plain = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "logprobs":null,"top_logprobs":null})");
  EXPECT_FALSE(plain.logprobs);
  EXPECT_EQ(plain.top_logprobs, 0);
  // Zero alternatives ask for nothing, so they need no logprobs: true; a
  // float with no fraction is an integer to JavaScript clients.
  const ChatRequest zero = ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
      "logprobs":false,"top_logprobs":0})");
  EXPECT_FALSE(zero.logprobs);
  EXPECT_EQ(zero.top_logprobs, 0);
  EXPECT_EQ(ParseOk(R"({"model":"m","messages":[{"role":"user","content":"x"}],
                        "logprobs":true,"top_logprobs":3.0})")
                .top_logprobs,
            3);
}

}  // namespace
}  // namespace duet::wire::openai
