// Graceful shutdown on SIGINT/SIGTERM: idle servers and idle connections go
// at once, answers in flight finish within the grace period, and answers that
// outlive it end with a proper error event rather than a cut connection.
#include <csignal>
#include <string>

#include "integration/integration_test.h"

namespace duet::integration {
namespace {

using std::chrono::milliseconds;

class ShutdownTest : public IntegrationTest {
 protected:
  // Sends `signal_number` and expects exit code 0 within `limit`.
  void ExpectCleanExitAfter(int signal_number, milliseconds limit) {
    ASSERT_TRUE(server().SendSignal(signal_number));
    const auto code = server().WaitForExit(limit);
    ASSERT_TRUE(code.has_value())
        << "still running " << limit.count() << " ms after the signal";
    EXPECT_EQ(*code, 0) << server().Stderr();
  }

  // Starts a streamed Anthropic answer on `connection` and waits for its
  // first bytes, so the answer is surely in flight.
  void StartStream(HttpConnection& connection, const std::string& text) {
    ASSERT_TRUE(connection.Connect(port()));
    ASSERT_TRUE(connection.Send(AnthropicPost(AnthropicBody(text, true))));
    const auto head = connection.ReadResponseHead(milliseconds(5000));
    ASSERT_TRUE(head.has_value()) << connection.error();
    ASSERT_EQ(head->status, 200);
  }
};

TEST_F(ShutdownTest, IdleServerExitsZeroOnSigterm) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ExpectCleanExitAfter(SIGTERM, milliseconds(5000));
}

TEST_F(ShutdownTest, IdleServerExitsZeroOnSigint) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ExpectCleanExitAfter(SIGINT, milliseconds(5000));
}

TEST_F(ShutdownTest, IdleKeptAliveConnectionDoesNotHoldShutdownBack) {
  ASSERT_NO_FATAL_FAILURE(
      StartServer({"--set", "server.shutdown_grace_ms=30000"}));
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port()));
  ASSERT_TRUE(connection.Send(AnthropicPost(AnthropicBody("hello"))));
  ASSERT_TRUE(connection.ReadResponse().has_value()) << connection.error();
  ExpectCleanExitAfter(SIGTERM, milliseconds(5000));
  EXPECT_TRUE(connection.WaitForClose(milliseconds(1000)));
}

TEST_F(ShutdownTest, StreamInFlightFinishesWithinTheGracePeriod) {
  ASSERT_NO_FATAL_FAILURE(
      StartServer({"--set", "server.shutdown_grace_ms=20000"}));
  HttpConnection connection;
  ASSERT_NO_FATAL_FAILURE(
      StartStream(connection, "[[words:8]] [[slow:100]]"));
  ASSERT_TRUE(server().SendSignal(SIGTERM));

  const auto response = connection.ReadResponse(milliseconds(10'000));
  ASSERT_TRUE(response.has_value()) << connection.error();
  const std::vector<SseEvent> events = ParseSse(response->body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().event, "message_stop");
  EXPECT_EQ(AnthropicStreamText(events), "w1 w2 w3 w4 w5 w6 w7 w8");

  const auto code = server().WaitForExit(milliseconds(5000));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << server().Stderr();
}

TEST_F(ShutdownTest, StreamOutlivingTheGracePeriodEndsWithAnErrorEvent) {
  ASSERT_NO_FATAL_FAILURE(
      StartServer({"--set", "server.shutdown_grace_ms=300"}));
  HttpConnection connection;
  // About 50 seconds of answer: far past the grace period.
  ASSERT_NO_FATAL_FAILURE(
      StartStream(connection, "[[words:500]] [[slow:100]]"));
  ASSERT_TRUE(server().SendSignal(SIGTERM));

  const auto response = connection.ReadResponse(milliseconds(10'000));
  ASSERT_TRUE(response.has_value()) << connection.error();
  const std::vector<SseEvent> events = ParseSse(response->body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().event, "error") << response->body;
  const Json error = ParseJson(events.back().data);
  EXPECT_EQ(error["error"]["type"], "overloaded_error");
  EXPECT_NE(error["error"].value("message", "").find("shutting down"),
            std::string::npos)
      << error;

  const auto code = server().WaitForExit(milliseconds(5000));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << server().Stderr();
}

TEST_F(ShutdownTest, NoNewConnectionsAfterTheSignal) {
  ASSERT_NO_FATAL_FAILURE(
      StartServer({"--set", "server.shutdown_grace_ms=20000"}));
  HttpConnection busy;
  ASSERT_NO_FATAL_FAILURE(StartStream(busy, "[[words:20]] [[slow:100]]"));
  ASSERT_TRUE(server().SendSignal(SIGTERM));
  // The listening socket closes at once, while the stream goes on.
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(2000);
  bool refused = false;
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    HttpConnection late;
    refused = !late.Connect(port());
  }
  EXPECT_TRUE(refused) << "new connections were still accepted";
  const auto response = busy.ReadResponse(milliseconds(10'000));
  ASSERT_TRUE(response.has_value()) << busy.error();
  EXPECT_EQ(ParseSse(response->body).back().event, "message_stop");
}

}  // namespace
}  // namespace duet::integration
