// AsioHttpClient's connection pool, against a ScriptedServer that counts
// connections and can drop one at a chosen moment: reuse, retry of a stale
// pooled connection, age and size limits, and pools per event loop.
#include "net/asio_http_client.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/no_secrets.h"
#include "net/recording_handler.h"
#include "net/test_servers.h"

namespace duet::net {
namespace {

using std::chrono::milliseconds;
using testing::ExpectNoSecrets;
using testing::kSecretApiKey;
using testing::RecordingHandler;
using testing::ScriptedServer;

class AsioHttpClientPoolTest : public ::testing::Test {
 protected:
  void MakeClient(AsioHttpClient::Options options = {}) {
    Result<std::unique_ptr<AsioHttpClient>> client =
        AsioHttpClient::Create(std::move(options));
    ASSERT_TRUE(client.has_value()) << client.error().message();
    client_ = std::move(*client);
  }

  std::shared_ptr<RecordingHandler> Call(const ScriptedServer& server,
                                         const std::string& target) {
    HttpRequest request;
    request.method = "GET";
    request.url = "http://127.0.0.1:" + std::to_string(server.port()) + target;
    request.headers = {{"x-api-key", kSecretApiKey}};
    auto handler = std::make_shared<RecordingHandler>();
    client_->Send(std::make_shared<const HttpRequest>(std::move(request)), {}, handler, nullptr);
    EXPECT_TRUE(handler->WaitDone()) << "the call did not complete";
    return handler;
  }

  void TearDown() override { client_.reset(); }

  std::unique_ptr<AsioHttpClient> client_;
};

TEST_F(AsioHttpClientPoolTest, SequentialCallsShareOneConnection) {
  ScriptedServer server(
      [](int, int) { return ScriptedServer::Action::kAnswer; });
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  for (int i = 1; i <= 3; ++i) {
    auto handler = Call(server, "/n" + std::to_string(i));
    ASSERT_TRUE(handler->status().ok()) << handler->status().ToString();
    EXPECT_EQ(handler->body(), "c1 r" + std::to_string(i));
  }
  EXPECT_EQ(server.accepted(), 1);
  const std::vector<testing::RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].target, "/n3");
  EXPECT_EQ(requests[2].host, "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(client_->IdleConnections(), 1u);
}

// With event loops given (as duet's server gives its own), a call made on
// a thread that runs one of them is served on that thread, and reuses only
// that loop's pooled connections: nothing hops between threads.
TEST_F(AsioHttpClientPoolTest, CallsStayOnTheCallersLoopAndReuseItsConnections) {
  ScriptedServer server(
      [](int, int) { return ScriptedServer::Action::kAnswer; });
  boost::asio::io_context first(1);
  boost::asio::io_context second(1);
  auto first_work = boost::asio::make_work_guard(first);
  auto second_work = boost::asio::make_work_guard(second);
  std::thread first_thread([&first] { first.run(); });
  std::thread second_thread([&second] { second.run(); });
  const std::thread::id first_id = first_thread.get_id();
  const std::thread::id second_id = second_thread.get_id();
  AsioHttpClient::Options options;
  options.io_contexts = {&first, &second};
  ASSERT_NO_FATAL_FAILURE(MakeClient(std::move(options)));

  // Sends from a handler running on `loop`; returns the body and the thread
  // that saw the head.
  const auto call_on = [&](boost::asio::io_context& loop, const std::string& target) {
    auto handler = std::make_shared<RecordingHandler>();
    auto head_thread = std::make_shared<std::thread::id>();
    handler->on_head = [head_thread](const HttpResponseHead&) {
      *head_thread = std::this_thread::get_id();
      return true;
    };
    boost::asio::post(loop, [&, handler] {
      HttpRequest request;
      request.method = "GET";
      request.url = "http://127.0.0.1:" + std::to_string(server.port()) + target;
      client_->Send(std::make_shared<const HttpRequest>(std::move(request)), {}, handler, nullptr);
    });
    EXPECT_TRUE(handler->WaitDone()) << "the call did not complete";
    EXPECT_TRUE(handler->status().ok()) << handler->status().ToString();
    return std::make_pair(handler->body(), *head_thread);
  };
  const auto [body_1, thread_1] = call_on(second, "/1");
  const auto [body_2, thread_2] = call_on(first, "/2");
  const auto [body_3, thread_3] = call_on(second, "/3");
  const auto [body_4, thread_4] = call_on(first, "/4");
  EXPECT_EQ(thread_1, second_id);
  EXPECT_EQ(thread_2, first_id);
  EXPECT_EQ(thread_3, second_id);
  EXPECT_EQ(thread_4, first_id);
  // One connection per loop, each reused by its own loop's next call.
  EXPECT_EQ(server.accepted(), 2);
  EXPECT_EQ(body_1, "c1 r1");
  EXPECT_EQ(body_2, "c2 r1");
  EXPECT_EQ(body_3, "c1 r2");
  EXPECT_EQ(body_4, "c2 r2");
  EXPECT_EQ(client_->IdleConnections(), 2u);

  client_.reset();
  first_work.reset();
  second_work.reset();
  first_thread.join();
  second_thread.join();
}

TEST_F(AsioHttpClientPoolTest, PooledConnectionClosedOnReuseIsRetriedOnce) {
  // The first connection answers once, then drops the next request unread
  // (a server closing an idle connection just as the request goes out).
  ScriptedServer server([](int connection, int request) {
    return connection == 1 && request == 2
               ? ScriptedServer::Action::kCloseWithoutAnswer
               : ScriptedServer::Action::kAnswer;
  });
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  auto first = Call(server, "/one");
  ASSERT_TRUE(first->status().ok()) << first->status().ToString();
  auto second = Call(server, "/two");
  ASSERT_TRUE(second->status().ok()) << second->status().ToString();
  EXPECT_EQ(second->body(), "c2 r1");
  EXPECT_EQ(second->head_calls(), 1);
  EXPECT_EQ(server.accepted(), 2);
  const std::vector<testing::RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].target, "/two");
  EXPECT_EQ(requests[2].target, "/two");
}

TEST_F(AsioHttpClientPoolTest, FreshConnectionClosedWithoutAnswerIsNotRetried) {
  ScriptedServer server(
      [](int, int) { return ScriptedServer::Action::kCloseWithoutAnswer; });
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  auto handler = Call(server, "/v1/secret-path-7f3a?token=query-secret-9c1e");
  EXPECT_EQ(handler->status().code(), ErrorCode::kUnavailable)
      << handler->status().ToString();
  EXPECT_FALSE(handler->head_received());
  ExpectNoSecrets(handler->status(), {"/v1/"});
  // A retry would have reached the server before the call completed.
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(client_->IdleConnections(), 0u);
}

TEST_F(AsioHttpClientPoolTest, ServerClosingAfterItsAnswerIsTransparent) {
  // Says keep-alive, then closes: the pooled connection is dead when taken
  // (or dies under the request); either way the next call succeeds.
  ScriptedServer server(
      [](int, int) { return ScriptedServer::Action::kAnswerThenClose; });
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  for (int i = 1; i <= 3; ++i) {
    auto handler = Call(server, "/n" + std::to_string(i));
    ASSERT_TRUE(handler->status().ok())
        << i << ": " << handler->status().ToString();
    EXPECT_EQ(handler->body(), "c" + std::to_string(i) + " r1");
  }
  EXPECT_EQ(server.accepted(), 3);
}

TEST_F(AsioHttpClientPoolTest, ConnectionPastMaxIdleAgeIsNotReused) {
  ScriptedServer server(
      [](int, int) { return ScriptedServer::Action::kAnswer; });
  AsioHttpClient::Options options;
  options.max_idle_age = milliseconds(1);
  ASSERT_NO_FATAL_FAILURE(MakeClient(options));
  ASSERT_TRUE(Call(server, "/a")->status().ok());
  std::this_thread::sleep_for(milliseconds(20));  // older than max_idle_age
  auto second = Call(server, "/b");
  ASSERT_TRUE(second->status().ok()) << second->status().ToString();
  EXPECT_EQ(second->body(), "c2 r1");
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(AsioHttpClientPoolTest, NoIdleConnectionsKeptWhenTheLimitIsZero) {
  ScriptedServer server(
      [](int, int) { return ScriptedServer::Action::kAnswer; });
  AsioHttpClient::Options options;
  options.max_idle_per_origin = 0;
  ASSERT_NO_FATAL_FAILURE(MakeClient(options));
  ASSERT_TRUE(Call(server, "/a")->status().ok());
  EXPECT_EQ(client_->IdleConnections(), 0u);
  ASSERT_TRUE(Call(server, "/b")->status().ok());
  EXPECT_EQ(server.accepted(), 2);
}

}  // namespace
}  // namespace duet::net
