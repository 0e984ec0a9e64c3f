// A small blocking HTTP/1.1 client for integration tests.
//
// HttpConnection owns one TCP connection to 127.0.0.1 over plain POSIX
// sockets; every read takes a deadline (poll()), so a server that hangs fails
// a test instead of hanging it. Responses are parsed with Boost.Beast's
// response parser fed by hand, which handles Content-Length, chunked and
// read-until-close bodies. Requests can be sent whole (Send) or as raw bytes
// (SendRaw), so tests can also send malformed or partial HTTP.
//
// ParseSse splits a text/event-stream body into events the way the SDKs'
// decoders do (WHATWG rules: `:` comments, one optional space after the
// colon, several data lines joined with '\n', a blank line dispatches).
//
// Thread safety: none; one connection per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::integration {

using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::chrono::milliseconds kDefaultReadTimeout{10'000};

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";
  Headers headers;  // Host is added unless present
  std::string body;
  // Adds Content-Length: body.size() unless the headers carry
  // Content-Length or Transfer-Encoding. GET without a body gets none.
  bool add_content_length = true;
  int version = 11;  // 10 for HTTP/1.0
};

struct HttpResponse {
  int status = 0;
  int version = 0;  // 11 for HTTP/1.1
  Headers headers;  // names lower-cased, in arrival order
  std::string body;  // decoded (chunked framing removed)
  bool chunked = false;
  bool keep_alive = false;  // what the server's framing/Connection says

  // The first value of `lower_case_name`, or "" when absent.
  std::string Header(std::string_view lower_case_name) const;
  bool HasHeader(std::string_view lower_case_name) const;
};

// One server-sent event.
struct SseEvent {
  std::string event;  // "" when the event had no `event:` line
  std::string data;
};

std::vector<SseEvent> ParseSse(std::string_view body);

// The bytes of `request` on the wire.
std::string FormatRequest(const HttpRequest& request);

// JSON POST helpers.
HttpRequest AnthropicPost(std::string body,
                          std::string target = "/v1/messages");
HttpRequest OpenAIPost(std::string body,
                       std::string target = "/v1/chat/completions");

class HttpConnection {
 public:
  HttpConnection();
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Connects to 127.0.0.1:`port`. False (see error()) when refused.
  bool Connect(uint16_t port);
  bool connected() const { return fd_ >= 0; }

  // Writes all of `bytes`. False when the connection is broken.
  bool SendRaw(std::string_view bytes);
  bool Send(const HttpRequest& request) { return SendRaw(FormatRequest(request)); }

  // Reads one complete response (head and whole body). nullopt (see
  // error()) on timeout, malformed HTTP, or a close before it was complete.
  std::optional<HttpResponse> ReadResponse(
      std::chrono::milliseconds timeout = kDefaultReadTimeout);
  // Reads only the status line and headers of the next response; a later
  // ReadResponse() continues with its body. The head is returned with an
  // empty body.
  std::optional<HttpResponse> ReadResponseHead(
      std::chrono::milliseconds timeout = kDefaultReadTimeout);

  // Whatever raw bytes arrive within `timeout` (at least one read's worth
  // if any came), bypassing the parser. Empty on timeout or close.
  std::string ReadSomeRaw(std::chrono::milliseconds timeout);

  // True when the server closes the connection (EOF or reset) within
  // `timeout`. Any bytes received meanwhile are appended to `*received`
  // when given, and otherwise dropped.
  bool WaitForClose(std::chrono::milliseconds timeout,
                    std::string* received = nullptr);

  void Close();

  const std::string& error() const { return error_; }

 private:
  class Parser;
  enum class ReadResult { kData, kClosed, kTimeout, kError };

  // One recv() into pending_, waiting at most until `deadline`.
  ReadResult ReadMore(std::chrono::steady_clock::time_point deadline);
  std::optional<HttpResponse> Parse(std::chrono::milliseconds timeout,
                                    bool head_only);

  int fd_ = -1;
  std::string pending_;  // received, not yet parsed
  std::unique_ptr<Parser> parser_;  // set while a response is half read
  std::string error_;
};

// Connects, sends `request`, reads the response and closes. nullopt when
// any step fails; `error` (optional) then says why.
std::optional<HttpResponse> Fetch(uint16_t port, const HttpRequest& request,
                                  std::string* error = nullptr);

}  // namespace duet::integration
