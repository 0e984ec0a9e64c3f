// ParseMessagesRequest: what it accepts, what it builds, and the exact error
// for each thing it rejects.
#include "wire/anthropic/messages_request.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace duet::wire::anthropic {
namespace {

// A valid body with `fields` added after model, max_tokens and messages.
std::string RequestWith(std::string_view fields) {
  std::string body =
      R"({"model":"claude-haiku-4-5","max_tokens":2048,)"
      R"("messages":[{"role":"user","content":"Hi"}])";
  if (!fields.empty()) {
    body += ',';
    body += fields;
  }
  body += '}';
  return body;
}

// A valid body whose one user message has `content` (JSON text).
std::string MessageWith(std::string_view content) {
  return std::string(R"({"model":"m","max_tokens":16,"messages":[)"
                     R"({"role":"user","content":)") +
         std::string(content) + "}]}";
}

ChatRequest ParseOk(std::string_view body, const ParseOptions& options = {}) {
  Result<ChatRequest> result = ParseMessagesRequest(body, options);
  EXPECT_TRUE(result.has_value()) << result.error().ToString();
  return result.has_value() ? *result : ChatRequest{};
}

struct ErrorCase {
  std::string body;
  std::string message;
};

void ExpectErrors(const std::vector<ErrorCase>& cases) {
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.body);
    Result<ChatRequest> result = ParseMessagesRequest(c.body);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.error().message(), c.message);
  }
}

TEST(AnthropicRequestParseTest, MinimalRequest) {
  const ChatRequest request = ParseOk(
      R"({"model":"claude-haiku-4-5","max_tokens":256,)"
      R"("messages":[{"role":"user","content":"Hello"}]})");
  EXPECT_EQ(request.model, "claude-haiku-4-5");
  EXPECT_EQ(request.max_tokens, 256);
  EXPECT_EQ(request.source, ApiFlavor::kAnthropic);
  EXPECT_FALSE(request.stream);
  ASSERT_EQ(request.messages.size(), 1u);
  EXPECT_EQ(request.messages[0].role, Role::kUser);
  ASSERT_EQ(request.messages[0].content.size(), 1u);
  EXPECT_EQ(request.messages[0].content[0], ContentBlock::Text("Hello"));
  EXPECT_TRUE(request.system.empty());
  EXPECT_TRUE(request.extra.empty());
}

TEST(AnthropicRequestParseTest, TopLevelFieldErrors) {
  ExpectErrors({
      {R"({"max_tokens":1,"messages":[{"role":"user","content":"a"}]})",
       "model: Field required"},
      {R"({"model":7,"max_tokens":1,"messages":[{"role":"user","content":"a"}]})",
       "model: expected a string"},
      {R"({"model":"m","messages":[{"role":"user","content":"a"}]})",
       "max_tokens: Field required"},
      {R"({"model":"m","max_tokens":null,"messages":[{"role":"user","content":"a"}]})",
       "max_tokens: Field required"},
      {R"({"model":"m","max_tokens":"10","messages":[{"role":"user","content":"a"}]})",
       "max_tokens: expected an integer"},
      {R"({"model":"m","max_tokens":1.5,"messages":[{"role":"user","content":"a"}]})",
       "max_tokens: expected an integer"},
      {R"({"model":"m","max_tokens":-1,"messages":[{"role":"user","content":"a"}]})",
       "max_tokens: expected an integer >= 0"},
      {R"({"model":"m","max_tokens":1})", "messages: Field required"},
      {R"({"model":"m","max_tokens":1,"messages":[]})",
       "messages: expected a non-empty array"},
      {R"({"model":"m","max_tokens":1,"messages":{"role":"user"}})",
       "messages: expected a non-empty array"},
      {RequestWith(R"("temperature":"hot")"), "temperature: expected a number"},
      {RequestWith(R"("top_p":true)"), "top_p: expected a number"},
      {RequestWith(R"("top_k":1.5)"), "top_k: expected an integer"},
      {RequestWith(R"("stream":"yes")"), "stream: expected a boolean"},
      {RequestWith(R"("stop_sequences":"###")"),
       "stop_sequences: expected an array of strings"},
      {RequestWith(R"("stop_sequences":["a",2])"),
       "stop_sequences.1: expected a string"},
      {RequestWith(R"("metadata":"u")"), "metadata: expected an object"},
      {RequestWith(R"("metadata":{"user_id":5})"),
       "metadata.user_id: expected a string"},
  });
}

TEST(AnthropicRequestParseTest, MaxTokensZeroAndIntegralDoublesAreAccepted) {
  EXPECT_EQ(ParseOk(R"({"model":"m","max_tokens":0,"messages":[)"
                    R"({"role":"user","content":"a"}]})")
                .max_tokens,
            0);
  EXPECT_EQ(ParseOk(R"({"model":"m","max_tokens":256.0,"messages":[)"
                    R"({"role":"user","content":"a"}]})")
                .max_tokens,
            256);
}

TEST(AnthropicRequestParseTest, CountTokensBodyNeedsNoMaxTokens) {
  const std::string body =
      R"({"model":"m","messages":[{"role":"user","content":"a"}],)"
      R"("thinking":{"type":"enabled","budget_tokens":5000}})";
  const ChatRequest request =
      ParseOk(body, ParseOptions{.require_max_tokens = false});
  EXPECT_FALSE(request.max_tokens.has_value());
  ASSERT_TRUE(request.thinking.has_value());
  EXPECT_EQ(request.thinking->budget_tokens, 5000);
  // The same body is incomplete for /v1/messages.
  EXPECT_EQ(ParseMessagesRequest(body).error().message(),
            "max_tokens: Field required");
}

TEST(AnthropicRequestParseTest, MessageErrors) {
  const std::string prefix = R"({"model":"m","max_tokens":1,"messages":)";
  ExpectErrors({
      {prefix + "[1]}", "messages.0: expected an object"},
      {prefix + R"([{"content":"a"}]})", "messages.0.role: Field required"},
      {prefix + R"([{"role":"user","content":"a"},{"role":"tool","content":"b"}]})",
       "messages.1.role: expected 'user', 'assistant' or 'system'"},
      {prefix + R"([{"role":"user"}]})", "messages.0.content: Field required"},
      {prefix + R"([{"role":"user","content":5}]})",
       "messages.0.content: expected a string or an array of content blocks"},
  });
}

TEST(AnthropicRequestParseTest, ContentBlockErrors) {
  ExpectErrors({
      {MessageWith(R"(["text"])"), "messages.0.content.0: expected an object"},
      {MessageWith(R"([{"type":"text","text":"a"},{"type":"text","text":"b"},{"text":"c"}])"),
       "messages.0.content.2.type: Field required"},
      {MessageWith(R"([{"type":7}])"),
       "messages.0.content.0.type: expected a string"},
      {MessageWith(R"([{"type":"text"}])"),
       "messages.0.content.0.text: Field required"},
      {MessageWith(R"([{"type":"text","text":"a","cache_control":"ephemeral"}])"),
       "messages.0.content.0.cache_control: expected an object"},
      {MessageWith(R"([{"type":"text","text":"a","citations":{}}])"),
       "messages.0.content.0.citations: expected an array"},
      {MessageWith(R"([{"type":"image"}])"),
       "messages.0.content.0.source: Field required"},
      {MessageWith(R"([{"type":"image","source":{"type":"ftp","url":"x"}}])"),
       "messages.0.content.0.source.type: expected 'base64', 'url' or 'file'"},
      {MessageWith(R"([{"type":"image","source":{"type":"base64","media_type":"image/png"}}])"),
       "messages.0.content.0.source.data: Field required"},
      {MessageWith(R"([{"type":"image","source":{"type":"url"}}])"),
       "messages.0.content.0.source.url: Field required"},
      {MessageWith(R"([{"type":"image","source":{"type":"file"}}])"),
       "messages.0.content.0.source.file_id: Field required"},
      {MessageWith(R"([{"type":"tool_use","id":"t","name":"n","input":"{}"}])"),
       "messages.0.content.0.input: expected an object"},
      {MessageWith(R"([{"type":"tool_use","name":"n","input":{}}])"),
       "messages.0.content.0.id: Field required"},
      {MessageWith(R"([{"type":"tool_result","content":"x"}])"),
       "messages.0.content.0.tool_use_id: Field required"},
      {MessageWith(R"([{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"a"},{"text":"b"}]}])"),
       "messages.0.content.0.content.1.type: Field required"},
      {MessageWith(R"([{"type":"tool_result","tool_use_id":"t","is_error":"yes"}])"),
       "messages.0.content.0.is_error: expected a boolean"},
      {MessageWith(R"([{"type":"thinking","thinking":"hm"}])"),
       "messages.0.content.0.signature: Field required"},
      {MessageWith(R"([{"type":"redacted_thinking"}])"),
       "messages.0.content.0.data: Field required"},
  });
}

TEST(AnthropicRequestParseTest, StringAndArrayContent) {
  const ChatRequest request = ParseOk(
      R"({"model":"m","max_tokens":16,"messages":[)"
      R"({"role":"user","content":"plain"},)"
      R"({"role":"assistant","content":[{"type":"text","text":"one"},)"
      R"({"type":"text","text":"two","cache_control":{"type":"ephemeral"},)"
      R"("citations":[{"type":"char_location","cited_text":"x"}]}]}]})");
  ASSERT_EQ(request.messages.size(), 2u);
  EXPECT_EQ(request.messages[0].content,
            std::vector<ContentBlock>{ContentBlock::Text("plain")});
  EXPECT_EQ(request.messages[1].role, Role::kAssistant);
  const std::vector<ContentBlock>& blocks = request.messages[1].content;
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0], ContentBlock::Text("one"));
  EXPECT_EQ(blocks[1].text, "two");
  EXPECT_EQ(blocks[1].cache_control.text, R"({"type":"ephemeral"})");
  EXPECT_EQ(blocks[1].citations.text,
            R"([{"type":"char_location","cited_text":"x"}])");
}

TEST(AnthropicRequestParseTest, SystemAsStringOrTextBlocks) {
  EXPECT_EQ(ParseOk(RequestWith(R"("system":"You are terse.")")).system,
            std::vector<ContentBlock>{ContentBlock::Text("You are terse.")});

  const ChatRequest request = ParseOk(RequestWith(
      R"("system":[{"type":"text","text":"Rules."},)"
      R"({"type":"text","text":"Long context","cache_control":{"type":"ephemeral","ttl":"1h"}}])"));
  ASSERT_EQ(request.system.size(), 2u);
  EXPECT_EQ(request.system[0], ContentBlock::Text("Rules."));
  EXPECT_EQ(request.system[1].text, "Long context");
  EXPECT_EQ(request.system[1].cache_control.text,
            R"({"type":"ephemeral","ttl":"1h"})");

  ExpectErrors({
      {RequestWith(R"("system":5)"),
       "system: expected a string or an array of text blocks"},
      {RequestWith(R"("system":[{"type":"image","source":{}}])"),
       "system.0.type: expected 'text'"},
      {RequestWith(R"("system":[{"type":"text"}])"),
       "system.0.text: Field required"},
  });
}

TEST(AnthropicRequestParseTest, ImagesFromAllThreeSources) {
  const ChatRequest request = ParseOk(MessageWith(
      R"([{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},)"
      R"({"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"},"cache_control":{"type":"ephemeral"}},)"
      R"({"type":"image","source":{"type":"file","file_id":"file_011CNha8iCJcU1wXNR6q4V8w"}}])"));
  const std::vector<ContentBlock>& blocks = request.messages[0].content;
  ASSERT_EQ(blocks.size(), 3u);
  for (const ContentBlock& block : blocks) {
    EXPECT_EQ(block.type, BlockType::kImage);
  }
  EXPECT_EQ(blocks[0].image,
            (ImageSource{ImageSource::Kind::kBase64, "image/png", "iVBORw0KGgo="}));
  EXPECT_EQ(blocks[1].image,
            (ImageSource{ImageSource::Kind::kUrl, "", "https://example.com/cat.jpg"}));
  EXPECT_EQ(blocks[1].cache_control.text, R"({"type":"ephemeral"})");
  EXPECT_EQ(blocks[2].image, (ImageSource{ImageSource::Kind::kFile, "",
                                          "file_011CNha8iCJcU1wXNR6q4V8w"}));
}

TEST(AnthropicRequestParseTest, ToolUseAndToolResultWithNestedContent) {
  const ChatRequest request = ParseOk(
      R"({"model":"m","max_tokens":16,"messages":[)"
      R"({"role":"user","content":"Weather?"},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"toolu_01A",)"
      R"("name":"get_weather","input":{ "city" : "Paris", "days": [1, 2] }}]},)"
      R"({"role":"user","content":[)"
      R"({"type":"tool_result","tool_use_id":"toolu_01A","content":"18C, sunny"},)"
      R"({"type":"tool_result","tool_use_id":"toolu_01B","is_error":true,"content":[)"
      R"({"type":"text","text":"see chart"},)"
      R"({"type":"image","source":{"type":"url","url":"https://x/c.png"}}]},)"
      R"({"type":"tool_result","tool_use_id":"toolu_01C"}]}]})");
  ASSERT_EQ(request.messages.size(), 3u);
  EXPECT_EQ(request.messages[1].content[0],
            ContentBlock::ToolUse("toolu_01A", "get_weather",
                                  RawJson{R"({"city":"Paris","days":[1,2]})"}));
  const std::vector<ContentBlock>& results = request.messages[2].content;
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].type, BlockType::kToolResult);
  EXPECT_EQ(results[0].tool_use_id, "toolu_01A");
  EXPECT_FALSE(results[0].is_error);
  EXPECT_EQ(results[0].tool_result_content,
            std::vector<ContentBlock>{ContentBlock::Text("18C, sunny")});
  EXPECT_TRUE(results[1].is_error);
  ASSERT_EQ(results[1].tool_result_content.size(), 2u);
  EXPECT_EQ(results[1].tool_result_content[0], ContentBlock::Text("see chart"));
  EXPECT_EQ(results[1].tool_result_content[1].type, BlockType::kImage);
  EXPECT_EQ(results[1].tool_result_content[1].image.data, "https://x/c.png");
  EXPECT_TRUE(results[2].tool_result_content.empty());
}

TEST(AnthropicRequestParseTest, ThinkingAndRedactedThinkingBlocks) {
  const ChatRequest request = ParseOk(MessageWith(
      R"([{"type":"thinking","thinking":"Let me think.","signature":"EqQBCgIYAh"},)"
      R"({"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix"}])"));
  const std::vector<ContentBlock>& blocks = request.messages[0].content;
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0], ContentBlock::Thinking("Let me think.", "EqQBCgIYAh"));
  EXPECT_EQ(blocks[1].type, BlockType::kRedactedThinking);
  EXPECT_EQ(blocks[1].signature, "EmwKAhgBEgy3va3pzix");
}

TEST(AnthropicRequestParseTest, UnknownBlockTypeIsKeptWhole) {
  const ChatRequest request = ParseOk(MessageWith(
      R"([{"type":"document","source":{"type":"text","media_type":"text/plain",)"
      R"("data":"Grass is green."},"title":"Facts","cache_control":{"type":"ephemeral"}}])"));
  const ContentBlock& block = request.messages[0].content[0];
  EXPECT_EQ(block.type, BlockType::kOther);
  EXPECT_EQ(block.raw.text,
            R"({"type":"document","source":{"type":"text","media_type":"text/plain",)"
            R"("data":"Grass is green."},"title":"Facts","cache_control":{"type":"ephemeral"}})");
  EXPECT_EQ(block.cache_control.text, R"({"type":"ephemeral"})");
}

TEST(AnthropicRequestParseTest, ToolsCustomAndProvider) {
  const ChatRequest request = ParseOk(RequestWith(
      R"("tools":[{"name":"get_weather","description":"Weather by city",)"
      R"("input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},)"
      R"("strict":true,"cache_control":{"type":"ephemeral"}},)"
      R"({"type":"custom","name":"now","input_schema":{"type":"object"}},)"
      R"({"type":"web_search_20250305","name":"web_search","max_uses":5}])"));
  ASSERT_EQ(request.tools.size(), 3u);
  const Tool& weather = request.tools[0];
  EXPECT_EQ(weather.name, "get_weather");
  EXPECT_EQ(weather.description, "Weather by city");
  EXPECT_EQ(weather.input_schema.text,
            R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})");
  EXPECT_EQ(weather.strict, true);
  EXPECT_EQ(weather.cache_control.text, R"({"type":"ephemeral"})");
  EXPECT_TRUE(weather.type.empty());
  EXPECT_TRUE(weather.raw.empty());

  EXPECT_EQ(request.tools[1].name, "now");
  EXPECT_TRUE(request.tools[1].type.empty());  // "custom" is the default
  EXPECT_FALSE(request.tools[1].strict.has_value());

  const Tool& search = request.tools[2];
  EXPECT_EQ(search.type, "web_search_20250305");
  EXPECT_EQ(search.name, "web_search");
  EXPECT_EQ(search.raw.text,
            R"({"type":"web_search_20250305","name":"web_search","max_uses":5})");

  ExpectErrors({
      {RequestWith(R"("tools":{})"), "tools: expected an array"},
      {RequestWith(R"("tools":[5])"), "tools.0: expected an object"},
      {RequestWith(R"("tools":[{"input_schema":{}}])"),
       "tools.0.name: Field required"},
      {RequestWith(R"("tools":[{"name":"a","input_schema":{}},{"name":"b"}])"),
       "tools.1.input_schema: Field required"},
      {RequestWith(R"("tools":[{"name":"a","input_schema":"{}"}])"),
       "tools.0.input_schema: expected an object"},
      {RequestWith(R"("tools":[{"name":"a","input_schema":{},"strict":1}])"),
       "tools.0.strict: expected a boolean"},
      {RequestWith(R"("tools":[{"type":5,"name":"a"}])"),
       "tools.0.type: expected a string"},
  });
}

TEST(AnthropicRequestParseTest, ToolChoiceModes) {
  EXPECT_EQ(ParseOk(RequestWith(R"("tool_choice":{"type":"auto"})")).tool_choice,
            ToolChoice{});
  EXPECT_EQ(ParseOk(RequestWith(R"("tool_choice":{"type":"any","disable_parallel_tool_use":true})"))
                .tool_choice,
            (ToolChoice{ToolChoice::Mode::kAny, "", true}));
  EXPECT_EQ(ParseOk(RequestWith(R"("tool_choice":{"type":"tool","name":"get_weather"})"))
                .tool_choice,
            (ToolChoice{ToolChoice::Mode::kTool, "get_weather", false}));
  EXPECT_EQ(ParseOk(RequestWith(R"("tool_choice":{"type":"none"})")).tool_choice,
            (ToolChoice{ToolChoice::Mode::kNone, "", false}));
  ExpectErrors({
      {RequestWith(R"("tool_choice":"auto")"), "tool_choice: expected an object"},
      {RequestWith(R"("tool_choice":{})"), "tool_choice.type: Field required"},
      {RequestWith(R"("tool_choice":{"type":"required"})"),
       "tool_choice.type: expected 'auto', 'any', 'tool' or 'none'"},
      {RequestWith(R"("tool_choice":{"type":"tool"})"),
       "tool_choice.name: Field required"},
      {RequestWith(R"("tool_choice":{"type":"any","disable_parallel_tool_use":"no"})"),
       "tool_choice.disable_parallel_tool_use: expected a boolean"},
  });
}

TEST(AnthropicRequestParseTest, ThinkingConfig) {
  EXPECT_EQ(ParseOk(RequestWith(R"("thinking":{"type":"enabled","budget_tokens":1024})"))
                .thinking,
            (ThinkingConfig{ThinkingConfig::Mode::kEnabled, 1024, ""}));
  EXPECT_EQ(ParseOk(RequestWith(R"("thinking":{"type":"disabled"})")).thinking,
            ThinkingConfig{});
  EXPECT_EQ(ParseOk(RequestWith(R"("thinking":{"type":"adaptive","display":"omitted"})"))
                .thinking,
            (ThinkingConfig{ThinkingConfig::Mode::kAdaptive, 0, "omitted"}));
  // RequestWith's max_tokens is 2048.
  ExpectErrors({
      {RequestWith(R"("thinking":"on")"), "thinking: expected an object"},
      {RequestWith(R"("thinking":{})"), "thinking.type: Field required"},
      {RequestWith(R"("thinking":{"type":"extended"})"),
       "thinking.type: expected 'enabled', 'disabled' or 'adaptive'"},
      {RequestWith(R"("thinking":{"type":"enabled"})"),
       "thinking.budget_tokens: Field required"},
      {RequestWith(R"("thinking":{"type":"enabled","budget_tokens":1023})"),
       "thinking.budget_tokens: expected an integer >= 1024"},
      {RequestWith(R"("thinking":{"type":"enabled","budget_tokens":"2000"})"),
       "thinking.budget_tokens: expected an integer"},
      {RequestWith(R"("thinking":{"type":"enabled","budget_tokens":2048})"),
       "thinking.budget_tokens: must be less than max_tokens"},
      {RequestWith(R"("thinking":{"type":"adaptive","display":1})"),
       "thinking.display: expected a string"},
  });
}

TEST(AnthropicRequestParseTest, OutputConfigEffortAndJsonSchema) {
  const ChatRequest request = ParseOk(RequestWith(
      R"("output_config":{"effort":"high","format":{"type":"json_schema",)"
      R"("schema":{"type":"object","properties":{"a":{"type":"integer"}}}}})"));
  EXPECT_EQ(request.effort, "high");
  ASSERT_TRUE(request.response_format.has_value());
  EXPECT_EQ(request.response_format->kind, ResponseFormat::Kind::kJsonSchema);
  EXPECT_EQ(request.response_format->schema.text,
            R"({"type":"object","properties":{"a":{"type":"integer"}}})");

  const ChatRequest effort_only =
      ParseOk(RequestWith(R"("output_config":{"effort":"low"})"));
  EXPECT_EQ(effort_only.effort, "low");
  EXPECT_FALSE(effort_only.response_format.has_value());

  ExpectErrors({
      {RequestWith(R"("output_config":[])"), "output_config: expected an object"},
      {RequestWith(R"("output_config":{"effort":3})"),
       "output_config.effort: expected a string"},
      {RequestWith(R"("output_config":{"format":{"schema":{}}})"),
       "output_config.format.type: Field required"},
      {RequestWith(R"("output_config":{"format":{"type":"json_object"}})"),
       "output_config.format.type: expected 'json_schema'"},
      {RequestWith(R"("output_config":{"format":{"type":"json_schema"}})"),
       "output_config.format.schema: Field required"},
  });
}

TEST(AnthropicRequestParseTest, ScalarsAndMetadata) {
  const ChatRequest request = ParseOk(RequestWith(
      R"("temperature":0.7,"top_p":0.95,"top_k":40,"stream":true,)"
      R"("stop_sequences":["###","END"],"metadata":{"user_id":"user-42"})"));
  EXPECT_EQ(request.sampling.temperature, 0.7);
  EXPECT_EQ(request.sampling.top_p, 0.95);
  EXPECT_EQ(request.sampling.top_k, 40);
  EXPECT_FALSE(request.sampling.seed.has_value());
  EXPECT_TRUE(request.stream);
  EXPECT_EQ(request.stop_sequences, (std::vector<std::string>{"###", "END"}));
  EXPECT_EQ(request.user_id, "user-42");
}

TEST(AnthropicRequestParseTest, NullFieldsCountAsAbsent) {
  const ChatRequest request = ParseOk(RequestWith(
      R"("system":null,"tools":null,"thinking":null,"temperature":null)"));
  EXPECT_TRUE(request.system.empty());
  EXPECT_TRUE(request.tools.empty());
  EXPECT_FALSE(request.thinking.has_value());
  EXPECT_FALSE(request.sampling.temperature.has_value());
  EXPECT_TRUE(request.extra.empty());
}

TEST(AnthropicRequestParseTest, UnknownTopLevelKeysAreKeptAsExtra) {
  const ChatRequest request = ParseOk(RequestWith(
      R"("service_tier":"standard_only","container":null,)"
      R"("cache_control":{"type":"ephemeral"},)"
      R"("mcp_servers":[{"type":"url","url":"https://mcp.example/sse","name":"ex"}])"));
  ASSERT_EQ(request.extra.size(), 4u);
  EXPECT_EQ(request.extra.at("service_tier").text, R"("standard_only")");
  EXPECT_EQ(request.extra.at("container").text, "null");
  EXPECT_EQ(request.extra.at("cache_control").text, R"({"type":"ephemeral"})");
  EXPECT_EQ(request.extra.at("mcp_servers").text,
            R"([{"type":"url","url":"https://mcp.example/sse","name":"ex"}])");
}

TEST(AnthropicRequestParseTest, MalformedAndNonObjectBodies) {
  const std::vector<std::string> malformed = {
      "", "{", "{\"model\":", "nul", "{\"model\":\"m\",}", "\xff\xfe",
      "{\"model\":\"m\"} trailing",
  };
  for (const std::string& body : malformed) {
    SCOPED_TRACE(body);
    Result<ChatRequest> result = ParseMessagesRequest(body);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.error().message().rfind("malformed JSON body", 0), 0u)
        << result.error().message();
  }
  for (const std::string body : {"[1,2]", "\"text\"", "null", "42", "true"}) {
    SCOPED_TRACE(body);
    Result<ChatRequest> result = ParseMessagesRequest(body);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error(),
              InvalidArgument("request body must be a JSON object"));
  }
}

TEST(AnthropicRequestParseTest, DeepNestingIsRejectedBeforeParsing) {
  const std::string deep_array(100000, '[');
  EXPECT_EQ(ParseMessagesRequest(deep_array).error(),
            InvalidArgument("request body nests deeper than 128 levels"));

  // Depth inside a tool input: 5 levels to reach `input`, then the chain.
  auto tool_input_body = [](int levels) {
    std::string input;
    for (int i = 0; i < levels; ++i) {
      input += R"({"a":)";
    }
    input += "1";
    input += std::string(static_cast<size_t>(levels), '}');
    return MessageWith(R"([{"type":"tool_use","id":"t","name":"n","input":)" +
                       input + "}]");
  };
  EXPECT_TRUE(ParseMessagesRequest(tool_input_body(120)).has_value());
  EXPECT_EQ(ParseMessagesRequest(tool_input_body(200)).error().code(),
            ErrorCode::kInvalidArgument);

  // Brackets inside strings are text, not nesting.
  const ChatRequest request =
      ParseOk(MessageWith("\"" + std::string(1000, '[') + "\""));
  EXPECT_EQ(request.messages[0].content[0].text.size(), 1000u);
}

TEST(AnthropicRequestParseTest, HugeNumbersAreErrorsNotCrashes) {
  // Overflows a double: nlohmann throws out_of_range for this one.
  for (const std::string_view field :
       {R"("max_tokens":1e400)", R"("temperature":-1e400)"}) {
    const std::string body =
        R"({"model":"m","messages":[{"role":"user","content":"a"}],)" +
        std::string(field) + "}";
    SCOPED_TRACE(body);
    Result<ChatRequest> result = ParseMessagesRequest(body);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(result.error().message().rfind("malformed JSON body", 0), 0u)
        << result.error().message();
  }
  // Valid JSON numbers that do not fit an int64 (converting them would be
  // undefined behaviour, which the sanitizer build would catch).
  const std::string prefix = R"({"model":"m","messages":[{"role":"user","content":"a"}],"max_tokens":)";
  ExpectErrors({
      {prefix + "1e20}", "max_tokens: expected an integer"},
      {prefix + "-1e300}", "max_tokens: expected an integer"},
      {prefix + "18446744073709551615}", "max_tokens: expected an integer"},
      {prefix + "99999999999999999999999999}", "max_tokens: expected an integer"},
      {prefix + "9223372036854775808.0}", "max_tokens: expected an integer"},
  });
  EXPECT_EQ(ParseOk(prefix + "9223372036854775807}").max_tokens,
            9223372036854775807);
  EXPECT_EQ(ParseOk(RequestWith(R"("temperature":1e308)")).sampling.temperature,
            1e308);
}

TEST(AnthropicRequestParseTest, InvalidUtf8AndBadEscapesAreRejected) {
  for (const std::string& text :
       {std::string("\"caf\xe9\""), std::string("\"\xc0\xaf\""),
        std::string(R"("\ud800")"), std::string(R"("\x41")")}) {
    SCOPED_TRACE(text);
    Result<ChatRequest> result = ParseMessagesRequest(MessageWith(text));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
  }
  // Escaped control characters and valid multi-byte UTF-8 are fine.
  const ChatRequest request =
      ParseOk(MessageWith(R"("a\u0000b \u00e9 \ud83d\ude00 ✓")"));
  EXPECT_EQ(request.messages[0].content[0].text,
            std::string("a\0b \xc3\xa9 \xf0\x9f\x98\x80 \xe2\x9c\x93", 15));
}

}  // namespace
}  // namespace duet::wire::anthropic
