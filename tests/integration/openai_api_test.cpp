// The OpenAI Chat Completions API end to end (protocols.md §3.2–3.3):
// text, streaming with and without include_usage, and tool calls.
#include <string>
#include <vector>

#include "integration/integration_test.h"

namespace duet::integration {
namespace {

class OpenAIApiTest : public SharedServerTest<OpenAIApiTest> {};

Json ToolRequest(std::string_view text, bool stream) {
  Json body = {
      {"model", "scripted-1"},
      {"tools",
       {{{"type", "function"},
         {"function",
          {{"name", "get_weather"},
           {"parameters",
            {{"type", "object"},
             {"properties", {{"city", {{"type", "string"}}}}}}}}}}}},
      {"messages", {{{"role", "user"}, {"content", text}}}}};
  if (stream) {
    body["stream"] = true;
  }
  return body;
}

TEST_F(OpenAIApiTest, NonStreamingText) {
  const auto response = Fetch(port(), OpenAIPost(OpenAIBody("hello")));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(response->Header("x-request-id").rfind("req_", 0), 0u);

  const Json body = ParseJson(response->body);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body.value("id", "").rfind("chatcmpl-", 0), 0u) << body;
  EXPECT_EQ(body["model"], "scripted-1");
  EXPECT_TRUE(body["created"].is_number_integer());
  ASSERT_EQ(body["choices"].size(), 1u) << body;
  const Json& choice = body["choices"][0];
  EXPECT_EQ(choice["index"], 0);
  EXPECT_EQ(choice["finish_reason"], "stop");
  EXPECT_EQ(choice["message"]["role"], "assistant");
  EXPECT_EQ(choice["message"]["content"], "You said: hello");
  EXPECT_FALSE(choice["message"].contains("tool_calls") &&
               !choice["message"]["tool_calls"].is_null());
  EXPECT_EQ(body["usage"]["prompt_tokens"], 2);
  EXPECT_EQ(body["usage"]["completion_tokens"], 3);
  EXPECT_EQ(body["usage"]["total_tokens"], 5);
}

TEST_F(OpenAIApiTest, StreamingWithUsage) {
  const auto response =
      Fetch(port(), OpenAIPost(OpenAIBody("hello", /*stream=*/true)));
  ASSERT_TRUE(response.has_value());
  const std::vector<Json> chunks = ExpectOpenAIStream(*response);
  // role chunk, 3 content chunks, finish chunk, usage chunk.
  ASSERT_EQ(chunks.size(), 6u) << response->body;
  for (const Json& chunk : chunks) {
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    EXPECT_EQ(chunk["id"], chunks[0]["id"]);
    EXPECT_EQ(chunk["created"], chunks[0]["created"]);
    EXPECT_EQ(chunk["model"], "scripted-1");
  }
  EXPECT_EQ(chunks[0]["choices"][0]["delta"],
            Json({{"role", "assistant"}, {"content", ""}}));
  EXPECT_EQ(OpenAIStreamText(chunks), "You said: hello");
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_TRUE(chunks[i].contains("usage") && chunks[i]["usage"].is_null())
        << "chunks before the usage chunk carry usage:null: " << chunks[i];
  }
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(chunks[i]["choices"][0]["finish_reason"].is_null());
  }
  EXPECT_EQ(chunks[4]["choices"][0]["delta"], Json::object());
  EXPECT_EQ(chunks[4]["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(chunks[5]["choices"], Json::array());
  EXPECT_EQ(chunks[5]["usage"]["prompt_tokens"], 2);
  EXPECT_EQ(chunks[5]["usage"]["completion_tokens"], 3);
  EXPECT_EQ(chunks[5]["usage"]["total_tokens"], 5);
}

TEST_F(OpenAIApiTest, StreamingWithoutUsage) {
  Json request = ParseJson(OpenAIBody("hello"));
  request["stream"] = true;
  const auto response = Fetch(port(), OpenAIPost(request.dump()));
  ASSERT_TRUE(response.has_value());
  const std::vector<Json> chunks = ExpectOpenAIStream(*response);
  ASSERT_EQ(chunks.size(), 5u) << response->body;
  for (const Json& chunk : chunks) {
    EXPECT_FALSE(chunk.contains("usage")) << chunk;
    EXPECT_EQ(chunk["choices"].size(), 1u) << chunk;
  }
  EXPECT_EQ(chunks.back()["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(OpenAIStreamText(chunks), "You said: hello");
}

TEST_F(OpenAIApiTest, NonStreamingToolCalls) {
  const auto response = Fetch(
      port(),
      OpenAIPost(
          ToolRequest(R"([[tool:get_weather {"city":"Paris"}]])", false)
              .dump()));
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(response->status, 200) << response->body;
  const Json body = ParseJson(response->body);
  const Json& choice = body["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "tool_calls");
  const Json& calls = choice["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 1u) << body;
  EXPECT_EQ(calls[0]["type"], "function");
  EXPECT_FALSE(calls[0].value("id", "").empty());
  EXPECT_EQ(calls[0]["function"]["name"], "get_weather");
  ASSERT_TRUE(calls[0]["function"]["arguments"].is_string())
      << "arguments must be a JSON string";
  EXPECT_EQ(ParseJson(calls[0]["function"]["arguments"].get<std::string>()),
            Json({{"city", "Paris"}}));
}

TEST_F(OpenAIApiTest, StreamingToolCallsReassemble) {
  const auto response = Fetch(
      port(), OpenAIPost(ToolRequest(R"([[tool:get_weather {"city":"Paris"}]])"
                                     R"( [[tool:get_time {"zone":"CET"}]])",
                                     true)
                             .dump()));
  ASSERT_TRUE(response.has_value());
  const std::vector<Json> chunks = ExpectOpenAIStream(*response);
  ASSERT_FALSE(chunks.empty());

  std::vector<std::string> names(2);
  std::vector<std::string> ids(2);
  std::vector<std::string> arguments(2);
  std::string finish_reason;
  for (const Json& chunk : chunks) {
    const Json& choice = chunk["choices"][0];
    if (!choice["finish_reason"].is_null()) {
      finish_reason = choice["finish_reason"];
    }
    if (!choice["delta"].contains("tool_calls")) {
      continue;
    }
    for (const Json& call : choice["delta"]["tool_calls"]) {
      const int index = call.value("index", -1);
      ASSERT_TRUE(index == 0 || index == 1) << call;
      if (call.contains("id")) {
        EXPECT_TRUE(ids[index].empty()) << "id sent twice: " << call;
        EXPECT_EQ(call["type"], "function");
        ids[index] = call["id"];
        names[index] = call["function"]["name"];
        EXPECT_EQ(call["function"]["arguments"], "");
      } else {
        EXPECT_FALSE(ids[index].empty()) << "fragment before the call: "
                                         << call;
        EXPECT_FALSE(call["function"].contains("name"));
      }
      arguments[index] += call["function"].value("arguments", "");
    }
  }
  EXPECT_EQ(finish_reason, "tool_calls");
  EXPECT_EQ(names, (std::vector<std::string>{"get_weather", "get_time"}));
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_EQ(ParseJson(arguments[0]), Json({{"city", "Paris"}}));
  EXPECT_EQ(ParseJson(arguments[1]), Json({{"zone", "CET"}}));
}

}  // namespace
}  // namespace duet::integration
