// Streaming behaviour on the wire: each event is flushed as it is produced,
// errors after the first event arrive in the stream in each API's shape, and
// a client that disconnects mid-stream cancels its answer without harm.
#include <csignal>
#include <string>
#include <thread>

#include "integration/integration_test.h"

namespace duet::integration {
namespace {

using std::chrono::milliseconds;

class StreamTest : public IntegrationTest {};

TEST_F(StreamTest, EachEventIsFlushedAsItIsProduced) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port()));
  // Five words 400 ms apart: the whole answer takes about three seconds.
  ASSERT_TRUE(connection.Send(
      AnthropicPost(AnthropicBody("[[words:5]] [[slow:400]]", true))));
  // Raw bytes, no HTTP parser: message_start must arrive long before the
  // answer is over.
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(1500);
  while (received.find("event: message_start") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    received += connection.ReadSomeRaw(milliseconds(100));
  }
  EXPECT_EQ(received.rfind("HTTP/1.1 200 ", 0), 0u) << received;
  EXPECT_NE(received.find("event: message_start"), std::string::npos)
      << received;
  EXPECT_EQ(received.find("event: message_stop"), std::string::npos)
      << "the stream was buffered instead of flushed per event";
}

TEST_F(StreamTest, AnthropicErrorAfterTheFirstEventIsAnErrorEvent) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const auto response =
      Fetch(port(), AnthropicPost(AnthropicBody("[[midstream-error]]", true)));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);  // the head had gone out already
  const std::vector<SseEvent> events = ParseSse(response->body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().event, "message_start");
  EXPECT_EQ(events.back().event, "error");
  const Json error = ParseJson(events.back().data);
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["error"]["type"], "overloaded_error");
  EXPECT_EQ(error["error"]["message"], "Overloaded");
  for (const SseEvent& event : events) {
    EXPECT_NE(event.event, "message_stop") << "an errored stream must not stop";
  }
}

TEST_F(StreamTest, OpenAIErrorAfterTheFirstChunkIsAnErrorChunkWithoutDone) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const auto response =
      Fetch(port(), OpenAIPost(OpenAIBody("[[midstream-error]]", true)));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  const std::vector<SseEvent> events = ParseSse(response->body);
  ASSERT_GE(events.size(), 2u);
  for (const SseEvent& event : events) {
    EXPECT_EQ(event.event, "") << "OpenAI streams carry no event: lines";
    EXPECT_NE(event.data, "[DONE]") << "an errored stream must not end in DONE";
  }
  const Json last = ParseJson(events.back().data);
  ASSERT_TRUE(last.contains("error")) << events.back().data;
  EXPECT_EQ(last["error"]["message"], "Overloaded");
}

TEST_F(StreamTest, ClientThatDisconnectsMidStreamCancelsItsAnswer) {
  // A long grace period: if the abandoned answer were still running,
  // shutting down would have to wait for it.
  ASSERT_NO_FATAL_FAILURE(StartServer(
      {"--log-level", "debug", "--set", "server.shutdown_grace_ms=30000"}));
  for (int round = 0; round < 3; ++round) {
    HttpConnection connection;
    ASSERT_TRUE(connection.Connect(port()));
    ASSERT_TRUE(connection.Send(AnthropicPost(
        AnthropicBody("[[words:1000]] [[slow:20]]", /*stream=*/true))));
    const auto head = connection.ReadResponseHead(milliseconds(5000));
    ASSERT_TRUE(head.has_value()) << connection.error();
    EXPECT_FALSE(connection.ReadSomeRaw(milliseconds(2000)).empty());
    connection.Close();  // mid-answer: about 20 seconds of words are left
  }
  ExpectStillServing();

  // The server notices each disconnect and cancels the answer.
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(5000);
  size_t noticed = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string log = server().Stderr();
    noticed = 0;
    for (size_t at = log.find("client went away"); at != std::string::npos;
         at = log.find("client went away", at + 1)) {
      ++noticed;
    }
    if (noticed >= 3) {
      break;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(noticed, 3u) << server().Stderr();

  // With nothing left in flight, SIGTERM ends the server at once instead of
  // waiting out the grace period for abandoned answers.
  const auto before = std::chrono::steady_clock::now();
  ASSERT_TRUE(server().SendSignal(SIGTERM));
  const auto code = server().WaitForExit(milliseconds(10'000));
  ASSERT_TRUE(code.has_value()) << "still running 10 s after SIGTERM";
  EXPECT_EQ(*code, 0) << server().Stderr();
  EXPECT_LT(std::chrono::steady_clock::now() - before, milliseconds(5000));
}

}  // namespace
}  // namespace duet::integration
