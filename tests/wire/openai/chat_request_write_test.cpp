// WriteChatCompletionRequest: exact output, what it drops on purpose, and
// the Parse -> Write -> Parse round trip.

#include <gtest/gtest.h>

#include <string>

#include "wire/openai/chat_request.h"

namespace duet::wire::openai {
namespace {

ContentBlock Image(ImageSource::Kind kind, std::string media_type, std::string data) {
  ContentBlock block;
  block.type = BlockType::kImage;
  block.image = ImageSource{kind, std::move(media_type), std::move(data)};
  return block;
}

ContentBlock ToolResult(std::string id, std::vector<ContentBlock> content) {
  ContentBlock block;
  block.type = BlockType::kToolResult;
  block.tool_use_id = std::move(id);
  block.tool_result_content = std::move(content);
  return block;
}

ContentBlock OfType(BlockType type) {
  ContentBlock block;
  block.type = type;
  return block;
}

TEST(OpenAIChatRequestWriteTest, MinimalRequest) {
  ChatRequest request;
  request.model = "m";
  request.messages.push_back(Message{Role::kUser, {ContentBlock::Text("Hi")}});
  EXPECT_EQ(WriteChatCompletionRequest(request),
            R"({"model":"m","messages":[{"role":"user","content":"Hi"}]})");
}

TEST(OpenAIChatRequestWriteTest, MidConversationSystemMessageStaysInPlace) {
  ChatRequest request;
  request.model = "m";
  request.messages.push_back(Message{Role::kUser, {ContentBlock::Text("Hi")}});
  request.messages.push_back(Message{Role::kSystem, {ContentBlock::Text("Be brief.")}});
  request.messages.push_back(Message{Role::kAssistant, {ContentBlock::Text("Ok")}});
  EXPECT_EQ(WriteChatCompletionRequest(request),
            R"({"model":"m","messages":[{"role":"user","content":"Hi"},)"
            R"({"role":"system","content":"Be brief."},)"
            R"({"role":"assistant","content":"Ok"}]})");
}

TEST(OpenAIChatRequestWriteTest, EveryModelledFieldInOrder) {
  ChatRequest request;
  request.source = ApiFlavor::kOpenAI;
  request.model = "m";
  request.system = {ContentBlock::Text("Be brief."), ContentBlock::Text("Use French.")};
  request.messages.push_back(Message{
      Role::kUser,
      {ContentBlock::Text("Look"), Image(ImageSource::Kind::kBase64, "image/png", "AAAA"),
       Image(ImageSource::Kind::kUrl, "", "https://x/y.png")}});
  request.messages.push_back(Message{
      Role::kAssistant,
      {ContentBlock::Thinking("hmm", ""), ContentBlock::Text("Checking."),
       ContentBlock::ToolUse("call_1", "f", RawJson{R"({"a":1})"})}});
  request.messages.push_back(Message{
      Role::kUser,
      {ToolResult("call_1", {ContentBlock::Text("42")}), ContentBlock::Text("thanks")}});
  request.max_tokens = 100;
  request.stop_sequences = {"END"};
  request.sampling = SamplingParams{.temperature = 0.5,
                                    .top_p = 1.0,
                                    .top_k = 40,
                                    .seed = 7,
                                    .min_p = 0.1,
                                    .presence_penalty = 0.5,
                                    .frequency_penalty = -0.25,
                                    .logit_bias = {{1, -100}, {42, 2.5}}};
  request.logprobs = true;
  request.top_logprobs = 3;
  request.stream = true;
  request.stream_include_usage = true;
  Tool tool;
  tool.name = "f";
  tool.description = "F.";
  tool.input_schema = RawJson{R"({"type":"object"})"};
  tool.strict = true;
  request.tools.push_back(tool);
  request.tool_choice = ToolChoice{ToolChoice::Mode::kAny, "", true};
  request.response_format = ResponseFormat{ResponseFormat::Kind::kJsonObject, "", {}, {}};
  request.effort = "low";
  request.user_id = "u";
  request.extra["service_tier"] = RawJson{R"("flex")"};
  EXPECT_EQ(
      WriteChatCompletionRequest(request),
      R"({"model":"m","messages":[)"
      R"({"role":"system","content":[{"type":"text","text":"Be brief."},{"type":"text","text":"Use French."}]},)"
      R"({"role":"user","content":[{"type":"text","text":"Look"},)"
      R"({"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},)"
      R"({"type":"image_url","image_url":{"url":"https://x/y.png"}}]},)"
      R"({"role":"assistant","content":"Checking.","reasoning_content":"hmm","tool_calls":[)"
      R"({"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},)"
      R"({"role":"tool","tool_call_id":"call_1","content":"42"},)"
      R"({"role":"user","content":"thanks"}],)"
      R"("max_tokens":100,"stop":["END"],"temperature":0.5,"top_p":1,"top_k":40,"min_p":0.1,)"
      R"("seed":7,)"
      R"("presence_penalty":0.5,"frequency_penalty":-0.25,"logit_bias":{"1":-100,"42":2.5},)"
      R"("logprobs":true,"top_logprobs":3,"stream":true,"stream_options":{"include_usage":true},)"
      R"("tools":[{"type":"function","function":{"name":"f","description":"F.",)"
      R"("parameters":{"type":"object"},"strict":true}}],)"
      R"("tool_choice":"required","parallel_tool_calls":false,)"
      R"("response_format":{"type":"json_object"},"reasoning_effort":"low","user":"u",)"
      R"("service_tier":"flex"})");
}

TEST(OpenAIChatRequestWriteTest, AnthropicRequestLosesOnlyWhatOpenAICannotCarry) {
  ChatRequest request;
  request.source = ApiFlavor::kAnthropic;
  request.model = "claude";
  request.max_tokens = 1024;
  request.system = {ContentBlock::Text("s")};
  request.messages.push_back(Message{
      Role::kUser, {Image(ImageSource::Kind::kFile, "", "file_1"), ContentBlock::Text("hi")}});
  request.messages.push_back(Message{
      Role::kAssistant,
      {ContentBlock::Thinking("t", "signature"), OfType(BlockType::kRedactedThinking),
       OfType(BlockType::kOther), ContentBlock::Text("a"),
       ContentBlock::ToolUse("toolu_1", "f", RawJson{})}});
  ContentBlock result = ToolResult(
      "toolu_1",
      {ContentBlock::Text("r"), Image(ImageSource::Kind::kBase64, "image/png", "AAAA")});
  result.is_error = true;
  request.messages.push_back(Message{Role::kUser, {result}});
  Tool custom;
  custom.name = "f";
  request.tools.push_back(custom);
  Tool provider;
  provider.name = "web_search";
  provider.type = "web_search_20250305";
  provider.raw = RawJson{R"({"type":"web_search_20250305"})"};
  request.tools.push_back(provider);
  request.thinking = ThinkingConfig{ThinkingConfig::Mode::kEnabled, 2048, ""};
  request.anthropic_betas = {"interleaved-thinking-2025-05-14"};
  request.extra["service_tier"] = RawJson{R"("auto")"};
  EXPECT_EQ(WriteChatCompletionRequest(request),
            R"({"model":"claude","messages":[{"role":"system","content":"s"},)"
            R"({"role":"user","content":"hi"},)"
            R"({"role":"assistant","content":"a","reasoning_content":"t","tool_calls":[)"
            R"({"id":"toolu_1","type":"function","function":{"name":"f","arguments":"{}"}}]},)"
            R"({"role":"tool","tool_call_id":"toolu_1","content":"r"}],"max_tokens":1024,)"
            R"("tools":[{"type":"function","function":{"name":"f",)"
            R"("parameters":{"type":"object","properties":{}}}}]})");
}

TEST(OpenAIChatRequestWriteTest, AssistantBlocksOutOfOpenAIOrderBecomeSeveralMessages) {
  ChatRequest request;
  request.source = ApiFlavor::kOpenAI;
  request.model = "m";
  request.messages.push_back(Message{Role::kUser, {ContentBlock::Text("q")}});
  request.messages.push_back(Message{
      Role::kAssistant,
      {ContentBlock::Text("a"), ContentBlock::ToolUse("c1", "f", RawJson{"{}"}),
       ContentBlock::Text("b"), ContentBlock::Thinking("t1", ""),
       ContentBlock::Thinking("t2", "")}});
  const std::string written = WriteChatCompletionRequest(request);
  EXPECT_EQ(written,
            R"({"model":"m","messages":[{"role":"user","content":"q"},)"
            R"({"role":"assistant","content":"a","tool_calls":[)"
            R"({"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},)"
            R"({"role":"assistant","content":"b"},)"
            R"({"role":"assistant","content":"","reasoning_content":"t1"},)"
            R"({"role":"assistant","content":"","reasoning_content":"t2"}]})");
  // ...and the parser merges them back into the one message.
  Result<ChatRequest> parsed = ParseChatCompletionRequest(written);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, request);
}

TEST(OpenAIChatRequestWriteTest, EmptyMessagesStayValidForOpenAIServers) {
  ChatRequest request;
  request.model = "m";
  request.messages.push_back(Message{Role::kUser, {}});
  request.messages.push_back(Message{Role::kAssistant, {}});
  request.messages.push_back(Message{Role::kUser, {ToolResult("c", {})}});
  EXPECT_EQ(WriteChatCompletionRequest(request),
            R"({"model":"m","messages":[{"role":"user","content":""},)"
            R"({"role":"assistant","content":""},)"
            R"({"role":"tool","tool_call_id":"c","content":""}]})");
}

// Bodies that together use every mapping rule; each must survive
// Parse -> Write -> Parse unchanged, and Write must be stable after that.
constexpr std::string_view kRoundTripBodies[] = {
    R"({"model":"m","messages":[{"role":"user","content":"Hi"}]})",
    R"({"model":"gpt-4o","messages":[
        {"role":"system","content":"Be brief."},
        {"role":"developer","content":[{"type":"text","text":"a","cache_control":{"type":"ephemeral"}},
                                       {"type":"text","text":"b"}]},
        {"role":"user","content":[{"type":"text","text":"What are these?"},
          {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}},
          {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]},
        {"role":"assistant","content":"Let me check.","reasoning_content":"Two images.",
         "tool_calls":[
           {"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"cat\",\"n\":[1,2.5,null,true]}"}},
           {"id":"call_2","type":"function","function":{"name":"now","arguments":""}}]},
        {"role":"tool","tool_call_id":"call_1","content":"A cat."},
        {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"noon"},{"type":"text","text":"CET"}]},
        {"role":"user","content":"Thanks. And the dog?"},
        {"role":"assistant","content":[{"type":"text","text":"A dog."},{"type":"refusal","refusal":"No more."}]},
        {"role":"user","content":"ok"}],
      "max_completion_tokens":512,"stop":["END","STOP"],"temperature":0.2,"top_p":0.95,
      "top_k":20,"seed":-3,"n":1,"logprobs":true,"top_logprobs":5,
      "stream":true,"stream_options":{"include_usage":true},
      "tools":[{"type":"function","function":{"name":"lookup","description":"Looks up.",
                "parameters":{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]},
                "strict":false}},
               {"type":"function","function":{"name":"now"}}],
      "tool_choice":{"type":"function","function":{"name":"lookup"}},"parallel_tool_calls":false,
      "response_format":{"type":"json_schema","json_schema":{"name":"out","schema":{"type":"object"},"strict":true}},
      "reasoning_effort":"medium","safety_identifier":"user-7",
      "presence_penalty":0.1,"frequency_penalty":-1,"logit_bias":{"50256":-100},"min_p":0.05,)"
    R"("metadata":{"z":"1","a":"2"},"store":false})",
    R"({"model":"m","messages":[{"role":"user","content":"x"}],"stop":"\n\n",
        "tool_choice":"none","response_format":{"type":"text"},"user":"u"})",
    R"({"model":"m","messages":[{"role":"user","content":"x"}],"parallel_tool_calls":false,
        "response_format":{"type":"json_object"},"temperature":1})",
    R"({"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[
        {"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
        {"role":"user","content":"text first"},{"role":"tool","tool_call_id":"c"}]})",
    R"({"model":"m","messages":[{"role":"system","content":"only a system prompt"}]})",
    R"({"model":"m","messages":[{"role":"user","content":"x"}],"logprobs":true,
        "top_logprobs":0})",
    R"({"model":"m","messages":[{"role":"user","content":"caf\u00e9 \ud83d\ude00 \"q\" \\ \u0001"}]})",
};

TEST(OpenAIChatRequestWriteTest, ParseWriteParseRoundTrips) {
  for (std::string_view body : kRoundTripBodies) {
    Result<ChatRequest> first = ParseChatCompletionRequest(body);
    ASSERT_TRUE(first.has_value()) << first.error().ToString() << "\n" << body;
    const std::string written = WriteChatCompletionRequest(*first);
    Result<ChatRequest> second = ParseChatCompletionRequest(written);
    ASSERT_TRUE(second.has_value()) << second.error().ToString() << "\n" << written;
    EXPECT_EQ(*second, *first) << "original: " << body << "\nwritten: " << written;
    EXPECT_EQ(WriteChatCompletionRequest(*second), written);
  }
}

TEST(OpenAIChatRequestWriteTest, RichRoundTripKeepsEveryField) {
  // Guards the round-trip test itself: the rich body must really populate
  // what it claims to, or equality would prove little.
  Result<ChatRequest> request = ParseChatCompletionRequest(kRoundTripBodies[1]);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->system.size(), 3u);
  ASSERT_EQ(request->messages.size(), 5u);
  EXPECT_EQ(request->messages[1].content.size(), 4u);  // thinking, text, 2 calls
  EXPECT_EQ(request->messages[2].content.size(), 3u);  // 2 results, text
  EXPECT_EQ(request->max_tokens, 512);
  EXPECT_EQ(request->stop_sequences.size(), 2u);
  EXPECT_EQ(request->sampling.seed, -3);
  EXPECT_EQ(request->tools.size(), 2u);
  EXPECT_EQ(request->tool_choice, (ToolChoice{ToolChoice::Mode::kTool, "lookup", true}));
  EXPECT_EQ(request->response_format->name, "out");
  EXPECT_EQ(request->effort, "medium");
  EXPECT_EQ(request->user_id, "user-7");
  EXPECT_EQ(request->sampling.presence_penalty, 0.1);
  EXPECT_EQ(request->sampling.frequency_penalty, -1.0);
  EXPECT_EQ(request->sampling.logit_bias.size(), 1u);
  EXPECT_EQ(request->sampling.min_p, 0.05);
  EXPECT_EQ(request->extra.size(), 2u);  // metadata, store
  EXPECT_TRUE(request->stream_include_usage);
  EXPECT_TRUE(request->logprobs);
  EXPECT_EQ(request->top_logprobs, 5);
}

TEST(OpenAIChatRequestWriteTest, ConfidenceReportingIsDuetsOwnAndNeverWritten) {
  ChatRequest request;
  request.model = "m";
  request.messages.push_back(Message{Role::kUser, {ContentBlock::Text("Hi")}});
  request.report_confidence = true;
  request.top_logprobs = 4;  // meaningless without logprobs
  EXPECT_EQ(WriteChatCompletionRequest(request),
            R"({"model":"m","messages":[{"role":"user","content":"Hi"}]})");
}

}  // namespace
}  // namespace duet::wire::openai
