// Shared pieces of duet's integration tests: a fixture that starts
// duet_scripted, request-body builders, and assertions for each API's error
// shape and SSE streams.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/http_client.h"
#include "integration/server_process.h"

namespace duet::integration {

using Json = nlohmann::json;

// Short limits, so timeout tests finish quickly; tests that need other
// values pass their own --set flags after these (later flags win).
std::vector<std::string> FastTimeoutFlags();

// Base fixture: StartServer() launches a server for this test; on failure
// TearDown prints the server's stderr.
class IntegrationTest : public ::testing::Test {
 protected:
  // Starts duet_scripted with `extra_args`; a failure is fatal to the test
  // (check with ASSERT_NO_FATAL_FAILURE or HasFatalFailure()).
  void StartServer(const std::vector<std::string>& extra_args = {});
  void TearDown() override;

  uint16_t port() const { return server_->port(); }
  ServerProcess& server() { return *server_; }

  // Sends a good Anthropic request on a new connection and expects a 200
  // with "You said: still there": proves the server is still serving.
  void ExpectStillServing();

  ServerProcess* server_ = nullptr;  // owned_server_ or a suite's server
  std::unique_ptr<ServerProcess> owned_server_;
};

// Fixture for suites whose tests do not depend on server state: one server
// (started with FastTimeoutFlags() plus Derived::ExtraFlags()) serves the
// whole suite. A server that failed to start or died fails every test.
template <typename Derived>
class SharedServerTest : public IntegrationTest {
 protected:
  static std::vector<std::string> ExtraFlags() { return {}; }

  static void SetUpTestSuite() {
    std::vector<std::string> args = FastTimeoutFlags();
    const std::vector<std::string> extra = Derived::ExtraFlags();
    args.insert(args.end(), extra.begin(), extra.end());
    shared_server_ = std::make_unique<ServerProcess>();
    shared_server_->Start(args);
  }
  static void TearDownTestSuite() { shared_server_.reset(); }

  void SetUp() override {
    ASSERT_NE(shared_server_, nullptr);
    ASSERT_NE(shared_server_->port(), 0) << shared_server_->error();
    ASSERT_FALSE(shared_server_->WaitForExit(std::chrono::milliseconds(0))
                     .has_value())
        << "the suite's server has exited";
    server_ = shared_server_.get();
  }

  static inline std::unique_ptr<ServerProcess> shared_server_;
};

// Parses `text` as JSON; a parse failure is a test failure and gives null.
Json ParseJson(std::string_view text);

// {"model","max_tokens":256,"messages":[{"role":"user","content":text}]}
// plus "stream":true when `stream`.
std::string AnthropicBody(std::string_view text, bool stream = false,
                          std::string_view model = "scripted-1");
// {"model","messages":[{"role":"user","content":text}]}, streaming with
// stream_options.include_usage when `stream`.
std::string OpenAIBody(std::string_view text, bool stream = false,
                       std::string_view model = "scripted-1");

// Expects `response` to be an Anthropic error: `status`, JSON content type,
// {"type":"error","error":{"type":error_type,"message":...},"request_id"}.
// Returns the error message.
std::string ExpectAnthropicError(const HttpResponse& response, int status,
                                 std::string_view error_type);
// Expects an OpenAI error {"error":{"message","type","param","code"}} with
// `status` and `error_type`. Returns the parsed "error" object.
Json ExpectOpenAIError(const HttpResponse& response, int status,
                       std::string_view error_type);

// The event names of an SSE body, in order.
std::vector<std::string> EventNames(const std::vector<SseEvent>& events);

// Expects a well-formed Anthropic SSE response: 200, text/event-stream,
// chunked, every event's data a JSON object whose "type" equals the event
// name. Returns the events.
std::vector<SseEvent> ExpectAnthropicStream(const HttpResponse& response);

// The text of every text_delta in an Anthropic stream, concatenated.
std::string AnthropicStreamText(const std::vector<SseEvent>& events);

// Expects a well-formed OpenAI SSE response: 200, text/event-stream, no
// `event:` lines, every data line JSON except a final "[DONE]" (when
// `expect_done`). Returns the parsed JSON chunks (without [DONE]).
std::vector<Json> ExpectOpenAIStream(const HttpResponse& response,
                                     bool expect_done = true);

// The content of every delta in OpenAI chunks, concatenated.
std::string OpenAIStreamText(const std::vector<Json>& chunks);

}  // namespace duet::integration
