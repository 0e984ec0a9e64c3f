#include "support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace duet::integration {
namespace {

namespace http = boost::beast::http;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

bool HasHeaderNamed(const Headers& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& header) {
    return Lower(header.first) == lower_name;
  });
}

int MillisecondsLeft(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

std::string HttpResponse::Header(std::string_view lower_case_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) {
      return value;
    }
  }
  return "";
}

bool HttpResponse::HasHeader(std::string_view lower_case_name) const {
  return HasHeaderNamed(headers, lower_case_name);
}

std::vector<SseEvent> ParseSse(std::string_view body) {
  std::vector<SseEvent> events;
  SseEvent current;
  bool has_data = false;
  bool has_event = false;
  while (!body.empty()) {
    size_t end = body.find('\n');
    std::string_view line = body.substr(0, end);
    body.remove_prefix(end == std::string_view::npos ? body.size() : end + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      if (has_data || has_event) {
        events.push_back(std::move(current));
      }
      current = SseEvent();
      has_data = false;
      has_event = false;
      continue;
    }
    if (line.front() == ':') {
      continue;  // comment
    }
    const size_t colon = line.find(':');
    const std::string_view field = line.substr(0, colon);
    std::string_view value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') {
        value.remove_prefix(1);
      }
    }
    if (field == "event") {
      current.event = std::string(value);
      has_event = true;
    } else if (field == "data") {
      if (has_data) {
        current.data += '\n';
      }
      current.data += value;
      has_data = true;
    }
  }
  if (has_data || has_event) {
    events.push_back(std::move(current));  // not dispatched: no blank line
  }
  return events;
}

std::string FormatRequest(const HttpRequest& request) {
  std::string out = request.method + " " + request.target +
                    (request.version == 10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
  if (!HasHeaderNamed(request.headers, "host")) {
    out += "Host: 127.0.0.1\r\n";
  }
  for (const auto& [name, value] : request.headers) {
    out += name + ": " + value + "\r\n";
  }
  const bool framed = HasHeaderNamed(request.headers, "content-length") ||
                      HasHeaderNamed(request.headers, "transfer-encoding");
  if (request.add_content_length && !framed &&
      (!request.body.empty() || request.method == "POST")) {
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  out += "\r\n";
  out += request.body;
  return out;
}

HttpRequest AnthropicPost(std::string body, std::string target) {
  HttpRequest request;
  request.method = "POST";
  request.target = std::move(target);
  request.headers = {{"Content-Type", "application/json"},
                     {"anthropic-version", "2023-06-01"},
                     {"x-api-key", "test-key"}};
  request.body = std::move(body);
  return request;
}

HttpRequest OpenAIPost(std::string body, std::string target) {
  HttpRequest request;
  request.method = "POST";
  request.target = std::move(target);
  request.headers = {{"Content-Type", "application/json"},
                     {"Authorization", "Bearer test-key"}};
  request.body = std::move(body);
  return request;
}

class HttpConnection::Parser {
 public:
  Parser() {
    parser.header_limit(1024 * 1024);
    parser.body_limit(256 * 1024 * 1024);
    parser.eager(true);
  }
  http::response_parser<http::string_body> parser;
};

HttpConnection::HttpConnection() = default;

HttpConnection::~HttpConnection() { Close(); }

bool HttpConnection::Connect(uint16_t port) {
  Close();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error_ = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address),
                sizeof(address)) != 0) {
    error_ = std::string("connect: ") + std::strerror(errno);
    Close();
    return false;
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return true;
}

void HttpConnection::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  pending_.clear();
  parser_.reset();
}

bool HttpConnection::SendRaw(std::string_view bytes) {
  while (!bytes.empty()) {
    if (fd_ < 0) {
      error_ = "not connected";
      return false;
    }
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) {
        continue;
      }
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

HttpConnection::ReadResult HttpConnection::ReadMore(
    std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0) {
    return ReadResult::kClosed;
  }
  for (;;) {
    pollfd entry{fd_, POLLIN, 0};
    const int ready = ::poll(&entry, 1, MillisecondsLeft(deadline));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready < 0) {
      error_ = std::string("poll: ") + std::strerror(errno);
      return ReadResult::kError;
    }
    if (ready == 0) {
      return ReadResult::kTimeout;
    }
    char chunk[16 * 1024];
    const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0 && (errno == ECONNRESET || errno == EPIPE)) {
      return ReadResult::kClosed;
    }
    if (got < 0) {
      error_ = std::string("recv: ") + std::strerror(errno);
      return ReadResult::kError;
    }
    if (got == 0) {
      return ReadResult::kClosed;
    }
    pending_.append(chunk, static_cast<size_t>(got));
    return ReadResult::kData;
  }
}

std::optional<HttpResponse> HttpConnection::ReadResponse(
    std::chrono::milliseconds timeout) {
  return Parse(timeout, /*head_only=*/false);
}

std::optional<HttpResponse> HttpConnection::ReadResponseHead(
    std::chrono::milliseconds timeout) {
  return Parse(timeout, /*head_only=*/true);
}

std::optional<HttpResponse> HttpConnection::Parse(
    std::chrono::milliseconds timeout, bool head_only) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!parser_) {
    parser_ = std::make_unique<Parser>();
  }
  auto& parser = parser_->parser;
  // Reading only the head must leave body bytes in pending_, where
  // ReadSomeRaw() and the next ReadResponse() find them.
  parser.eager(!head_only);
  bool eof = false;
  for (;;) {
    boost::beast::error_code parse_error;
    size_t used = 0;
    if (!pending_.empty()) {
      used = parser.put(
          boost::asio::buffer(pending_.data(), pending_.size()), parse_error);
      pending_.erase(0, used);
      if (parse_error == http::error::need_more) {
        parse_error = {};
      }
    } else if (eof) {
      if (parser.got_some()) {
        parser.put_eof(parse_error);
      } else {
        parse_error = http::error::partial_message;  // closed before any byte
      }
      if (parse_error) {
        error_ = "connection closed before the response was complete: " +
                 parse_error.message();
        parser_.reset();
        return std::nullopt;
      }
    }
    if (parse_error) {
      error_ = "malformed HTTP response: " + parse_error.message();
      parser_.reset();
      return std::nullopt;
    }
    const bool header_done = parser.is_header_done();
    if (header_done && parser.get().result_int() >= 100 &&
        parser.get().result_int() < 200 && parser.is_done()) {
      parser_ = std::make_unique<Parser>();  // skip "100 Continue"
      continue;
    }
    if (parser.is_done() || (head_only && header_done)) {
      break;
    }
    if (eof) {
      error_ = "connection closed before the response was complete";
      parser_.reset();
      return std::nullopt;
    }
    if (used > 0 && !pending_.empty()) {
      continue;  // the parser stopped at a boundary; let it go on
    }
    switch (ReadMore(deadline)) {
      case ReadResult::kData:
        break;
      case ReadResult::kClosed:
        eof = true;
        break;
      case ReadResult::kTimeout:
        error_ = "timed out after " + std::to_string(timeout.count()) +
                 " ms waiting for a response";
        return std::nullopt;  // the parser stays: a later call may go on
      case ReadResult::kError:
        parser_.reset();
        return std::nullopt;
    }
  }

  const auto& message = parser.get();
  HttpResponse response;
  response.status = message.result_int();
  response.version = message.version();
  for (const auto& field : message) {
    response.headers.emplace_back(Lower(field.name_string()),
                                  std::string(field.value()));
  }
  response.chunked = parser.chunked();
  response.keep_alive = message.keep_alive();
  if (!head_only || parser.is_done()) {
    response.body = message.body();
  }
  if (parser.is_done()) {
    parser_.reset();
  }
  return response;
}

std::string HttpConnection::ReadSomeRaw(std::chrono::milliseconds timeout) {
  if (pending_.empty()) {
    ReadMore(std::chrono::steady_clock::now() + timeout);
  }
  std::string out = std::move(pending_);
  pending_.clear();
  return out;
}

bool HttpConnection::WaitForClose(std::chrono::milliseconds timeout,
                                  std::string* received) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (received != nullptr) {
      *received += pending_;
    }
    pending_.clear();
    switch (ReadMore(deadline)) {
      case ReadResult::kData:
        continue;
      case ReadResult::kClosed:
        return true;
      case ReadResult::kTimeout:
      case ReadResult::kError:
        return false;
    }
  }
}

std::optional<HttpResponse> Fetch(uint16_t port, const HttpRequest& request,
                                  std::string* error) {
  HttpConnection connection;
  std::optional<HttpResponse> response;
  if (connection.Connect(port) && connection.Send(request)) {
    response = connection.ReadResponse();
  }
  if (!response && error != nullptr) {
    *error = connection.error();
  }
  return response;
}

}  // namespace duet::integration
