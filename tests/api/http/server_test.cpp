// HttpServer against handlers that misbehave or answer late: what the HTTP
// layer guarantees whatever the layers above it do.
#include "api/http/server.h"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/http_client.h"

namespace duet::api::http {
namespace {

using duet::integration::Fetch;
using duet::integration::HttpConnection;
using duet::integration::HttpRequest;
using std::chrono::milliseconds;

// A handler whose behaviour each test sets.
class TestHandler final : public Handler {
 public:
  std::function<void(std::shared_ptr<Exchange>)> on_request;

  void Handle(std::shared_ptr<Exchange> exchange) override {
    on_request(std::move(exchange));
  }
  Response RejectedRequest(const Request&, const Status& status) override {
    Response response;
    response.status = status.code() == ErrorCode::kInternal ? 500 : 400;
    response.content_type = "text/plain";
    response.body = status.message();
    return response;
  }
};

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer() {
    HttpServer::Options options;
    options.port = 0;
    options.io_threads = 2;
    options.handle_signals = false;
    options.shutdown_cancel_wait = milliseconds(500);
    server_ = std::make_unique<HttpServer>(options, &handler_);
    Result<uint16_t> port = server_->Start();
    ASSERT_TRUE(port.has_value()) << port.error().message();
    port_ = *port;
  }

  void TearDown() override {
    if (server_) {
      server_->Shutdown();
      server_->Wait();
    }
  }

  HttpRequest Get(const std::string& target) {
    HttpRequest request;
    request.target = target;
    return request;
  }

  TestHandler handler_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(HttpServerTest, AnswerFromAnotherThreadLaterArrives) {
  handler_.on_request = [](std::shared_ptr<Exchange> exchange) {
    std::thread([exchange] {
      std::this_thread::sleep_for(milliseconds(50));
      Response response;
      response.body = R"({"late":true})";
      exchange->Respond(std::move(response));
    }).detach();
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const auto response = Fetch(port_, Get("/x"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"late":true})");
  EXPECT_EQ(response->Header("server"), "duet");
}

// A stream begun by the handler on the loop's thread and continued from
// another before the handler returns (the router does this when it opens a
// held answer): asio's loop runs what another thread posts meanwhile
// before what its own thread posted, and the session must not.
TEST_F(HttpServerTest, StreamPartsSentFromTwoThreadsArriveInTheOrderSent) {
  handler_.on_request = [](std::shared_ptr<Exchange> exchange) {
    Response head;
    head.content_type = "text/plain";
    exchange->BeginStream(std::move(head));
    exchange->Stream("first ");
    std::thread([exchange] {
      exchange->Stream("second ");
      exchange->Stream("third");
      exchange->EndStream();
    }).join();
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  for (int i = 0; i < 3; ++i) {
    std::string error;
    const auto response = Fetch(port_, Get("/x"), &error);
    ASSERT_TRUE(response.has_value()) << error;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "first second third");
  }
}

// One event loop per I/O thread: connections are dealt out to the loops in
// turn, and every request of a connection is handled on its loop's thread.
TEST_F(HttpServerTest, EachConnectionStaysOnOneOfTheIoThreads) {
  std::mutex mutex;
  std::vector<std::thread::id> handled_on;  // guarded by mutex
  handler_.on_request = [&](std::shared_ptr<Exchange> exchange) {
    {
      std::lock_guard lock(mutex);
      handled_on.push_back(std::this_thread::get_id());
    }
    Response response;
    response.body = "{}";
    exchange->Respond(std::move(response));
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());  // 2 I/O threads
  HttpConnection first;
  HttpConnection second;
  ASSERT_TRUE(first.Connect(port_));
  ASSERT_TRUE(second.Connect(port_));
  for (int i = 0; i < 3; ++i) {
    for (HttpConnection* connection : {&first, &second}) {
      ASSERT_TRUE(connection->Send(Get("/x")));
      const auto response = connection->ReadResponse(milliseconds(5000));
      ASSERT_TRUE(response.has_value()) << connection->error();
      EXPECT_EQ(response->status, 200);
    }
  }
  std::lock_guard lock(mutex);
  ASSERT_EQ(handled_on.size(), 6u);
  // Requests alternate first, second, first, ...
  for (size_t i = 2; i < handled_on.size(); ++i) {
    EXPECT_EQ(handled_on[i], handled_on[i - 2]) << "request " << i;
  }
  EXPECT_NE(handled_on[0], handled_on[1]);
}

// An answer larger than the socket takes at once: the session writes what
// it can immediately and the rest as the client reads, and the connection
// then serves the next request.
TEST_F(HttpServerTest, AnswerLargerThanTheSocketTakesArrivesWholeToASlowReader) {
  std::string large(7 * 1024 * 1024, '\0');  // under the 8 MB buffering limit
  for (size_t i = 0; i < large.size(); ++i) {
    large[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
  }
  handler_.on_request = [&large](std::shared_ptr<Exchange> exchange) {
    Response response;
    response.content_type = "text/plain";
    response.body = exchange->request().path == "/large" ? large : "small";
    exchange->Respond(std::move(response));
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port_));
  ASSERT_TRUE(connection.Send(Get("/large")));
  std::this_thread::sleep_for(milliseconds(200));  // the socket fills meanwhile
  const auto response = connection.ReadResponse(milliseconds(10000));
  ASSERT_TRUE(response.has_value()) << connection.error();
  EXPECT_EQ(response->status, 200);
  ASSERT_EQ(response->body.size(), large.size());
  EXPECT_TRUE(response->body == large) << "the body arrived altered";
  EXPECT_TRUE(response->keep_alive);
  ASSERT_TRUE(connection.Send(Get("/next")));
  const auto next = connection.ReadResponse(milliseconds(5000));
  ASSERT_TRUE(next.has_value()) << connection.error();
  EXPECT_EQ(next->body, "small");
}

TEST_F(HttpServerTest, AbandonedExchangeGetsTheFallbackAndAClose) {
  handler_.on_request = [](std::shared_ptr<Exchange>) {
    // Dropped without an answer: a bug above the HTTP layer.
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port_));
  ASSERT_TRUE(connection.Send(Get("/x")));
  const auto response = connection.ReadResponse(milliseconds(5000));
  ASSERT_TRUE(response.has_value()) << connection.error();
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body, "the answer ended without a response");
  EXPECT_FALSE(response->keep_alive);
  EXPECT_TRUE(connection.WaitForClose(milliseconds(5000)));
}

TEST_F(HttpServerTest, AbandonedStreamIsClosedUnfinished) {
  handler_.on_request = [](std::shared_ptr<Exchange> exchange) {
    Response head;
    head.content_type = "text/event-stream";
    exchange->BeginStream(head);
    exchange->Stream("data: first\n\n");
    // ...and never EndStream.
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port_));
  ASSERT_TRUE(connection.Send(Get("/stream")));
  std::string received;
  EXPECT_TRUE(connection.WaitForClose(milliseconds(5000), &received));
  EXPECT_NE(received.find("data: first"), std::string::npos) << received;
  // No terminating chunk: the client can tell the stream was cut.
  EXPECT_EQ(received.find("\r\n0\r\n\r\n"), std::string::npos) << received;
}

TEST_F(HttpServerTest, AnswerAfterTheClientLeftIsIgnored) {
  std::mutex mutex;
  std::shared_ptr<Exchange> held;
  handler_.on_request = [&](std::shared_ptr<Exchange> exchange) {
    if (exchange->request().path == "/hold") {
      std::lock_guard lock(mutex);
      held = std::move(exchange);
      return;
    }
    exchange->Respond(Response{});
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  {
    HttpConnection connection;
    ASSERT_TRUE(connection.Connect(port_));
    ASSERT_TRUE(connection.Send(Get("/hold")));
    const auto deadline = std::chrono::steady_clock::now() + milliseconds(5000);
    while (std::chrono::steady_clock::now() < deadline) {
      std::lock_guard lock(mutex);
      if (held) {
        break;
      }
    }
  }  // the client goes away
  std::shared_ptr<Exchange> exchange;
  {
    std::lock_guard lock(mutex);
    exchange = std::move(held);
  }
  ASSERT_NE(exchange, nullptr);
  // The disconnect is noticed and reaches the cancel flag.
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(5000);
  while (!exchange->cancel_flag()->cancelled() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_TRUE(exchange->cancel_flag()->cancelled());
  Response late;
  late.body = "too late";
  exchange->Respond(std::move(late));
  exchange.reset();
  const auto response = Fetch(port_, Get("/next"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpServerTest, PortInUseIsAnErrorNotAnException) {
  handler_.on_request = [](std::shared_ptr<Exchange> exchange) {
    exchange->Respond(Response{});
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  HttpServer::Options options;
  options.port = port_;
  options.handle_signals = false;
  HttpServer second(options, &handler_);
  Result<uint16_t> port = second.Start();
  ASSERT_FALSE(port.has_value());
  EXPECT_EQ(port.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(port.error().message().find(std::to_string(port_)),
            std::string::npos)
      << port.error().message();
}

TEST_F(HttpServerTest, ShutdownWaitsForAnAnswerInFlight) {
  handler_.on_request = [](std::shared_ptr<Exchange> exchange) {
    std::thread([exchange] {
      std::this_thread::sleep_for(milliseconds(200));
      Response response;
      response.body = "finished";
      exchange->Respond(std::move(response));
    }).detach();
  };
  ASSERT_NO_FATAL_FAILURE(StartServer());
  HttpConnection connection;
  ASSERT_TRUE(connection.Connect(port_));
  ASSERT_TRUE(connection.Send(Get("/slow")));
  std::this_thread::sleep_for(milliseconds(50));  // the answer is in flight
  server_->Shutdown();
  const auto response = connection.ReadResponse(milliseconds(5000));
  ASSERT_TRUE(response.has_value()) << connection.error();
  EXPECT_EQ(response->body, "finished");
  EXPECT_FALSE(response->keep_alive);  // shutting down: no more requests
  server_->Wait();
}

}  // namespace
}  // namespace duet::api::http
