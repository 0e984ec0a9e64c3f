// Connection handling: keep-alive, pipelining, HTTP/1.0, Expect:
// 100-continue, slow and idle clients, and many clients at once.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "integration/integration_test.h"

namespace duet::integration {
namespace {

using std::chrono::milliseconds;

constexpr int kShortTimeoutMs = 300;

class ConnectionTest : public SharedServerTest<ConnectionTest> {};

TEST_F(ConnectionTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port())) << connection.error();
  HttpRequest models;
  models.target = "/v1/models";
  const std::vector<HttpRequest> requests = {
      AnthropicPost(AnthropicBody("one")),
      AnthropicPost(AnthropicBody("two", /*stream=*/true)),
      OpenAIPost(OpenAIBody("three")),
      OpenAIPost(OpenAIBody("four", /*stream=*/true)),
      models,
  };
  for (const HttpRequest& request : requests) {
    SCOPED_TRACE(request.target + " " + request.body);
    ASSERT_TRUE(connection.Send(request)) << connection.error();
    const auto response = connection.ReadResponse();
    ASSERT_TRUE(response.has_value()) << connection.error();
    EXPECT_EQ(response->status, 200) << response->body;
    EXPECT_TRUE(response->keep_alive);
  }
}

TEST_F(ConnectionTest, PipelinedRequestsAreAnsweredInOrder) {
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port())) << connection.error();
  ASSERT_TRUE(connection.SendRaw(
      FormatRequest(AnthropicPost(AnthropicBody("first", /*stream=*/true))) +
      FormatRequest(AnthropicPost(AnthropicBody("second"))) +
      FormatRequest(OpenAIPost(OpenAIBody("third")))));

  const auto first = connection.ReadResponse();
  ASSERT_TRUE(first.has_value()) << connection.error();
  EXPECT_EQ(AnthropicStreamText(ExpectAnthropicStream(*first)),
            "You said: first");
  const auto second = connection.ReadResponse();
  ASSERT_TRUE(second.has_value()) << connection.error();
  EXPECT_EQ(ParseJson(second->body)["content"][0]["text"], "You said: second");
  const auto third = connection.ReadResponse();
  ASSERT_TRUE(third.has_value()) << connection.error();
  EXPECT_EQ(ParseJson(third->body)["choices"][0]["message"]["content"],
            "You said: third");
}

TEST_F(ConnectionTest, ConnectionCloseIsHonoured) {
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port())) << connection.error();
  HttpRequest request = AnthropicPost(AnthropicBody("bye"));
  request.headers.emplace_back("Connection", "close");
  ASSERT_TRUE(connection.Send(request));
  const auto response = connection.ReadResponse();
  ASSERT_TRUE(response.has_value()) << connection.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_FALSE(response->keep_alive);
  EXPECT_TRUE(connection.WaitForClose(std::chrono::seconds(5)));
}

TEST_F(ConnectionTest, Http10GetsALengthFramedAnswerAndAClose) {
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port())) << connection.error();
  HttpRequest request = AnthropicPost(AnthropicBody("old client"));
  request.version = 10;
  ASSERT_TRUE(connection.Send(request));
  const auto response = connection.ReadResponse();
  ASSERT_TRUE(response.has_value()) << connection.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_FALSE(response->chunked);
  EXPECT_TRUE(response->HasHeader("content-length"));
  EXPECT_EQ(ParseJson(response->body)["content"][0]["text"],
            "You said: old client");
  EXPECT_TRUE(connection.WaitForClose(std::chrono::seconds(5)));
}

TEST_F(ConnectionTest, Http10StreamIsDelimitedByTheClose) {
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port())) << connection.error();
  HttpRequest request = AnthropicPost(AnthropicBody("old stream", true));
  request.version = 10;
  ASSERT_TRUE(connection.Send(request));
  const auto response = connection.ReadResponse();
  ASSERT_TRUE(response.has_value()) << connection.error();
  EXPECT_EQ(response->status, 200);
  // HTTP/1.0 has no chunked encoding: the body runs until the close.
  EXPECT_FALSE(response->chunked);
  EXPECT_FALSE(response->HasHeader("content-length"));
  EXPECT_EQ(response->Header("content-type").rfind("text/event-stream", 0), 0u);
  EXPECT_EQ(AnthropicStreamText(ParseSse(response->body)),
            "You said: old stream");
}

TEST_F(ConnectionTest, ExpectContinueGetsTheGoAhead) {
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port())) << connection.error();
  const std::string body = AnthropicBody("after continue");
  ASSERT_TRUE(connection.SendRaw(
      "POST /v1/messages HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nExpect: 100-continue\r\n"
      "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  // The client waits for the interim answer before it sends the body.
  const std::string interim = connection.ReadSomeRaw(milliseconds(5000));
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << interim;
  ASSERT_TRUE(connection.SendRaw(body));
  const auto response = connection.ReadResponse();
  ASSERT_TRUE(response.has_value()) << connection.error();
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(ParseJson(response->body)["content"][0]["text"],
            "You said: after continue");
}

TEST_F(ConnectionTest, ManyClientsAtOnceAllGetTheirOwnAnswers) {
  constexpr int kClients = 16;
  constexpr int kRequestsEach = 8;
  std::atomic<int> good{0};
  std::vector<std::string> failures(kClients);
  std::vector<std::thread> clients;
  const uint16_t server_port = port();
  for (int client = 0; client < kClients; ++client) {
    clients.emplace_back([&, client] {
      HttpConnection connection;
      if (!connection.Connect(server_port)) {
        failures[client] = connection.error();
        return;
      }
      for (int i = 0; i < kRequestsEach; ++i) {
        const std::string text =
            "client " + std::to_string(client) + " request " +
            std::to_string(i);
        const bool stream = (i % 2) == 1;
        const bool anthropic = (client % 2) == 0;
        connection.Send(anthropic
                            ? AnthropicPost(AnthropicBody(text, stream))
                            : OpenAIPost(OpenAIBody(text, stream)));
        const auto response = connection.ReadResponse();
        if (!response.has_value() || response->status != 200) {
          failures[client] = response ? response->body : connection.error();
          return;
        }
        // gtest assertions are thread-safe here (pthreads).
        std::string answer;
        if (stream) {
          answer = anthropic
                       ? AnthropicStreamText(ExpectAnthropicStream(*response))
                       : OpenAIStreamText(ExpectOpenAIStream(*response));
        } else {
          const Json body = ParseJson(response->body);
          answer = anthropic ? body["content"][0].value("text", "")
                             : body["choices"][0]["message"].value("content",
                                                                   "");
        }
        if (answer != "You said: " + text) {
          failures[client] = "wrong answer: " + answer;
          return;
        }
        ++good;
      }
    });
  }
  for (std::thread& thread : clients) {
    thread.join();
  }
  for (int client = 0; client < kClients; ++client) {
    EXPECT_EQ(failures[client], "") << "client " << client;
  }
  EXPECT_EQ(good.load(), kClients * kRequestsEach);
}

// Slow and idle clients get dedicated servers with short deadlines.
class SlowClientTest : public IntegrationTest {
 protected:
  void SetUp() override {
    const std::string ms = std::to_string(kShortTimeoutMs);
    StartServer({"--set", "server.header_timeout_ms=" + ms, "--set",
                 "server.body_timeout_ms=" + ms, "--set",
                 "server.idle_timeout_ms=" + ms});
  }
};

TEST_F(SlowClientTest, SilentConnectionIsClosedAfterTheHeaderTimeout) {
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port()));
  std::string received;
  EXPECT_TRUE(connection.WaitForClose(std::chrono::seconds(5), &received));
  EXPECT_EQ(received, "");
  ExpectStillServing();
}

TEST_F(SlowClientTest, HeaderThatNeverEndsIsClosed) {
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port()));
  ASSERT_TRUE(connection.SendRaw("POST /v1/messages HTTP/1.1\r\nHost: x\r\n"));
  // Trickle a header line more often than the timeout: the deadline covers
  // the whole header, so trickling does not keep the connection open.
  bool closed = false;
  for (int i = 0; i < 20 && !closed; ++i) {
    connection.SendRaw("X-Trickle-" + std::to_string(i) + ": 1\r\n");
    closed = connection.WaitForClose(milliseconds(kShortTimeoutMs / 3));
  }
  EXPECT_TRUE(closed) << "a trickled header kept the connection open";
  ExpectStillServing();
}

TEST_F(SlowClientTest, BodyThatStopsHalfwayIsClosed) {
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port()));
  ASSERT_TRUE(connection.SendRaw(
      "POST /v1/messages HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
      "{\"model\":"));
  std::string received;
  EXPECT_TRUE(connection.WaitForClose(std::chrono::seconds(5), &received));
  EXPECT_EQ(received, "") << "a half-sent request must not be answered";
  ExpectStillServing();
}

TEST_F(SlowClientTest, KeptAliveConnectionIsClosedAfterTheIdleTimeout) {
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port()));
  ASSERT_TRUE(connection.Send(AnthropicPost(AnthropicBody("once"))));
  const auto response = connection.ReadResponse();
  ASSERT_TRUE(response.has_value()) << connection.error();
  EXPECT_TRUE(response->keep_alive);
  EXPECT_TRUE(connection.WaitForClose(std::chrono::seconds(5)));
}

TEST_F(SlowClientTest, AnswerLongerThanTheTimeoutsIsNotCut) {
  // 10 events 100 ms apart: the stream outlives every read timeout, which
  // must not apply while the server is the one talking.
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port()));
  ASSERT_TRUE(connection.Send(
      AnthropicPost(AnthropicBody("[[words:6]] [[slow:100]]", true))));
  const auto response = connection.ReadResponse(milliseconds(10'000));
  ASSERT_TRUE(response.has_value()) << connection.error();
  EXPECT_EQ(AnthropicStreamText(ExpectAnthropicStream(*response)),
            "w1 w2 w3 w4 w5 w6");
}

}  // namespace
}  // namespace duet::integration
