// Exchange and Handler: what the HTTP layer hands to duet's API handlers.
//
// The HTTP layer (session.h, server.h) owns sockets, parsing, timeouts and
// write queues. A Handler sees one Exchange per request: the parsed request
// and a way to answer it, either whole (Respond) or as a stream of chunks
// (BeginStream, Stream..., EndStream) flushed one per call. Handlers never see
// Boost types, so they can be tested with a fake Exchange.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cancel.h"
#include "core/status.h"

namespace duet::api::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "POST"
  std::string path;    // "/v1/messages", without the query string
  std::string query;   // "beta=true", without the '?'
  HeaderList headers;  // names lower-cased, in arrival order
  std::string body;

  // The first value of header `lower_case_name`, or "" when absent.
  std::string_view Header(std::string_view lower_case_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  HeaderList headers;  // extra headers; the HTTP layer adds framing ones
  std::string body;    // ignored by BeginStream
};

// One request/response exchange.
// Thread safety: all methods may be called from any thread. Call either
// Respond once, or BeginStream once, then Stream any number of times, then
// EndStream once (or Abort at any point); calls after the client went away are ignored.
class Exchange {
 public:
  virtual ~Exchange() = default;

  virtual const Request& request() const = 0;
  virtual void Respond(Response response) = 0;
  virtual void BeginStream(Response head) = 0;
  virtual void Stream(std::string data) = 0;
  virtual void EndStream() = 0;
  // Ends the exchange by closing the connection instead of answering: bytes
  // already queued are flushed, then the socket closes, so a streaming
  // client sees a cut stream and any other client sees the connection drop
  // before a response. For simulating broken servers; counts as finished.
  virtual void Abort() = 0;

  // Set when the client disconnects, stalls past the write timeout, or the
  // server gives up on in-flight work at shutdown. Hand it to the backend.
  virtual std::shared_ptr<CancelFlag> cancel_flag() const = 0;
  // True once a graceful shutdown has begun.
  virtual bool shutting_down() const = 0;
};

class Handler {
 public:
  virtual ~Handler() = default;

  // Called on an I/O thread for each complete request. Must not block: long
  // work answers the exchange later, from any thread.
  virtual void Handle(std::shared_ptr<Exchange> exchange) = 0;

  // The response for a request the HTTP layer rejected before any handler
  // ran (body or headers too large, malformed HTTP). `request` holds what was
  // parsed (possibly nothing), so the error can take the right API's shape.
  virtual Response RejectedRequest(const Request& request,
                                   const Status& status) = 0;
};

}  // namespace duet::api::http
