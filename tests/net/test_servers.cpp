#include "net/test_servers.h"

#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string_view>
#include <utility>

namespace duet::net::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

RecordedRequest ToRecord(const bhttp::request<bhttp::string_body>& request) {
  RecordedRequest record;
  record.method = std::string(request.method_string());
  record.target = std::string(request.target());
  record.host = std::string(request[bhttp::field::host]);
  record.proxy_authorization =
      std::string(request[bhttp::field::proxy_authorization]);
  record.body = request.body();
  return record;
}

// Copies bytes from `from` to `to` until either side fails, then closes both
// (which also ends the pump running the other way).
asio::awaitable<void> Pump(std::shared_ptr<tcp::socket> from,
                           std::shared_ptr<tcp::socket> to) {
  std::array<char, 8192> data;
  for (;;) {
    auto [read_error, got] =
        co_await from->async_read_some(asio::buffer(data), kTuple);
    if (read_error) {
      break;
    }
    auto [write_error, written] =
        co_await asio::async_write(*to, asio::buffer(data.data(), got), kTuple);
    if (write_error) {
      break;
    }
  }
  boost::system::error_code ignored;
  from->close(ignored);
  to->close(ignored);
}

}  // namespace

TempDir::TempDir() {
  std::random_device random;
  const std::filesystem::path base = std::filesystem::temp_directory_path();
  for (;;) {
    std::filesystem::path candidate =
        base / ("duet-net-test-" + std::to_string(::getpid()) + "-" +
                std::to_string(random()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate.string();
      return;
    }
  }
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

bool HaveOpensslCommand() {
  return std::system("openssl version > /dev/null 2>&1") == 0;
}

CertificateFiles MakeSelfSignedCertificate(
    const std::string& dir, const std::string& stem,
    const std::string& common_name, const std::string& subject_alt_name) {
  CertificateFiles files{dir + "/" + stem + ".pem", dir + "/" + stem + ".key"};
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -days 2 -subj '/CN=" +
      common_name + "' -addext 'subjectAltName=" + subject_alt_name +
      "' -keyout '" + files.key + "' -out '" + files.cert + "' > '" + dir +
      "/" + stem + ".log' 2>&1";
  if (std::system(command.c_str()) != 0 ||
      !std::filesystem::exists(files.cert) ||
      !std::filesystem::exists(files.key)) {
    return {};
  }
  return files;
}

TestServer::TestServer()
    : io_(std::make_unique<asio::io_context>(1)),
      acceptor_(std::make_unique<tcp::acceptor>(*io_)) {}

TestServer::~TestServer() { Stop(); }

void TestServer::Start() {
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  acceptor_->open(endpoint.protocol());
  acceptor_->bind(endpoint);
  acceptor_->listen();
  port_ = acceptor_->local_endpoint().port();
  asio::co_spawn(*io_, Accept(), asio::detached);
  thread_ = std::thread([this] { io_->run(); });
}

void TestServer::Stop() {
  if (!io_) {
    return;
  }
  io_->stop();
  if (thread_.joinable()) {
    thread_.join();
  }
  acceptor_.reset();
  io_.reset();  // destroys the suspended coroutines and their sockets
}

std::vector<RecordedRequest> TestServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void TestServer::Record(RecordedRequest request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(std::move(request));
}

asio::awaitable<void> TestServer::Accept() {
  for (;;) {
    auto [error, socket] = co_await acceptor_->async_accept(kTuple);
    if (error) {
      co_return;
    }
    const int number = ++accepted_;
    asio::co_spawn(*io_, Serve(std::move(socket), number), asio::detached);
  }
}

TlsServer::TlsServer(const CertificateFiles& certificate)
    : tls_(asio::ssl::context::tls_server) {
  tls_.use_certificate_chain_file(certificate.cert);
  tls_.use_private_key_file(certificate.key, asio::ssl::context::pem);
  Start();
}

TlsServer::~TlsServer() { Stop(); }

asio::awaitable<void> TlsServer::Serve(tcp::socket socket, int) {
  asio::ssl::stream<tcp::socket> stream(std::move(socket), tls_);
  auto [handshake_error] =
      co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
  if (handshake_error) {
    ++handshake_failures_;
    co_return;
  }
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request<bhttp::string_body> request;
    auto [read_error, read] =
        co_await bhttp::async_read(stream, buffer, request, kTuple);
    if (read_error) {
      co_return;
    }
    Record(ToRecord(request));
    static constexpr std::string_view kAnswer =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
        "6\r\nhello \r\n3\r\ntls\r\n0\r\n\r\n";
    auto [write_error, written] =
        co_await asio::async_write(stream, asio::buffer(kAnswer), kTuple);
    if (write_error) {
      co_return;
    }
  }
}

ConnectProxy::ConnectProxy() { Start(); }

ConnectProxy::~ConnectProxy() { Stop(); }

asio::awaitable<void> ConnectProxy::Serve(tcp::socket socket, int) {
  auto client = std::make_shared<tcp::socket>(std::move(socket));
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> request;
  auto [read_error, read] =
      co_await bhttp::async_read(*client, buffer, request, kTuple);
  if (read_error) {
    co_return;
  }
  Record(ToRecord(request));
  if (request.method() != bhttp::verb::connect) {
    static constexpr std::string_view kAnswer =
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n"
        "from proxy";
    co_await asio::async_write(*client, asio::buffer(kAnswer), kTuple);
    co_return;
  }
  if (refuse_connect_) {
    static constexpr std::string_view kRefusal =
        "HTTP/1.1 407 Proxy Authentication Required\r\n"
        "Proxy-Authenticate: Basic realm=\"test\"\r\n"
        "Content-Length: 0\r\nConnection: close\r\n\r\n";
    co_await asio::async_write(*client, asio::buffer(kRefusal), kTuple);
    co_return;
  }
  const std::string target(request.target());
  const size_t colon = target.rfind(':');
  auto upstream =
      std::make_shared<tcp::socket>(co_await asio::this_coro::executor);
  tcp::resolver resolver(co_await asio::this_coro::executor);
  // Named, not temporaries in the co_await expression: GCC 12 mishandles
  // those (a temporary from ?: was freed twice).
  const std::string host = target.substr(0, colon);
  const std::string service = colon == std::string::npos
                                  ? std::string("443")
                                  : target.substr(colon + 1);
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(host, service, kTuple);
  boost::system::error_code connect_error = resolve_error;
  if (!connect_error) {
    std::tie(connect_error, std::ignore) =
        co_await asio::async_connect(*upstream, endpoints, kTuple);
  }
  if (connect_error) {
    static constexpr std::string_view kBadGateway =
        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: "
        "close\r\n\r\n";
    co_await asio::async_write(*client, asio::buffer(kBadGateway), kTuple);
    co_return;
  }
  static constexpr std::string_view kEstablished =
      "HTTP/1.1 200 Connection established\r\n\r\n";
  auto [write_error, written] =
      co_await asio::async_write(*client, asio::buffer(kEstablished), kTuple);
  if (write_error) {
    co_return;
  }
  if (buffer.size() > 0) {  // bytes the client sent early, after the head
    co_await asio::async_write(*upstream, buffer.data(), kTuple);
  }
  const auto executor = co_await asio::this_coro::executor;
  asio::co_spawn(executor, Pump(client, upstream), asio::detached);
  asio::co_spawn(executor, Pump(upstream, client), asio::detached);
}

ScriptedServer::ScriptedServer(Script script) : script_(std::move(script)) {
  Start();
}

ScriptedServer::~ScriptedServer() { Stop(); }

asio::awaitable<void> ScriptedServer::Serve(tcp::socket socket,
                                            int connection_number) {
  beast::flat_buffer buffer;
  for (int request_number = 1;; ++request_number) {
    bhttp::request<bhttp::string_body> request;
    auto [read_error, read] =
        co_await bhttp::async_read(socket, buffer, request, kTuple);
    if (read_error) {
      co_return;
    }
    Record(ToRecord(request));
    const Action action = script_(connection_number, request_number);
    if (action == Action::kCloseWithoutAnswer) {
      co_return;  // the socket closes with the coroutine
    }
    const std::string body = "c" + std::to_string(connection_number) + " r" +
                             std::to_string(request_number);
    const std::string answer =
        "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: keep-alive\r\n\r\n" + body;
    auto [write_error, written] =
        co_await asio::async_write(socket, asio::buffer(answer), kTuple);
    if (write_error || action == Action::kAnswerThenClose) {
      co_return;
    }
  }
}

}  // namespace duet::net::testing
