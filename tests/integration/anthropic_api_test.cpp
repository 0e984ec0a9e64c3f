// The Anthropic Messages API end to end (protocols.md §1.4, §1.9, §1.12):
// text, streaming, tool use, thinking and count_tokens, with the scripted
// backend's exact, predictable answers.
#include <algorithm>
#include <string>
#include <vector>

#include "integration/integration_test.h"

namespace duet::integration {
namespace {

class AnthropicApiTest : public SharedServerTest<AnthropicApiTest> {};

const std::vector<std::string> kTextStreamEvents = {
    "message_start",       "content_block_start", "content_block_delta",
    "content_block_delta", "content_block_delta", "content_block_stop",
    "message_delta",       "message_stop"};

Json ToolRequest(std::string_view text, bool stream) {
  Json body = {
      {"model", "scripted-1"},
      {"max_tokens", 512},
      {"tools",
       {{{"name", "get_weather"},
         {"description", "Weather for a city"},
         {"input_schema",
          {{"type", "object"},
           {"properties", {{"city", {{"type", "string"}}}}}}}}}},
      {"messages", {{{"role", "user"}, {"content", text}}}}};
  if (stream) {
    body["stream"] = true;
  }
  return body;
}

TEST_F(AnthropicApiTest, NonStreamingText) {
  const auto response =
      Fetch(port(), AnthropicPost(AnthropicBody("hello")));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_FALSE(response->chunked);
  EXPECT_EQ(response->Header("request-id").rfind("req_", 0), 0u);
  EXPECT_EQ(response->Header("x-request-id"), response->Header("request-id"));

  const Json body = ParseJson(response->body);
  EXPECT_EQ(body["type"], "message");
  EXPECT_EQ(body["role"], "assistant");
  EXPECT_EQ(body["model"], "scripted-1");
  EXPECT_EQ(body.value("id", "").rfind("msg_scripted_", 0), 0u) << body;
  EXPECT_EQ(body["content"],
            Json::parse(R"([{"type":"text","text":"You said: hello","citations":null}])"));
  EXPECT_EQ(body["stop_reason"], "end_turn");
  EXPECT_TRUE(body["stop_sequence"].is_null());
  // "hello" is 5 bytes: ceil(5 / 4) = 2 input tokens; 3 words out.
  EXPECT_EQ(body["usage"]["input_tokens"], 2);
  EXPECT_EQ(body["usage"]["output_tokens"], 3);
}

TEST_F(AnthropicApiTest, MaxTokensCutsTheAnswer) {
  Json request = ParseJson(AnthropicBody("[[words:10]]"));
  request["max_tokens"] = 4;
  const auto response = Fetch(port(), AnthropicPost(request.dump()));
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(response->status, 200) << response->body;
  const Json body = ParseJson(response->body);
  EXPECT_EQ(body["content"][0]["text"], "w1 w2 w3 w4 ");
  EXPECT_EQ(body["stop_reason"], "max_tokens");
  EXPECT_EQ(body["usage"]["output_tokens"], 4);
}

TEST_F(AnthropicApiTest, StreamingTextHasTheExactEventSequence) {
  const auto response =
      Fetch(port(), AnthropicPost(AnthropicBody("hello", /*stream=*/true)));
  ASSERT_TRUE(response.has_value());
  const std::vector<SseEvent> events = ExpectAnthropicStream(*response);
  ASSERT_EQ(EventNames(events), kTextStreamEvents) << response->body;
  // Each event is framed exactly as `event: X\ndata: {...}\n\n`.
  EXPECT_EQ(response->body.rfind("event: message_start\ndata: {", 0), 0u);
  const std::string last_event =
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  ASSERT_GE(response->body.size(), last_event.size());
  EXPECT_EQ(response->body.substr(response->body.size() - last_event.size()),
            last_event);

  const Json start = ParseJson(events[0].data);
  EXPECT_EQ(start["message"]["role"], "assistant");
  EXPECT_EQ(start["message"]["model"], "scripted-1");
  EXPECT_EQ(start["message"]["content"], Json::array());
  EXPECT_TRUE(start["message"]["stop_reason"].is_null());
  EXPECT_EQ(start["message"]["usage"]["input_tokens"], 2);
  EXPECT_EQ(start["message"]["usage"]["output_tokens"], 1);

  EXPECT_EQ(ParseJson(events[1].data),
            Json::parse(R"({"type":"content_block_start","index":0,)"
                        R"("content_block":{"type":"text","text":""}})"));
  const std::vector<std::string> pieces = {"You ", "said: ", "hello"};
  for (size_t i = 0; i < pieces.size(); ++i) {
    const Json delta = ParseJson(events[2 + i].data);
    EXPECT_EQ(delta["index"], 0);
    EXPECT_EQ(delta["delta"], Json({{"type", "text_delta"},
                                    {"text", pieces[i]}}));
  }
  EXPECT_EQ(ParseJson(events[5].data),
            Json::parse(R"({"type":"content_block_stop","index":0})"));
  const Json message_delta = ParseJson(events[6].data);
  EXPECT_EQ(message_delta["delta"]["stop_reason"], "end_turn");
  EXPECT_TRUE(message_delta["delta"]["stop_sequence"].is_null());
  EXPECT_EQ(message_delta["usage"]["output_tokens"], 3);
}

TEST_F(AnthropicApiTest, NonStreamingToolUse) {
  const auto response = Fetch(
      port(), AnthropicPost(ToolRequest(
                                R"(weather? [[tool:get_weather {"city":"Paris"}]])",
                                /*stream=*/false)
                                .dump()));
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(response->status, 200) << response->body;
  const Json body = ParseJson(response->body);
  EXPECT_EQ(body["stop_reason"], "tool_use");
  ASSERT_EQ(body["content"].size(), 2u) << body;
  EXPECT_EQ(body["content"][0],
            Json({{"type", "text"}, {"text", "Calling get_weather."}, {"citations", nullptr}}));
  const Json& tool = body["content"][1];
  EXPECT_EQ(tool["type"], "tool_use");
  EXPECT_EQ(tool.value("id", "").rfind("toolu_scripted_", 0), 0u) << tool;
  EXPECT_EQ(tool["name"], "get_weather");
  EXPECT_EQ(tool["input"], Json({{"city", "Paris"}}));
}

TEST_F(AnthropicApiTest, StreamingToolUseFragmentsReassemble) {
  const std::string directive =
      R"([[tool:get_weather {"city":"Paris","days":3,"units":"metric"}]])";
  const auto response =
      Fetch(port(), AnthropicPost(ToolRequest(directive, true).dump()));
  ASSERT_TRUE(response.has_value());
  const std::vector<SseEvent> events = ExpectAnthropicStream(*response);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.front().event, "message_start");
  EXPECT_EQ(events.back().event, "message_stop");

  std::string partial_json;
  std::vector<std::string> fragments;
  bool saw_tool_start = false;
  bool saw_tool_stop = false;
  for (const SseEvent& event : events) {
    const Json data = ParseJson(event.data);
    if (event.event == "content_block_start" && data["index"] == 1) {
      saw_tool_start = true;
      EXPECT_EQ(data["content_block"]["type"], "tool_use");
      EXPECT_EQ(data["content_block"]["name"], "get_weather");
      EXPECT_EQ(data["content_block"]["input"], Json::object());
      EXPECT_EQ(data["content_block"].value("id", "").rfind("toolu_", 0), 0u);
    }
    if (event.event == "content_block_delta" && data["index"] == 1) {
      EXPECT_TRUE(saw_tool_start);
      EXPECT_EQ(data["delta"]["type"], "input_json_delta");
      fragments.push_back(data["delta"].value("partial_json", "<missing>"));
      partial_json += fragments.back();
    }
    if (event.event == "content_block_stop" && data["index"] == 1) {
      saw_tool_stop = true;
    }
    if (event.event == "message_delta") {
      EXPECT_EQ(data["delta"]["stop_reason"], "tool_use");
    }
  }
  EXPECT_TRUE(saw_tool_start);
  EXPECT_TRUE(saw_tool_stop);
  ASSERT_GE(fragments.size(), 3u);
  EXPECT_EQ(fragments.front(), "");
  for (const std::string& fragment : fragments) {
    EXPECT_LE(fragment.size(), 5u) << fragment;
  }
  EXPECT_EQ(ParseJson(partial_json),
            Json::parse(R"({"city":"Paris","days":3,"units":"metric"})"));
  EXPECT_EQ(AnthropicStreamText(events), "Calling get_weather.");
}

TEST_F(AnthropicApiTest, StreamingThinkingComesBeforeText) {
  Json request = ParseJson(AnthropicBody("[[think]] why", /*stream=*/true));
  request["max_tokens"] = 4096;
  request["thinking"] = {{"type", "enabled"}, {"budget_tokens", 1024}};
  const auto response = Fetch(port(), AnthropicPost(request.dump()));
  ASSERT_TRUE(response.has_value());
  const std::vector<SseEvent> events = ExpectAnthropicStream(*response);

  std::string thinking;
  std::vector<std::string> block0_deltas;
  std::string signature;
  for (const SseEvent& event : events) {
    const Json data = ParseJson(event.data);
    if (event.event == "content_block_start") {
      EXPECT_EQ(data["content_block"]["type"],
                data["index"] == 0 ? "thinking" : "text")
          << event.data;
    }
    if (event.event == "content_block_delta" && data["index"] == 0) {
      block0_deltas.push_back(data["delta"].value("type", ""));
      thinking += data["delta"].value("thinking", "");
      signature += data["delta"].value("signature", "");
    }
  }
  EXPECT_EQ(thinking, "Let me think about that.");
  EXPECT_EQ(signature, "sig-scripted");
  ASSERT_FALSE(block0_deltas.empty());
  // The signature comes once, just before the block stops.
  EXPECT_EQ(block0_deltas.back(), "signature_delta");
  EXPECT_EQ(std::count(block0_deltas.begin(), block0_deltas.end(),
                       "signature_delta"),
            1);
  EXPECT_EQ(AnthropicStreamText(events), "You said: why");
  const Json message_delta = ParseJson(events[events.size() - 2].data);
  // 5 thinking words + 3 answer words.
  EXPECT_EQ(message_delta["usage"]["output_tokens"], 8);
}

TEST_F(AnthropicApiTest, NonStreamingThinking) {
  Json request = ParseJson(AnthropicBody("[[think]] why"));
  request["max_tokens"] = 4096;
  request["thinking"] = {{"type", "enabled"}, {"budget_tokens", 1024}};
  const auto response = Fetch(port(), AnthropicPost(request.dump()));
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(response->status, 200) << response->body;
  const Json body = ParseJson(response->body);
  ASSERT_EQ(body["content"].size(), 2u) << body;
  EXPECT_EQ(body["content"][0],
            Json({{"type", "thinking"},
                  {"thinking", "Let me think about that."},
                  {"signature", "sig-scripted"}}));
  EXPECT_EQ(body["content"][1],
            Json({{"type", "text"}, {"text", "You said: why"}, {"citations", nullptr}}));
}

TEST_F(AnthropicApiTest, CountTokens) {
  // 8 bytes of system text + 12 of message text = 20 bytes: 5 tokens.
  const Json request = {
      {"model", "scripted-1"},
      {"system", "12345678"},
      {"messages", {{{"role", "user"}, {"content", "abcdefghijkl"}}}}};
  const auto response = Fetch(
      port(), AnthropicPost(request.dump(), "/v1/messages/count_tokens"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(ParseJson(response->body), Json({{"input_tokens", 5}}));
}

TEST_F(AnthropicApiTest, CountTokensUnknownModel) {
  const Json request = {{"model", "no-such-model"},
                        {"messages", {{{"role", "user"}, {"content", "x"}}}}};
  const auto response = Fetch(
      port(), AnthropicPost(request.dump(), "/v1/messages/count_tokens"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(ExpectAnthropicError(*response, 404, "not_found_error"),
            "model: no-such-model");
}

}  // namespace
}  // namespace duet::integration
