#include "integration/integration_test.h"

#include <iostream>

namespace duet::integration {

std::vector<std::string> FastTimeoutFlags() {
  return {"--set", "server.header_timeout_ms=2000",
          "--set", "server.body_timeout_ms=2000",
          "--set", "server.idle_timeout_ms=5000",
          "--set", "server.io_threads=2"};
}

void IntegrationTest::StartServer(const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = FastTimeoutFlags();
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  owned_server_ = std::make_unique<ServerProcess>();
  server_ = owned_server_.get();
  ASSERT_TRUE(server_->Start(args)) << server_->error();
}

void IntegrationTest::TearDown() {
  if (server_ != nullptr && HasFailure()) {
    std::cerr << "--- duet_scripted stderr ---\n" << server_->Stderr()
              << "--- end of stderr ---\n";
  }
  owned_server_.reset();
  server_ = nullptr;
}

void IntegrationTest::ExpectStillServing() {
  std::string error;
  const auto response =
      Fetch(port(), AnthropicPost(AnthropicBody("still there")), &error);
  ASSERT_TRUE(response.has_value()) << error;
  EXPECT_EQ(response->status, 200) << response->body;
  const Json body = ParseJson(response->body);
  ASSERT_TRUE(body.is_object());
  EXPECT_EQ(body["content"][0]["text"], "You said: still there");
}

Json ParseJson(std::string_view text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    ADD_FAILURE() << "not JSON: " << text;
    return Json();
  }
  return json;
}

std::string AnthropicBody(std::string_view text, bool stream,
                          std::string_view model) {
  Json body = {{"model", model},
               {"max_tokens", 256},
               {"messages", {{{"role", "user"}, {"content", text}}}}};
  if (stream) {
    body["stream"] = true;
  }
  return body.dump();
}

std::string OpenAIBody(std::string_view text, bool stream,
                       std::string_view model) {
  Json body = {{"model", model},
               {"messages", {{{"role", "user"}, {"content", text}}}}};
  if (stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
  }
  return body.dump();
}

std::string ExpectAnthropicError(const HttpResponse& response, int status,
                                 std::string_view error_type) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.Header("content-type").rfind("application/json", 0), 0u)
      << response.Header("content-type");
  const Json body = ParseJson(response.body);
  if (!body.is_object()) {
    ADD_FAILURE() << "error body is not an object: " << response.body;
    return "";
  }
  EXPECT_EQ(body.value("type", ""), "error") << response.body;
  EXPECT_TRUE(body.contains("request_id")) << response.body;
  if (!body.contains("error") || !body["error"].is_object()) {
    ADD_FAILURE() << "no error object: " << response.body;
    return "";
  }
  EXPECT_EQ(body["error"].value("type", ""), error_type) << response.body;
  EXPECT_TRUE(body["error"]["message"].is_string()) << response.body;
  return body["error"].value("message", "");
}

Json ExpectOpenAIError(const HttpResponse& response, int status,
                       std::string_view error_type) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.Header("content-type").rfind("application/json", 0), 0u)
      << response.Header("content-type");
  const Json body = ParseJson(response.body);
  if (!body.is_object() || !body.contains("error") ||
      !body["error"].is_object()) {
    ADD_FAILURE() << "not an OpenAI error body: " << response.body;
    return Json::object();
  }
  EXPECT_FALSE(body.contains("type")) << "Anthropic shape: " << response.body;
  const Json& error = body["error"];
  EXPECT_TRUE(error["message"].is_string()) << response.body;
  EXPECT_EQ(error.value("type", ""), error_type) << response.body;
  EXPECT_TRUE(error.contains("param")) << response.body;
  EXPECT_TRUE(error.contains("code")) << response.body;
  return error;
}

std::vector<std::string> EventNames(const std::vector<SseEvent>& events) {
  std::vector<std::string> names;
  names.reserve(events.size());
  for (const SseEvent& event : events) {
    names.push_back(event.event);
  }
  return names;
}

std::vector<SseEvent> ExpectAnthropicStream(const HttpResponse& response) {
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("content-type").rfind("text/event-stream", 0), 0u)
      << response.Header("content-type");
  EXPECT_TRUE(response.chunked) << "an HTTP/1.1 stream should be chunked";
  EXPECT_FALSE(response.Header("request-id").empty());
  std::vector<SseEvent> events = ParseSse(response.body);
  for (const SseEvent& event : events) {
    EXPECT_FALSE(event.event.empty()) << "event without a name: " << event.data;
    const Json data = ParseJson(event.data);
    EXPECT_TRUE(data.is_object()) << event.data;
    if (data.is_object()) {
      EXPECT_EQ(data.value("type", ""), event.event) << event.data;
    }
  }
  return events;
}

std::string AnthropicStreamText(const std::vector<SseEvent>& events) {
  std::string text;
  for (const SseEvent& event : events) {
    if (event.event != "content_block_delta") {
      continue;
    }
    const Json data = ParseJson(event.data);
    if (data["delta"].value("type", "") == "text_delta") {
      text += data["delta"].value("text", "");
    }
  }
  return text;
}

std::vector<Json> ExpectOpenAIStream(const HttpResponse& response,
                                     bool expect_done) {
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("content-type").rfind("text/event-stream", 0), 0u)
      << response.Header("content-type");
  EXPECT_TRUE(response.chunked) << "an HTTP/1.1 stream should be chunked";
  EXPECT_EQ(response.body.find("event:"), std::string::npos)
      << "OpenAI streams carry no event lines: " << response.body;
  const std::vector<SseEvent> events = ParseSse(response.body);
  std::vector<Json> chunks;
  bool done = false;
  for (const SseEvent& event : events) {
    EXPECT_FALSE(done) << "data after [DONE]: " << event.data;
    EXPECT_TRUE(event.event.empty());
    if (event.data == "[DONE]") {
      done = true;
      continue;
    }
    chunks.push_back(ParseJson(event.data));
  }
  EXPECT_EQ(done, expect_done) << response.body;
  if (expect_done) {
    EXPECT_TRUE(response.body.size() >= 14 &&
                response.body.substr(response.body.size() - 14) ==
                    "data: [DONE]\n\n")
        << "the stream must end with the literal data: [DONE]";
  }
  return chunks;
}

std::string OpenAIStreamText(const std::vector<Json>& chunks) {
  std::string text;
  for (const Json& chunk : chunks) {
    if (!chunk.contains("choices") || chunk["choices"].empty()) {
      continue;
    }
    const Json& delta = chunk["choices"][0]["delta"];
    if (delta.contains("content") && delta["content"].is_string()) {
      text += delta["content"].get<std::string>();
    }
  }
  return text;
}

}  // namespace duet::integration
