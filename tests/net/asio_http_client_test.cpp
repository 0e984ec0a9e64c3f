// AsioHttpClient over plain HTTP, against duet's own HttpServer (port 0,
// a handler each test scripts) and a ScriptedServer where a test needs to
// count connections or drop one at a chosen moment. The connection pool has
// its own file, asio_http_client_pool_test.cpp.
#include "net/asio_http_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/http/server.h"
#include "net/no_secrets.h"
#include "net/recording_handler.h"
#include "net/test_servers.h"

namespace duet::net {
namespace {

using api::http::Exchange;
using api::http::HttpServer;
using std::chrono::milliseconds;
using testing::kSecretApiKey;
using testing::RecordingHandler;
using testing::ScriptedServer;

// A path and query that no error message may repeat.
constexpr char kSecretTarget[] = "/v1/secret-path-7f3a?token=query-secret-9c1e";

// Not even the path's first segment.
void ExpectNoSecrets(const Status& status) { testing::ExpectNoSecrets(status, {"/v1/"}); }

bool AllLowerCase(const std::string& text) {
  return std::none_of(text.begin(), text.end(),
                      [](unsigned char c) { return std::isupper(c) != 0; });
}

// Waits for `condition`, checking every few milliseconds; false after 5 s.
bool Eventually(const std::function<bool()>& condition) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

class TestHandler final : public api::http::Handler {
 public:
  std::function<void(std::shared_ptr<Exchange>)> on_request;

  void Handle(std::shared_ptr<Exchange> exchange) override {
    on_request(std::move(exchange));
  }
  api::http::Response RejectedRequest(const api::http::Request&,
                                      const Status& status) override {
    api::http::Response response;
    response.status = 400;
    response.content_type = "text/plain";
    response.body = status.message();
    return response;
  }
};

class AsioHttpClientTest : public ::testing::Test {
 protected:
  void StartServer(milliseconds idle_timeout = milliseconds(60'000)) {
    HttpServer::Options options;
    options.port = 0;
    options.io_threads = 1;
    options.handle_signals = false;
    options.idle_timeout = idle_timeout;
    options.shutdown_grace = milliseconds(200);
    options.shutdown_cancel_wait = milliseconds(200);
    server_ = std::make_unique<HttpServer>(options, &handler_);
    Result<uint16_t> port = server_->Start();
    ASSERT_TRUE(port.has_value()) << port.error().message();
    port_ = *port;
  }

  void MakeClient(AsioHttpClient::Options options = {}) {
    Result<std::unique_ptr<AsioHttpClient>> client =
        AsioHttpClient::Create(std::move(options));
    ASSERT_TRUE(client.has_value()) << client.error().message();
    client_ = std::move(*client);
  }

  void TearDown() override {
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      threads.swap(threads_);
    }
    for (std::thread& thread : threads) {
      thread.join();
    }
    client_.reset();
    {
      std::lock_guard lock(mutex_);
      held_.clear();
    }
    if (server_) {
      server_->Shutdown();
      server_->Wait();
    }
  }

  std::string UrlFor(const std::string& target) const {
    return "http://127.0.0.1:" + std::to_string(port_) + target;
  }

  static HttpRequest Get(std::string url) {
    HttpRequest request;
    request.method = "GET";
    request.url = std::move(url);
    return request;
  }

  // A POST carrying the secrets error messages must not show.
  HttpRequest SecretPost() const {
    HttpRequest request;
    request.url = UrlFor(kSecretTarget);
    request.headers = {{"x-api-key", kSecretApiKey},
                       {"content-type", "application/json"}};
    request.body = R"({"model":"m"})";
    return request;
  }

  // Sends and returns the handler without waiting.
  std::shared_ptr<RecordingHandler> Start(
      HttpRequest request, HttpTimeouts timeouts = {},
      std::shared_ptr<const CancelFlag> cancel = nullptr,
      std::shared_ptr<RecordingHandler> handler = nullptr) {
    if (!handler) {
      handler = std::make_shared<RecordingHandler>();
    }
    client_->Send(std::make_shared<const HttpRequest>(std::move(request)), timeouts, handler,
                  std::move(cancel));
    return handler;
  }

  // Sends and waits for OnComplete (the test fails if it never comes).
  std::shared_ptr<RecordingHandler> Call(HttpRequest request,
                                         HttpTimeouts timeouts = {}) {
    std::shared_ptr<RecordingHandler> handler =
        Start(std::move(request), timeouts);
    EXPECT_TRUE(handler->WaitDone()) << "the call did not complete";
    return handler;
  }

  // Runs `work` on a thread of its own, joined at teardown.
  void Spawn(std::function<void()> work) {
    std::lock_guard lock(mutex_);
    threads_.emplace_back(std::move(work));
  }

  // Keeps `exchange` unanswered until teardown.
  void Hold(std::shared_ptr<Exchange> exchange) {
    std::lock_guard lock(mutex_);
    held_.push_back(std::move(exchange));
  }
  size_t HeldCount() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }

  // Starts a stream with one piece of body, then holds it open.
  void StreamOnePieceAndHold(std::shared_ptr<Exchange> exchange) {
    api::http::Response head;
    head.content_type = "text/event-stream";
    exchange->BeginStream(head);
    exchange->Stream("data: first\n\n");
    Hold(std::move(exchange));
  }

  TestHandler handler_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::unique_ptr<AsioHttpClient> client_;

  std::mutex mutex_;
  std::vector<std::thread> threads_;             // GUARDED_BY(mutex_)
  std::vector<std::shared_ptr<Exchange>> held_;  // GUARDED_BY(mutex_)
};

TEST_F(AsioHttpClientTest, PostBodyAndHeadersArrive) {
  std::mutex mutex;
  api::http::Request seen;
  handler_.on_request = [&](std::shared_ptr<Exchange> exchange) {
    {
      std::lock_guard lock(mutex);
      seen = exchange->request();
    }
    api::http::Response response;
    response.status = 201;
    response.body = R"({"ok":true})";
    exchange->Respond(std::move(response));
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());

  HttpRequest request;
  request.url = UrlFor("/v1/messages?beta=true");
  request.headers = {{"x-api-key", "sk-test"},
                     {"anthropic-version", "2023-06-01"},
                     {"Content-Type", "application/json"}};
  request.body = R"({"model":"claude","max_tokens":5})";
  auto handler = Call(request);

  ASSERT_TRUE(handler->status().ok()) << handler->status().ToString();
  EXPECT_TRUE(handler->head_received());
  EXPECT_EQ(handler->head().status, 201);
  EXPECT_EQ(handler->body(), R"({"ok":true})");
  EXPECT_EQ(handler->head_calls(), 1);
  EXPECT_EQ(handler->complete_calls(), 1);

  std::lock_guard lock(mutex);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/v1/messages");
  EXPECT_EQ(seen.query, "beta=true");
  EXPECT_EQ(seen.body, request.body);
  EXPECT_EQ(seen.Header("host"), "127.0.0.1:" + std::to_string(port_));
  EXPECT_EQ(seen.Header("x-api-key"), "sk-test");
  EXPECT_EQ(seen.Header("anthropic-version"), "2023-06-01");
  EXPECT_EQ(seen.Header("content-type"), "application/json");
  EXPECT_EQ(seen.Header("content-length"), std::to_string(request.body.size()));
}

TEST_F(AsioHttpClientTest, GetWithoutBodyAndEmptyAnswer) {
  std::mutex mutex;
  api::http::Request seen;
  handler_.on_request = [&](std::shared_ptr<Exchange> exchange) {
    {
      std::lock_guard lock(mutex);
      seen = exchange->request();
    }
    api::http::Response response;
    response.body = "";
    exchange->Respond(std::move(response));
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  auto handler = Call(Get(UrlFor("/v1/models")));
  ASSERT_TRUE(handler->status().ok()) << handler->status().ToString();
  EXPECT_EQ(handler->head().status, 200);
  EXPECT_EQ(handler->body(), "");
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.path, "/v1/models");
  EXPECT_EQ(seen.body, "");
}

TEST_F(AsioHttpClientTest, ResponseHeadHasLowerCaseNamesInOrder) {
  handler_.on_request = [](std::shared_ptr<Exchange> exchange) {
    api::http::Response response;
    response.status = 429;
    response.content_type = "application/json";
    response.headers = {{"Retry-After", "7"}, {"X-Request-ID", "req_ABC"}};
    response.body = R"({"error":"slow down"})";
    exchange->Respond(std::move(response));
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  auto handler = Call(Get(UrlFor("/limited")));

  // An error status is still a completed call: the caller reads the body.
  ASSERT_TRUE(handler->status().ok()) << handler->status().ToString();
  const HttpResponseHead head = handler->head();
  EXPECT_EQ(head.status, 429);
  EXPECT_EQ(head.Header("retry-after"), "7");
  EXPECT_EQ(head.Header("x-request-id"), "req_ABC");  // values keep their case
  EXPECT_EQ(head.Header("content-type"), "application/json");
  EXPECT_EQ(head.Header("Retry-After"), "");  // lookups are by lower-case name
  EXPECT_EQ(head.Header("absent"), "");
  for (const auto& [name, value] : head.headers) {
    EXPECT_TRUE(AllLowerCase(name)) << name;
  }
  auto position = [&](const std::string& name) {
    return std::find_if(
               head.headers.begin(), head.headers.end(),
               [&](const auto& header) { return header.first == name; }) -
           head.headers.begin();
  };
  EXPECT_LT(position("retry-after"), position("x-request-id"));
  EXPECT_EQ(handler->body(), R"({"error":"slow down"})");
}

TEST_F(AsioHttpClientTest, StreamedBodyArrivesPieceByPiece) {
  const std::vector<std::string> pieces = {"data: one\n\n", "data: two\n\n",
                                           "data: three\n\n"};
  auto handler = std::make_shared<RecordingHandler>();
  auto client_kept_up = std::make_shared<std::atomic<bool>>(true);
  handler_.on_request = [this, pieces, handler,
                         client_kept_up](std::shared_ptr<Exchange> exchange) {
    Spawn([pieces, handler, client_kept_up, exchange] {
      api::http::Response head;
      head.content_type = "text/event-stream";
      exchange->BeginStream(head);
      size_t sent = 0;
      for (const std::string& piece : pieces) {
        exchange->Stream(piece);
        sent += piece.size();
        // The next piece goes only once the client has seen this one: a
        // client that buffered the body would stall here.
        if (!handler->WaitForBody(sent, milliseconds(2000))) {
          *client_kept_up = false;
        }
      }
      exchange->EndStream();
    });
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  Start(Get(UrlFor("/stream")), {}, nullptr, handler);
  ASSERT_TRUE(handler->WaitDone(milliseconds(10'000)));

  ASSERT_TRUE(handler->status().ok()) << handler->status().ToString();
  EXPECT_TRUE(*client_kept_up) << "pieces reached OnBody only at the end";
  EXPECT_GE(handler->pieces().size(), pieces.size());
  EXPECT_EQ(handler->body(), pieces[0] + pieces[1] + pieces[2]);
  EXPECT_EQ(handler->head().Header("content-type"), "text/event-stream");
  EXPECT_EQ(handler->head().Header("transfer-encoding"), "chunked");
}

TEST_F(AsioHttpClientTest, SlowStreamLongerThanTheIdleTimeoutCompletes) {
  // Six pieces 100 ms apart: the whole body takes longer than the idle
  // timeout, but no single silence comes near it.
  handler_.on_request = [this](std::shared_ptr<Exchange> exchange) {
    Spawn([exchange] {
      api::http::Response head;
      head.content_type = "text/event-stream";
      exchange->BeginStream(head);
      for (int i = 0; i < 6; ++i) {
        std::this_thread::sleep_for(milliseconds(100));
        exchange->Stream("x");
      }
      exchange->EndStream();
    });
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  HttpTimeouts timeouts;
  timeouts.idle = milliseconds(450);
  auto handler = Call(Get(UrlFor("/slow")), timeouts);
  ASSERT_TRUE(handler->status().ok()) << handler->status().ToString();
  EXPECT_EQ(handler->body(), "xxxxxx");
}

TEST_F(AsioHttpClientTest, KeepAliveConnectionIsPooledAndReused) {
  handler_.on_request = [](std::shared_ptr<Exchange> exchange) {
    api::http::Response response;
    response.body = exchange->request().path;
    exchange->Respond(std::move(response));
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  EXPECT_EQ(client_->IdleConnections(), 0u);

  auto first = Call(Get(UrlFor("/first")));
  ASSERT_TRUE(first->status().ok()) << first->status().ToString();
  EXPECT_EQ(first->body(), "/first");
  EXPECT_EQ(client_->IdleConnections(), 1u);

  // While the second call runs, the pooled connection is out of the pool:
  // it was taken, not left idle beside a new one.
  auto second_handler = std::make_shared<RecordingHandler>();
  std::atomic<size_t> idle_during_call{99};
  second_handler->on_head = [&](const HttpResponseHead&) {
    idle_during_call = client_->IdleConnections();
    return true;
  };
  Start(Get(UrlFor("/second")), {}, nullptr, second_handler);
  ASSERT_TRUE(second_handler->WaitDone());
  ASSERT_TRUE(second_handler->status().ok())
      << second_handler->status().ToString();
  EXPECT_EQ(second_handler->body(), "/second");
  EXPECT_EQ(idle_during_call.load(), 0u);
  EXPECT_EQ(client_->IdleConnections(), 1u);
}

TEST_F(AsioHttpClientTest, StalePooledConnectionIsReplaced) {
  handler_.on_request = [](std::shared_ptr<Exchange> exchange) {
    api::http::Response response;
    response.body = "fine";
    exchange->Respond(std::move(response));
  };
  // The server closes a kept-alive connection after 100 ms without a request.
  ASSERT_NO_FATAL_FAILURE(StartServer(milliseconds(100)));
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  auto first = Call(Get(UrlFor("/a")));
  ASSERT_TRUE(first->status().ok()) << first->status().ToString();
  ASSERT_EQ(client_->IdleConnections(), 1u);

  // Let the server's idle timeout close the pooled connection. (Not a timing
  // assertion: the next call must succeed whether or not it was closed.)
  std::this_thread::sleep_for(milliseconds(500));
  auto second = Call(Get(UrlFor("/b")));
  ASSERT_TRUE(second->status().ok()) << second->status().ToString();
  EXPECT_EQ(second->body(), "fine");
  EXPECT_EQ(client_->IdleConnections(), 1u);
}

TEST_F(AsioHttpClientTest, ConnectionRefusedIsUnavailable) {
  uint16_t closed_port = 0;
  {
    ScriptedServer gone(
        [](int, int) { return ScriptedServer::Action::kAnswer; });
    closed_port = gone.port();
  }  // nothing listens there any more
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  port_ = closed_port;
  auto handler = Call(SecretPost());
  EXPECT_EQ(handler->status().code(), ErrorCode::kUnavailable)
      << handler->status().ToString();
  EXPECT_FALSE(handler->head_received());
  EXPECT_EQ(handler->head_calls(), 0);
  EXPECT_NE(handler->status().message().find("127.0.0.1:" +
                                             std::to_string(closed_port)),
            std::string::npos)
      << handler->status().message();
  ExpectNoSecrets(handler->status());
  EXPECT_EQ(client_->IdleConnections(), 0u);
}

TEST_F(AsioHttpClientTest, NoResponseHeadIsFirstByteTimeout) {
  handler_.on_request = [this](std::shared_ptr<Exchange> exchange) {
    Hold(std::move(exchange));  // never answers
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  HttpTimeouts timeouts;
  timeouts.first_byte = milliseconds(200);
  auto handler = Call(SecretPost(), timeouts);
  EXPECT_EQ(handler->status().code(), ErrorCode::kDeadlineExceeded)
      << handler->status().ToString();
  EXPECT_FALSE(handler->head_received());
  EXPECT_EQ(handler->head_calls(), 0);
  ExpectNoSecrets(handler->status());
  EXPECT_EQ(client_->IdleConnections(), 0u);
}

TEST_F(AsioHttpClientTest, SilenceMidBodyIsIdleTimeout) {
  handler_.on_request = [this](std::shared_ptr<Exchange> exchange) {
    StreamOnePieceAndHold(std::move(exchange));
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  HttpTimeouts timeouts;
  timeouts.idle = milliseconds(200);
  auto handler = Call(SecretPost(), timeouts);
  EXPECT_EQ(handler->status().code(), ErrorCode::kDeadlineExceeded)
      << handler->status().ToString();
  EXPECT_TRUE(handler->head_received());
  EXPECT_EQ(handler->head().status, 200);
  EXPECT_EQ(handler->body(), "data: first\n\n");
  ExpectNoSecrets(handler->status());
  EXPECT_EQ(client_->IdleConnections(), 0u);
}

TEST_F(AsioHttpClientTest, CancelFlagStopsAStreamQuickly) {
  handler_.on_request = [this](std::shared_ptr<Exchange> exchange) {
    StreamOnePieceAndHold(std::move(exchange));
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  auto cancel = std::make_shared<CancelFlag>();
  auto handler = Start(SecretPost(), {}, cancel);
  ASSERT_TRUE(handler->WaitForBody(1));
  const auto cancelled_at = std::chrono::steady_clock::now();
  cancel->Cancel();
  ASSERT_TRUE(handler->WaitDone());
  EXPECT_LT(handler->completed_at() - cancelled_at, milliseconds(1000));
  EXPECT_EQ(handler->status().code(), ErrorCode::kCancelled)
      << handler->status().ToString();
  EXPECT_TRUE(handler->head_received());
  EXPECT_EQ(handler->complete_calls(), 1);
  ExpectNoSecrets(handler->status());
  EXPECT_EQ(client_->IdleConnections(), 0u);
}

TEST_F(AsioHttpClientTest, CancelFlagStopsAWaitForTheHead) {
  handler_.on_request = [this](std::shared_ptr<Exchange> exchange) {
    Hold(std::move(exchange));
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  auto cancel = std::make_shared<CancelFlag>();
  auto handler = Start(SecretPost(), {}, cancel);
  ASSERT_TRUE(Eventually([&] { return HeldCount() == 1; }));
  const auto cancelled_at = std::chrono::steady_clock::now();
  cancel->Cancel();
  ASSERT_TRUE(handler->WaitDone());
  EXPECT_LT(handler->completed_at() - cancelled_at, milliseconds(1000));
  EXPECT_EQ(handler->status().code(), ErrorCode::kCancelled)
      << handler->status().ToString();
  EXPECT_FALSE(handler->head_received());
  ExpectNoSecrets(handler->status());
}

TEST_F(AsioHttpClientTest, FlagCancelledBeforeSendIsCancelled) {
  handler_.on_request = [this](std::shared_ptr<Exchange> exchange) {
    Hold(std::move(exchange));
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  auto cancel = std::make_shared<CancelFlag>();
  cancel->Cancel();
  auto handler = Start(Get(UrlFor("/x")), {}, cancel);
  ASSERT_TRUE(handler->WaitDone());
  EXPECT_EQ(handler->status().code(), ErrorCode::kCancelled)
      << handler->status().ToString();
  EXPECT_FALSE(handler->head_received());
}

TEST_F(AsioHttpClientTest, OnBodyReturningFalseCancels) {
  handler_.on_request = [this](std::shared_ptr<Exchange> exchange) {
    StreamOnePieceAndHold(std::move(exchange));
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  auto handler = std::make_shared<RecordingHandler>();
  handler->on_body = [](std::string_view) { return false; };
  Start(Get(UrlFor("/stream")), {}, nullptr, handler);
  ASSERT_TRUE(handler->WaitDone());
  EXPECT_EQ(handler->status().code(), ErrorCode::kCancelled)
      << handler->status().ToString();
  EXPECT_TRUE(handler->head_received());
  EXPECT_EQ(handler->pieces().size(), 1u);
  EXPECT_EQ(handler->complete_calls(), 1);
  // A connection abandoned mid-body cannot be reused.
  EXPECT_EQ(client_->IdleConnections(), 0u);
}

TEST_F(AsioHttpClientTest, OnHeadReturningFalseCancels) {
  handler_.on_request = [](std::shared_ptr<Exchange> exchange) {
    api::http::Response response;
    response.status = 500;
    response.body = "never read";
    exchange->Respond(std::move(response));
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  auto handler = std::make_shared<RecordingHandler>();
  handler->on_head = [](const HttpResponseHead&) { return false; };
  Start(Get(UrlFor("/x")), {}, nullptr, handler);
  ASSERT_TRUE(handler->WaitDone());
  EXPECT_EQ(handler->status().code(), ErrorCode::kCancelled)
      << handler->status().ToString();
  EXPECT_TRUE(handler->head_received());
  EXPECT_EQ(handler->head().status, 500);
  EXPECT_EQ(handler->pieces().size(), 0u);
  EXPECT_EQ(client_->IdleConnections(), 0u);
}

TEST_F(AsioHttpClientTest, BadUrlIsInvalidArgument) {
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  for (const std::string url :
       {"ftp://example.com/v1/secret-path-7f3a?token=query-secret-9c1e",
        "example.com/v1/secret-path-7f3a?token=query-secret-9c1e",
        "http://example.com:99999/v1/secret-path-7f3a?token=query-secret-9c1e",
        "http:///v1/secret-path-7f3a?token=query-secret-9c1e",
        "http://example.com/v1/secret-path-7f3a?token=query secret-9c1e"}) {
    SCOPED_TRACE(url);
    HttpRequest request;
    request.url = url;
    request.headers = {{"x-api-key", kSecretApiKey}};
    auto handler = Call(request);
    EXPECT_EQ(handler->status().code(), ErrorCode::kInvalidArgument)
        << handler->status().ToString();
    EXPECT_FALSE(handler->head_received());
    EXPECT_EQ(handler->complete_calls(), 1);
    ExpectNoSecrets(handler->status());
  }
}

TEST_F(AsioHttpClientTest, DestroyingTheClientCancelsCallsInFlight) {
  handler_.on_request = [this](std::shared_ptr<Exchange> exchange) {
    Hold(std::move(exchange));
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_NO_FATAL_FAILURE(MakeClient());
  auto handler = Start(Get(UrlFor("/held")));
  ASSERT_TRUE(Eventually([&] { return HeldCount() == 1; }));
  client_.reset();
  // The destructor returns only after the call has ended.
  EXPECT_EQ(handler->complete_calls(), 1);
  EXPECT_EQ(handler->status().code(), ErrorCode::kCancelled)
      << handler->status().ToString();
  EXPECT_FALSE(handler->head_received());
}

TEST_F(AsioHttpClientTest, UnreadableCaFileFailsCreate) {
  AsioHttpClient::Options options;
  options.ca_file = "/nonexistent/duet-test-ca.pem";
  Result<std::unique_ptr<AsioHttpClient>> client =
      AsioHttpClient::Create(std::move(options));
  ASSERT_FALSE(client.has_value());
  EXPECT_EQ(client.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace duet::net
