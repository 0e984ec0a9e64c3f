// WriteMessagesRequest: exact output for a small request, the round trip
// Parse(Write(Parse(x))) == Parse(x) for every feature, and the defaults it
// applies to canonical requests that did not come from an Anthropic client.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "wire/anthropic/messages_request.h"

namespace duet::wire::anthropic {
namespace {

// Every feature the parser knows, in one body.
constexpr std::string_view kRichRequest = R"json({
  "model": "claude-sonnet-4-5",
  "max_tokens": 8192,
  "system": [
    {"type": "text", "text": "You are a weather bot."},
    {"type": "text", "text": "Big cached context", "cache_control": {"type": "ephemeral", "ttl": "1h"}}
  ],
  "messages": [
    {"role": "user", "content": "What's the weather in Paris?"},
    {"role": "assistant", "content": [
      {"type": "thinking", "thinking": "Need the tool.", "signature": "EqQBCgIYAhIM"},
      {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"},
      {"type": "text", "text": "Checking.", "citations": [{"type": "char_location", "cited_text": "Paris", "document_index": 0, "start_char_index": 0, "end_char_index": 5}]},
      {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris", "units": ["C", "F"], "deep": {"x": null, "y": 1.5}}}
    ]},
    {"role": "user", "content": [
      {"type": "tool_result", "tool_use_id": "toolu_01A", "content": "18C, sunny", "cache_control": {"type": "ephemeral"}},
      {"type": "tool_result", "tool_use_id": "toolu_01B", "is_error": true, "content": [
        {"type": "text", "text": "chart:"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
        {"type": "search_result", "source": "https://x", "title": "t", "content": [{"type": "text", "text": "c"}]}
      ]},
      {"type": "tool_result", "tool_use_id": "toolu_01C"},
      {"type": "image", "source": {"type": "url", "url": "https://example.com/a.jpg"}},
      {"type": "image", "source": {"type": "file", "file_id": "file_011C"}},
      {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Grass is green."}, "cache_control": {"type": "ephemeral"}},
      {"type": "text", "text": "Thanks \u00e9\u0000\n\t\"quoted\" \ud83d\ude00"}
    ]}
  ],
  "stop_sequences": ["###", "\nHuman:"],
  "temperature": 0.7,
  "top_p": 0.95,
  "top_k": 40,
  "stream": true,
  "tools": [
    {"name": "get_weather", "description": "Weather by city", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}, "strict": true, "cache_control": {"type": "ephemeral"}},
    {"type": "custom", "name": "now", "input_schema": {"type": "object"}},
    {"type": "web_search_20250305", "name": "web_search", "max_uses": 5, "cache_control": {"type": "ephemeral"}},
    {"type": "bash_20250124", "name": "bash"}
  ],
  "tool_choice": {"type": "tool", "name": "get_weather", "disable_parallel_tool_use": true},
  "thinking": {"type": "enabled", "budget_tokens": 4000, "display": "summarized"},
  "output_config": {"effort": "high", "format": {"type": "json_schema", "schema": {"type": "object", "properties": {"t": {"type": "number"}}}}},
  "metadata": {"user_id": "user-42"},
  "service_tier": "auto",
  "cache_control": {"type": "ephemeral"},
  "container": null,
  "mcp_servers": [{"type": "url", "url": "https://mcp.example/sse", "name": "ex"}],
  "inference_geo": "us"
})json";

ChatRequest ParseOk(std::string_view body, const ParseOptions& options = {}) {
  Result<ChatRequest> result = ParseMessagesRequest(body, options);
  EXPECT_TRUE(result.has_value()) << result.error().ToString() << "\n" << body;
  return result.has_value() ? *result : ChatRequest{};
}

TEST(AnthropicRequestRoundTripTest, WritesCompactBodyInDocumentedOrder) {
  const ChatRequest request = ParseOk(
      R"({"model":"claude-haiku-4-5","max_tokens":256,)"
      R"("system":"You are terse.",)"
      R"("messages":[{"role":"user","content":"Hello"}],"stream":false})");
  EXPECT_EQ(WriteMessagesRequest(request),
            R"({"model":"claude-haiku-4-5","max_tokens":256,)"
            R"("system":[{"type":"text","text":"You are terse."}],)"
            R"("messages":[{"role":"user","content":[{"type":"text","text":"Hello"}]}]})");
}

TEST(AnthropicRequestRoundTripTest, RichRequestSurvivesParseWriteParse) {
  const ChatRequest first = ParseOk(kRichRequest);
  // Sanity: the rich body really exercises every feature.
  ASSERT_EQ(first.system.size(), 2u);
  ASSERT_EQ(first.messages.size(), 3u);
  ASSERT_EQ(first.messages[1].content.size(), 4u);
  ASSERT_EQ(first.messages[2].content.size(), 7u);
  EXPECT_EQ(first.messages[2].content[1].tool_result_content[2].type,
            BlockType::kOther);
  EXPECT_EQ(first.messages[2].content[5].type, BlockType::kOther);
  ASSERT_EQ(first.tools.size(), 4u);
  EXPECT_EQ(first.extra.size(), 5u);

  const std::string written = WriteMessagesRequest(first);
  const ChatRequest second = ParseOk(written);
  EXPECT_EQ(second, first) << written;
  // And writing is a fixed point from then on.
  EXPECT_EQ(WriteMessagesRequest(second), written);
}

TEST(AnthropicRequestRoundTripTest, SmallVariantsRoundTrip) {
  const std::string_view bodies[] = {
      R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":""}]})",
      R"({"model":"m","max_tokens":10,"messages":[{"role":"assistant","content":[]}]})",
      R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"a"}],"system":""})",
      R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"a"}],"thinking":{"type":"disabled"}})",
      R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"a"}],"thinking":{"type":"adaptive"},"output_config":{"effort":"max"}})",
      R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"a"}],"tool_choice":{"type":"none"}})",
      R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"a"}],"tool_choice":{"type":"auto"},"temperature":1,"top_p":1e-7})",
      R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"a"}],"tools":[{"name":"t","description":"","input_schema":{},"strict":false}]})",
      R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"a"}],"metadata":{},"stop_sequences":[]})",
  };
  for (const std::string_view body : bodies) {
    SCOPED_TRACE(body);
    const ChatRequest first = ParseOk(body);
    const std::string written = WriteMessagesRequest(first);
    EXPECT_EQ(ParseOk(written), first) << written;
  }
}

// The 2026 API takes system messages inside the conversation (Claude Code
// sends one); they keep their place through parse, write and parse.
TEST(AnthropicRequestRoundTripTest, MidConversationSystemMessagesKeepTheirPlace) {
  const std::string body =
      R"({"model":"m","max_tokens":9,"messages":[{"role":"user","content":"hi"},)"
      R"({"role":"system","content":[{"type":"text","text":"Be brief."}]},)"
      R"({"role":"assistant","content":"ok"}]})";
  Result<ChatRequest> parsed = ParseMessagesRequest(body);
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_EQ(parsed->messages.size(), 3u);
  EXPECT_EQ(parsed->messages[1].role, Role::kSystem);
  EXPECT_EQ(parsed->messages[1].content.at(0).text, "Be brief.");
  const std::string written = WriteMessagesRequest(*parsed);
  EXPECT_NE(written.find(R"({"role":"system","content":[{"type":"text","text":"Be brief."}]})"),
            std::string::npos)
      << written;
  Result<ChatRequest> again = ParseMessagesRequest(written);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *parsed);
}

TEST(AnthropicRequestRoundTripTest, MissingMaxTokensGetsTheDefault) {
  ChatRequest request;
  request.model = "claude-haiku-4-5";
  request.messages.push_back({Role::kUser, {ContentBlock::Text("Hi")}});
  const ChatRequest parsed = ParseOk(WriteMessagesRequest(request));
  EXPECT_EQ(parsed.max_tokens, kDefaultMaxTokens);
  EXPECT_EQ(kDefaultMaxTokens, 4096);

  // A thinking budget the default would not exceed gets the default on top.
  request.thinking = ThinkingConfig{ThinkingConfig::Mode::kEnabled, 8000, ""};
  EXPECT_EQ(ParseOk(WriteMessagesRequest(request)).max_tokens, 8000 + 4096);
  request.thinking->budget_tokens = 2000;
  EXPECT_EQ(ParseOk(WriteMessagesRequest(request)).max_tokens, 4096);
}

TEST(AnthropicRequestRoundTripTest, CanonicalRequestsFromOtherApisStayValid) {
  ChatRequest request;
  request.model = "m";
  request.max_tokens = 100;
  request.source = ApiFlavor::kOpenAI;
  request.sampling.seed = 7;  // no Anthropic field: dropped
  request.stream_include_usage = true;
  request.anthropic_betas = {"context-1m-2025-08-07"};  // a header, not body
  request.response_format =
      ResponseFormat{ResponseFormat::Kind::kJsonObject, "", {}, std::nullopt};
  // A tool call whose arguments never became valid JSON, and bad UTF-8.
  request.messages.push_back(
      {Role::kAssistant,
       {ContentBlock::ToolUse("call_1", "f", RawJson{R"({"a":1)"}),
        ContentBlock::ToolUse("call_2", "g", RawJson{}),
        ContentBlock::Text("bad \xff byte")}});
  Tool tool;
  tool.name = "f";  // OpenAI function with no parameters
  request.tools.push_back(tool);
  request.extra["model"] = RawJson{R"("other")"};  // would duplicate a key
  request.extra["service_tier"] = RawJson{R"("auto")"};

  const std::string written = WriteMessagesRequest(request);
  EXPECT_EQ(written,
            R"({"model":"m","max_tokens":100,"messages":[{"role":"assistant","content":[)"
            R"({"type":"tool_use","id":"call_1","name":"f","input":{"INVALID_JSON":"{\"a\":1"}},)"
            R"({"type":"tool_use","id":"call_2","name":"g","input":{}},)"
            "{\"type\":\"text\",\"text\":\"bad \xEF\xBF\xBD byte\"}]}],"
            R"("tools":[{"name":"f","input_schema":{"type":"object"}}],)"
            R"("service_tier":"auto"})");
  EXPECT_TRUE(nlohmann::json::accept(written));
}

}  // namespace
}  // namespace duet::wire::anthropic
