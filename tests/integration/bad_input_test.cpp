// Bad requests, each answered in the right API's error shape and status
// (protocols.md §1.10, §3.4), after which the server keeps serving.
#include <sstream>
#include <string>

#include "integration/integration_test.h"

namespace duet::integration {
namespace {

constexpr int kMaxBodyBytes = 4096;
constexpr int kMaxHeaderBytes = 2048;

class BadInputTest : public SharedServerTest<BadInputTest> {
 public:
  static std::vector<std::string> ExtraFlags() {
    return {"--set", "server.max_body_bytes=" + std::to_string(kMaxBodyBytes),
            "--set",
            "server.max_header_bytes=" + std::to_string(kMaxHeaderBytes)};
  }

 protected:
  HttpResponse Send(const HttpRequest& request) {
    std::string error;
    auto response = Fetch(port(), request, &error);
    if (!response.has_value()) {
      ADD_FAILURE() << "no response: " << error;
      return HttpResponse();
    }
    return *response;
  }

  // Sends `raw` on a new connection and reads one response, then expects
  // the server to close the connection.
  HttpResponse SendRawThenExpectClose(const std::string& raw) {
    HttpConnection connection;
    EXPECT_TRUE(connection.Connect(port())) << connection.error();
    EXPECT_TRUE(connection.SendRaw(raw)) << connection.error();
    auto response = connection.ReadResponse();
    if (!response.has_value()) {
      ADD_FAILURE() << "no response: " << connection.error();
      return HttpResponse();
    }
    EXPECT_EQ(response->Header("connection"), "close");
    EXPECT_TRUE(connection.WaitForClose(std::chrono::seconds(5)))
        << "the server should close a connection whose request it rejected";
    return *response;
  }
};

TEST_F(BadInputTest, MalformedJson) {
  const std::string body = R"({"model": "scripted-1", "max_tokens": )";
  const std::string message =
      ExpectAnthropicError(Send(AnthropicPost(body)), 400,
                           "invalid_request_error");
  EXPECT_EQ(message.rfind("malformed JSON body", 0), 0u) << message;
  ExpectOpenAIError(Send(OpenAIPost(body)), 400, "invalid_request_error");
  ExpectStillServing();
}

TEST_F(BadInputTest, NonObjectBody) {
  EXPECT_EQ(ExpectAnthropicError(Send(AnthropicPost("[1, 2, 3]")), 400,
                                 "invalid_request_error"),
            "request body must be a JSON object");
  Json error = ExpectOpenAIError(Send(OpenAIPost(R"("just a string")")), 400,
                                 "invalid_request_error");
  EXPECT_EQ(error["message"], "request body must be a JSON object");
  ExpectStillServing();
}

TEST_F(BadInputTest, EmptyBody) {
  ExpectAnthropicError(Send(AnthropicPost("")), 400, "invalid_request_error");
  ExpectOpenAIError(Send(OpenAIPost("")), 400, "invalid_request_error");
  ExpectStillServing();
}

TEST_F(BadInputTest, WrongTypes) {
  Json anthropic = ParseJson(AnthropicBody("hi"));
  anthropic["max_tokens"] = "ten";
  EXPECT_EQ(ExpectAnthropicError(Send(AnthropicPost(anthropic.dump())), 400,
                                 "invalid_request_error"),
            "max_tokens: expected an integer");
  Json openai = ParseJson(OpenAIBody("hi"));
  openai["messages"] = "hi";
  Json error = ExpectOpenAIError(Send(OpenAIPost(openai.dump())), 400,
                                 "invalid_request_error");
  EXPECT_NE(error.value("message", "").find("messages"), std::string::npos)
      << error;
  ExpectStillServing();
}

TEST_F(BadInputTest, MissingRequiredFields) {
  Json anthropic = ParseJson(AnthropicBody("hi"));
  anthropic.erase("max_tokens");
  EXPECT_EQ(ExpectAnthropicError(Send(AnthropicPost(anthropic.dump())), 400,
                                 "invalid_request_error"),
            "max_tokens: Field required");
  Json without_messages = ParseJson(AnthropicBody("hi"));
  without_messages.erase("messages");
  EXPECT_EQ(
      ExpectAnthropicError(Send(AnthropicPost(without_messages.dump())), 400,
                           "invalid_request_error"),
      "messages: Field required");
  Json openai = ParseJson(OpenAIBody("hi"));
  openai.erase("messages");
  Json error = ExpectOpenAIError(Send(OpenAIPost(openai.dump())), 400,
                                 "invalid_request_error");
  EXPECT_EQ(error["message"], "messages: Field required");
  ExpectStillServing();
}

// x-duet-route (issue 5) takes local, cloud or auto; anything else is the
// client's mistake, answered in its API's shape before any routing.
TEST_F(BadInputTest, UnknownRouteHeaderValue) {
  HttpRequest anthropic = AnthropicPost(AnthropicBody("hi"));
  anthropic.headers.emplace_back("x-duet-route", "sideways");
  EXPECT_EQ(ExpectAnthropicError(Send(anthropic), 400, "invalid_request_error"),
            "x-duet-route: expected local, cloud or auto");
  HttpRequest openai = OpenAIPost(OpenAIBody("hi"));
  openai.headers.emplace_back("x-duet-route", "sideways");
  ExpectOpenAIError(Send(openai), 400, "invalid_request_error");
  HttpRequest workflow = AnthropicPost(AnthropicBody("hi"));
  workflow.headers.emplace_back("x-duet-workflow", "shine");
  EXPECT_EQ(ExpectAnthropicError(Send(workflow), 400, "invalid_request_error"),
            "x-duet-workflow: expected polish");
  ExpectStillServing();
}

TEST_F(BadInputTest, UnknownModel) {
  for (const bool stream : {false, true}) {
    SCOPED_TRACE(stream ? "streaming" : "not streaming");
    EXPECT_EQ(ExpectAnthropicError(
                  Send(AnthropicPost(AnthropicBody("hi", stream, "nope-9"))),
                  404, "not_found_error"),
              "model: nope-9");
    Json error = ExpectOpenAIError(
        Send(OpenAIPost(OpenAIBody("hi", stream, "nope-9"))), 404,
        "invalid_request_error");
    EXPECT_EQ(error["code"], "model_not_found");
  }
  ExpectStillServing();
}

TEST_F(BadInputTest, BodyOverLimitWithContentLength) {
  // Only the head is sent: the server must judge the declared length
  // without waiting for (or reading) the body.
  const std::string head =
      "POST /v1/messages HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nanthropic-version: 2023-06-01\r\n"
      "Content-Length: " +
      std::to_string(kMaxBodyBytes + 1) + "\r\n\r\n";
  ExpectAnthropicError(SendRawThenExpectClose(head), 413,
                       "request_too_large");
  const std::string openai_head =
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
  Json error = ExpectOpenAIError(SendRawThenExpectClose(openai_head), 413,
                                 "invalid_request_error");
  EXPECT_EQ(error["code"], "request_too_large");
  ExpectStillServing();
}

TEST_F(BadInputTest, BodyAtTheLimitIsAccepted) {
  Json request = ParseJson(AnthropicBody("x"));
  const std::string base = request.dump();
  request["messages"][0]["content"] =
      std::string(kMaxBodyBytes - base.size() + 1, 'x');
  const std::string body = request.dump();
  ASSERT_EQ(body.size(), static_cast<size_t>(kMaxBodyBytes));
  const HttpResponse response = Send(AnthropicPost(body));
  EXPECT_EQ(response.status, 200) << response.body;
}

TEST_F(BadInputTest, ChunkedBodyOverLimit) {
  // Three 2 KiB chunks: each fits, together they do not.
  const std::string chunk = "800\r\n" + std::string(2048, 'a') + "\r\n";
  const std::string request =
      "POST /v1/messages HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nanthropic-version: 2023-06-01\r\n"
      "Transfer-Encoding: chunked\r\n\r\n" +
      chunk + chunk + "800\r\n";
  ExpectAnthropicError(SendRawThenExpectClose(request), 413,
                       "request_too_large");
  ExpectStillServing();
}

TEST_F(BadInputTest, ChunkedBodyUnderLimitIsAccepted) {
  const std::string body = AnthropicBody("chunked");
  const size_t half = body.size() / 2;
  const auto hex = [](size_t n) {
    std::ostringstream out;
    out << std::hex << n;
    return out.str();
  };
  const std::string sizes[2] = {hex(half), hex(body.size() - half)};
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port()));
  ASSERT_TRUE(connection.SendRaw(
      "POST /v1/messages HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
      sizes[0] + "\r\n" + body.substr(0, half) + "\r\n" +
      sizes[1] + "\r\n" + body.substr(half) + "\r\n0\r\n\r\n"));
  const auto response = connection.ReadResponse();
  ASSERT_TRUE(response.has_value()) << connection.error();
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(ParseJson(response->body)["content"][0]["text"],
            "You said: chunked");
}

TEST_F(BadInputTest, HeadersOverLimit) {
  const std::string request = "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " +
                              std::string(kMaxHeaderBytes + 100, 'h') +
                              "\r\n\r\n";
  const HttpResponse response = SendRawThenExpectClose(request);
  EXPECT_EQ(response.status, 431);
  EXPECT_EQ(response.Header("content-type"), "application/json");
  Json body = ParseJson(response.body);
  EXPECT_TRUE(body.contains("error")) << response.body;
  ExpectStillServing();
}

TEST_F(BadInputTest, UnknownPath) {
  HttpRequest request;
  request.target = "/v1/no-such-endpoint";
  ExpectOpenAIError(Send(request), 404, "invalid_request_error");
  request.headers = {{"anthropic-version", "2023-06-01"}};
  ExpectAnthropicError(Send(request), 404, "not_found_error");
  // Under /v1/messages the Anthropic shape needs no header.
  ExpectAnthropicError(Send(AnthropicPost("{}", "/v1/messages/nope")), 404,
                       "not_found_error");
  ExpectStillServing();
}

TEST_F(BadInputTest, WrongMethodGets405WithAllow) {
  HttpRequest get_messages;
  get_messages.target = "/v1/messages";
  HttpResponse response = Send(get_messages);
  ExpectAnthropicError(response, 405, "invalid_request_error");
  EXPECT_EQ(response.Header("allow"), "POST");

  HttpRequest delete_chat;
  delete_chat.method = "DELETE";
  delete_chat.target = "/v1/chat/completions";
  response = Send(delete_chat);
  ExpectOpenAIError(response, 405, "invalid_request_error");
  EXPECT_EQ(response.Header("allow"), "POST");

  response = Send(OpenAIPost("{}", "/v1/models"));
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.Header("allow"), "GET");
  ExpectStillServing();
}

TEST_F(BadInputTest, GarbageThatIsNotHttp) {
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port()));
  // A TLS ClientHello-like prefix, then noise.
  ASSERT_TRUE(connection.SendRaw(std::string("\x16\x03\x01\x02\x00\x01\x00", 7) +
                                 "\x01\xfc\x03\x03 not http at all\r\n\r\n"));
  std::string received;
  EXPECT_TRUE(connection.WaitForClose(std::chrono::seconds(5), &received))
      << "garbage must not keep the connection open";
  if (!received.empty()) {
    EXPECT_EQ(received.rfind("HTTP/1.1 400 ", 0), 0u) << received;
  }
  ExpectStillServing();
}

TEST_F(BadInputTest, ScriptedUnavailable) {
  for (const bool stream : {false, true}) {
    SCOPED_TRACE(stream ? "streaming" : "not streaming");
    HttpResponse response =
        Send(AnthropicPost(AnthropicBody("[[error:unavailable]]", stream)));
    ExpectAnthropicError(response, 529, "overloaded_error");
    EXPECT_EQ(response.Header("x-should-retry"), "true");
    response = Send(OpenAIPost(OpenAIBody("[[error:unavailable]]", stream)));
    ExpectOpenAIError(response, 503, "server_error");
  }
  ExpectStillServing();
}

TEST_F(BadInputTest, ScriptedResourceExhausted) {
  for (const bool stream : {false, true}) {
    SCOPED_TRACE(stream ? "streaming" : "not streaming");
    HttpResponse response = Send(
        AnthropicPost(AnthropicBody("[[error:resource_exhausted]]", stream)));
    ExpectAnthropicError(response, 429, "rate_limit_error");
    response =
        Send(OpenAIPost(OpenAIBody("[[error:resource_exhausted]]", stream)));
    Json error = ExpectOpenAIError(response, 429, "rate_limit_error");
    EXPECT_EQ(error["code"], "rate_limit_exceeded");
  }
  ExpectStillServing();
}

}  // namespace
}  // namespace duet::integration
