// HttpClient: how duet's remote backends talk to upstream servers (the
// Anthropic API, OpenAI-compatible servers). An interface so tests and
// benchmarks can inject their own.
//
// A call streams: the handler sees the response head as soon as it
// arrives, then each piece of the (de-chunked) body as it is read, so SSE
// answers can be re-emitted event by event without buffering.
//
// Thread safety: Send may be called from any thread, concurrently.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cancel.h"
#include "core/status.h"

namespace duet::net {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "POST";
  std::string url;      // absolute http:// or https:// URL
  HeaderList headers;   // sent as given; Host and Content-Length are added
  std::string body;
};

struct HttpResponseHead {
  int status = 0;
  HeaderList headers;  // names lower-cased, in arrival order

  // The first value of header `lower_case_name`, or "" when absent.
  std::string_view Header(std::string_view lower_case_name) const;
};

struct HttpTimeouts {
  // DNS, TCP connect, proxy CONNECT and TLS handshake together.
  std::chrono::milliseconds connect{10'000};
  // From the request being sent to the response head arriving.
  std::chrono::milliseconds first_byte{120'000};
  // Longest silence allowed between two reads of the body.
  std::chrono::milliseconds idle{120'000};
};

// Receives one call's outcome. Called on the client's I/O thread, one call
// at a time per request, never concurrently; implementations should not
// block.
class HttpResponseHandler {
 public:
  virtual ~HttpResponseHandler() = default;
  // The status line and headers. Return false to stop: the connection is
  // closed and OnComplete follows with kCancelled.
  virtual bool OnHead(const HttpResponseHead& head) = 0;
  // The next piece of the body, after transfer decoding. Return false to
  // stop, as for OnHead.
  virtual bool OnBody(std::string_view bytes) = 0;
  // Exactly once, last. OK when the whole body was read. Otherwise:
  //   kUnavailable       DNS failure, connection refused or reset, TLS
  //                      failure, proxy refusal, connection closed early
  //   kDeadlineExceeded  one of the HttpTimeouts fired
  //   kCancelled         the cancel flag was set, or a handler returned false
  //   kInvalidArgument   the request's URL is not valid
  // `head_received` says whether OnHead was called: failures before it are
  // the ones a caller can safely answer from somewhere else.
  virtual void OnComplete(Status status, bool head_received) = 0;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Starts the call and returns at once. The client keeps `request` and
  // `handler` alive until OnComplete has returned; the request is shared,
  // not copied, so a caller that retries sends the same one again. Setting
  // `cancel` (may be null) stops the call at once: its socket is closed on
  // the call's own thread.
  // REQUIRES: request != nullptr.
  virtual void Send(std::shared_ptr<const HttpRequest> request, HttpTimeouts timeouts,
                    std::shared_ptr<HttpResponseHandler> handler,
                    std::shared_ptr<const CancelFlag> cancel) = 0;
};

}  // namespace duet::net
