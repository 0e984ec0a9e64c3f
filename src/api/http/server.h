// HttpServer: the asynchronous HTTP/1.1 server under duet's APIs.
//
// Boost.Beast parses requests; responses are framed by hand (Content-Length,
// or chunked transfer encoding with one chunk per streamed event, written as
// soon as it is queued). Connections are kept alive. There is one event loop
// (io_context) per I/O thread, and each accepted connection is handed to the
// next loop in turn and served there, on its own strand, for its life: its
// work never hops between threads or wakes another one. Nothing on those
// threads blocks: backends answer on their own threads through Exchange.
//
// Protection against bad clients: header and body size limits (431 / 413 in
// the API's error shape, then close), a deadline for the headers, one for
// the body, an idle limit between keep-alive requests, a write deadline and a
// cap on buffered output for clients that stop reading, and disconnect
// detection during long answers (the backend is cancelled).
//
// Shutdown (Shutdown(), or SIGINT/SIGTERM when handle_signals): stop
// accepting, close idle connections, let in-flight answers finish for
// shutdown_grace, then cancel what is left (streams end with an error event)
// and close everything shortly after.
//
// Thread safety: Start, Shutdown and Wait may be called from any thread;
// Wait from one thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/http/exchange.h"
#include "core/status.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace duet::api::http {

class HttpServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 8400;  // 0: pick a free port
    int io_threads = 0;    // 0: one per core; ignored with io_contexts
    // Runs the server on these event loops, one I/O thread of the server's
    // each, instead of io_threads loops of its own, so other asynchronous
    // work on them (the upstream HTTP client) runs on the thread of the
    // connection it serves. They must outlive the server and be run by
    // no one else. Empty: the server's own.
    std::vector<boost::asio::io_context*> io_contexts;
    uint64_t max_body_bytes = 32 * 1024 * 1024;
    uint32_t max_header_bytes = 16 * 1024;
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{60'000};
    std::chrono::milliseconds idle_timeout{60'000};
    std::chrono::milliseconds write_timeout{60'000};
    uint64_t max_buffered_response_bytes = 8 * 1024 * 1024;
    std::chrono::milliseconds shutdown_grace{10'000};
    // After the grace period and cancelling, how long backends get to end
    // their streams with an error event before connections are closed.
    std::chrono::milliseconds shutdown_cancel_wait{2'000};
    bool handle_signals = true;  // SIGINT/SIGTERM start a graceful shutdown
    std::string server_header = "duet";
  };

  // How many I/O threads Options::io_threads asks for: itself when
  // positive, else one per core.
  static int IoThreadsFor(int io_threads);

  // `handler` must outlive the server.
  HttpServer(Options options, Handler* handler);
  ~HttpServer();  // shuts down and waits
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. Returns the bound port, or
  // kUnavailable when the address cannot be bound (in use, bad host).
  Result<uint16_t> Start();

  // Begins a graceful shutdown; returns at once. Idempotent.
  void Shutdown();

  // Blocks until the shutdown completed, every I/O thread has exited, and
  // backends have released the exchanges they held (waiting at most
  // shutdown_cancel_wait for that last part).
  void Wait();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace duet::api::http
