// AnthropicBackend against a scripted HttpClient: what goes upstream, how
// answers become events, and when it retries, gives up or stops trying.
#include "backend/anthropic/anthropic_backend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "support/collecting_sink.h"
#include "support/fake_clock.h"
#include "support/scripted_http_client.h"

namespace duet::anthropic {
namespace {

using testing::CollectingSink;
using testing::FakeClock;
using testing::Reply;
using testing::ScriptedHttpClient;

constexpr char kKey[] = "sk-ant-unit-test-key";

const std::string kStream =
    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_up\",\"model\":\"claude-haiku-4-5\",\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n"
    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":7}}\n\n"
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

using testing::Answer;
using testing::ConnectFailure;

Reply Ok() { return Answer(200, {}, {kStream.substr(0, 150), kStream.substr(150)}); }

Reply Failing(int status, net::HeaderList headers = {}) {
  return Answer(status, std::move(headers),
                {R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"});
}

class AnthropicBackendTest : public ::testing::Test {
 protected:
  std::unique_ptr<AnthropicBackend> Make(int max_retries = 2,
                                         std::chrono::milliseconds budget =
                                             std::chrono::seconds(5)) {
    AnthropicBackend::Options options;
    options.base_url = "https://claude.test/";
    options.api_key = kKey;
    options.max_retries = max_retries;
    options.retry_budget = budget;
    options.breaker.failure_threshold = 2;
    return std::make_unique<AnthropicBackend>(std::move(options), &client_, &clock_);
  }

  std::shared_ptr<CollectingSink> Run(AnthropicBackend& backend, ChatRequest request) {
    auto sink = std::make_shared<CollectingSink>();
    backend.Generate(std::move(request), sink, std::make_shared<CancelFlag>());
    EXPECT_TRUE(sink->WaitForTerminal(std::chrono::seconds(10)));
    EXPECT_EQ(sink->terminal_count(), 1);
    return sink;
  }

  static ChatRequest Hello(std::string model = "claude-haiku-4-5") {
    ChatRequest request;
    request.model = std::move(model);
    request.max_tokens = 50;
    request.messages.push_back({Role::kUser, {ContentBlock::Text("Hello")}});
    return request;
  }

  ScriptedHttpClient client_;
  FakeClock clock_;
};

TEST_F(AnthropicBackendTest, SendsAStreamingRequestWithTheKeyInItsHeaderOnly) {
  auto backend = Make();
  client_.Push(Ok());
  ChatRequest request = Hello();
  request.anthropic_betas = {"beta-a", "beta-b"};
  Run(*backend, request);
  const auto requests = client_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const net::HttpRequest& sent = requests[0];
  EXPECT_EQ(sent.url, "https://claude.test/v1/messages");
  auto header = [&](std::string_view name) {
    for (const auto& [key, value] : sent.headers) {
      if (key == name) return value;
    }
    return std::string();
  };
  EXPECT_EQ(header("x-api-key"), kKey);
  EXPECT_EQ(header("anthropic-version"), "2023-06-01");
  EXPECT_EQ(header("anthropic-beta"), "beta-a,beta-b");
  EXPECT_NE(sent.body.find("\"stream\":true"), std::string::npos);
  EXPECT_EQ(sent.body.find(kKey), std::string::npos);
}

TEST_F(AnthropicBackendTest, ReEmitsUpstreamEventsWithUpstreamUsage) {
  auto backend = Make();
  client_.Push(Ok());
  auto sink = Run(*backend, Hello());
  const auto events = sink->events();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0].message_id, "msg_up");
  EXPECT_EQ(events[0].usage.input_tokens, 12);
  EXPECT_EQ(events[2].delta, "Hi");
  EXPECT_EQ(events[4].usage.output_tokens, 7);
  EXPECT_EQ(events[5].kind, ChatEvent::Kind::kMessageStop);
}

TEST_F(AnthropicBackendTest, RetriesOverloadedAndRateLimitedThenSucceeds) {
  auto backend = Make();
  client_.Push(Failing(529, {{"retry-after-ms", "1"}}));
  client_.Push(Failing(429, {{"retry-after", "0.001"}}));
  client_.Push(Ok());
  auto sink = Run(*backend, Hello());
  EXPECT_EQ(client_.requests().size(), 3u);
  EXPECT_EQ(sink->events().back().kind, ChatEvent::Kind::kMessageStop);
}

TEST_F(AnthropicBackendTest, GivesUpAfterMaxRetriesWithTheUpstreamError) {
  auto backend = Make(/*max_retries=*/1);
  client_.Push(Failing(529, {{"retry-after-ms", "1"}}));
  client_.Push(Failing(529, {{"retry-after-ms", "1"}}));
  client_.Push(Ok());
  auto sink = Run(*backend, Hello());
  EXPECT_EQ(client_.requests().size(), 2u);
  const auto events = sink->events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].error, Status(ErrorCode::kUnavailable, "Overloaded"));
}

TEST_F(AnthropicBackendTest, ARetryAfterBeyondTheBudgetIsNotWaitedFor) {
  auto backend = Make(2, std::chrono::milliseconds(500));
  client_.Push(Failing(429, {{"retry-after", "30"}}));
  client_.Push(Ok());
  auto sink = Run(*backend, Hello());
  EXPECT_EQ(client_.requests().size(), 1u);
  EXPECT_EQ(sink->events()[0].error.code(), ErrorCode::kUnavailable);
}

// retry-after-ms wins over retry-after: 30 s in milliseconds is beyond the
// budget even where retry-after alone would be waited for.
TEST_F(AnthropicBackendTest, ARetryAfterMsBeyondTheBudgetIsNotWaitedFor) {
  auto backend = Make(2, std::chrono::milliseconds(500));
  client_.Push(Failing(429, {{"retry-after-ms", "30000"}, {"retry-after", "0.001"}}));
  client_.Push(Ok());
  auto sink = Run(*backend, Hello());
  EXPECT_EQ(client_.requests().size(), 1u);
  EXPECT_EQ(sink->events()[0].error.code(), ErrorCode::kUnavailable);
}

TEST_F(AnthropicBackendTest, XShouldRetryOverridesTheStatus) {
  auto backend = Make();
  client_.Push(Failing(529, {{"x-should-retry", "false"}}));
  client_.Push(Failing(400, {{"x-should-retry", "true"}, {"retry-after-ms", "1"}}));
  client_.Push(Ok());
  Run(*backend, Hello());
  EXPECT_EQ(client_.requests().size(), 1u);
  Run(*backend, Hello());
  EXPECT_EQ(client_.requests().size(), 3u);
}

TEST_F(AnthropicBackendTest, RequestErrorsAreNotRetried) {
  auto backend = Make();
  client_.Push(Answer(400, {}, {R"({"type":"error","error":{"type":"invalid_request_error","message":"messages: bad"}})"}));
  auto sink = Run(*backend, Hello());
  EXPECT_EQ(client_.requests().size(), 1u);
  EXPECT_EQ(sink->events()[0].error,
            Status(ErrorCode::kInvalidArgument, "messages: bad"));
}

TEST_F(AnthropicBackendTest, AFailureAfterTheFirstEventEndsTheStreamWithoutRetry) {
  auto backend = Make();
  client_.Push(Answer(200, {}, {kStream.substr(0, 400)}));  // cut
  client_.Push(Ok());
  auto sink = Run(*backend, Hello());
  EXPECT_EQ(client_.requests().size(), 1u);
  const auto events = sink->events();
  EXPECT_EQ(events.front().kind, ChatEvent::Kind::kMessageStart);
  EXPECT_EQ(events.back().kind, ChatEvent::Kind::kError);
  EXPECT_EQ(events.back().error.code(), ErrorCode::kUnavailable);
}

TEST_F(AnthropicBackendTest, AnUpstreamThatSendsBlocksOutOfOrderFailsAsUnavailable) {
  // The text block's content_block_start is missing: a broken upstream, so
  // the answer ends with kUnavailable (a fallback before the first byte),
  // and what went before it is a well-formed start of an answer.
  std::string broken = kStream;
  const size_t start = broken.find("event: content_block_start");
  broken.erase(start, broken.find("event: content_block_delta") - start);
  auto backend = Make(/*max_retries=*/0);
  client_.Push(Answer(200, {}, {broken}));
  auto sink = Run(*backend, Hello());
  const auto events = sink->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, ChatEvent::Kind::kMessageStart);
  EXPECT_EQ(events[1].error.code(), ErrorCode::kUnavailable);
  EXPECT_NE(events[1].error.message().find(
                "upstream stream: content_block_delta for a block that is not "
                "open (index 0)"),
            std::string::npos)
      << events[1].error.ToString();
}

TEST_F(AnthropicBackendTest, ConnectionFailuresOpenTheBreakerAndItFailsFast) {
  auto backend = Make(/*max_retries=*/0);
  client_.Push(ConnectFailure("could not connect"));
  client_.Push(ConnectFailure("could not connect"));
  Run(*backend, Hello());
  Run(*backend, Hello());
  EXPECT_EQ(backend->BreakerState(), CircuitBreaker::State::kOpen);
  auto sink = Run(*backend, Hello());
  EXPECT_EQ(client_.requests().size(), 2u);  // the third never went out
  EXPECT_EQ(sink->events()[0].error.code(), ErrorCode::kUnavailable);
  clock_.Advance(std::chrono::seconds(30));
  client_.Push(Ok());
  sink = Run(*backend, Hello());  // the probe
  EXPECT_EQ(sink->events().back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(backend->BreakerState(), CircuitBreaker::State::kClosed);
}

TEST_F(AnthropicBackendTest, ARetryAfterIsRespectedByLaterRequests) {
  auto backend = Make(/*max_retries=*/0);
  client_.Push(Failing(429, {{"retry-after", "20"}}));
  Run(*backend, Hello());
  auto sink = Run(*backend, Hello());  // within the 20 s: not sent
  EXPECT_EQ(client_.requests().size(), 1u);
  EXPECT_EQ(sink->events()[0].error,
            Status(ErrorCode::kResourceExhausted,
                   "Claude asked to wait 20 s before the next request"));
  clock_.Advance(std::chrono::seconds(20));
  client_.Push(Ok());
  sink = Run(*backend, Hello());
  EXPECT_EQ(client_.requests().size(), 2u);
  EXPECT_EQ(sink->events().back().kind, ChatEvent::Kind::kMessageStop);
}

TEST_F(AnthropicBackendTest, UnknownModelsAndAliases) {
  auto backend = Make();
  EXPECT_TRUE(backend->Serves("claude-haiku-4-5-20251001"));
  EXPECT_FALSE(backend->Serves("gpt-4o"));
  auto sink = Run(*backend, Hello("gpt-4o"));
  EXPECT_EQ(sink->events()[0].error, NotFound("model: gpt-4o"));
  EXPECT_TRUE(client_.requests().empty());
}

TEST_F(AnthropicBackendTest, RetiredModelsAreRefusedUnsentAndUnlisted) {
  auto backend = Make();
  // Served, so the request reaches this backend and the refusal says why.
  EXPECT_TRUE(backend->Serves("claude-3-opus-20240229"));
  const Status retired =
      NotFound("model: claude-3-opus-20240229: retired; duet does not send requests to it");
  auto sink = Run(*backend, Hello("claude-3-opus-20240229"));
  EXPECT_EQ(sink->events()[0].error, retired);
  // An alias is named as the client wrote it.
  sink = Run(*backend, Hello("claude-3-5-haiku-latest"));
  EXPECT_EQ(sink->events()[0].error,
            NotFound("model: claude-3-5-haiku-latest: retired; duet does not send "
                     "requests to it"));
  EXPECT_TRUE(client_.requests().empty());
  Result<int64_t> count = backend->CountTokens(Hello("claude-3-opus-20240229"));
  ASSERT_FALSE(count);
  EXPECT_EQ(count.error(), retired);

  std::vector<std::string> listed;
  for (const ModelInfo& info : backend->ListModels()) {
    listed.push_back(info.id);
  }
  EXPECT_NE(std::find(listed.begin(), listed.end(), "claude-haiku-4-5"), listed.end());
  for (const char* id : {"claude-3-5-haiku-20241022", "claude-3-5-sonnet-20241022",
                         "claude-3-opus-20240229"}) {
    EXPECT_EQ(std::find(listed.begin(), listed.end(), id), listed.end()) << id;
  }
}

TEST_F(AnthropicBackendTest, NoErrorOrEventCarriesTheKey) {
  auto backend = Make(0);
  client_.Push(ConnectFailure("could not connect"));
  client_.Push(Failing(500));
  for (int i = 0; i < 2; ++i) {
    auto sink = Run(*backend, Hello());
    for (const ChatEvent& event : sink->events()) {
      EXPECT_EQ(event.error.message().find(kKey), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace duet::anthropic
