// AsioHttpClient: the HttpClient duet uses, on Boost.Beast and OpenSSL.
//
// - HTTP/1.1 with keep-alive: finished connections go back to a pool per
//   origin (and proxy) and are reused; a pooled connection found closed by
//   the server when reused is replaced and the request re-sent once, but
//   only when no byte of a response had arrived.
// - HTTPS verifies the server's certificate chain (the system's CA store,
//   plus `ca_file` when set) and host name, and sends SNI.
// - Proxies from ProxySettings: CONNECT tunnels for https, absolute-form
//   requests for http, Basic Proxy-Authorization from the proxy URL's user
//   info.
// - Each call is a C++20 coroutine on the client's event loops (its own
//   I/O threads, or loops given in Options); the caller's thread never
//   blocks. Pooled connections belong to a loop: a call made on a thread
//   that runs one of the given loops stays on it and reuses that loop's
//   connections, so relaying an upstream answer to the client that asked
//   for it needs no thread hop.
//
// Error messages name the upstream by scheme://host[:port] only: never a
// path, query, header or proxy credential.
//
// Thread safety: Send may be called concurrently from any thread. The
// destructor stops the client's own I/O threads; calls still running end
// with kCancelled first. With io_contexts (loops someone else runs), the
// destructor joins nothing: destroy the client once every call's
// OnComplete has run, or once the loops have stopped running.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "net/proxy.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace duet::net {

class AsioHttpClient final : public HttpClient {
 public:
  struct Options {
    // The client's own event loops, each run by one thread of its own
    // (ignored with io_contexts).
    int io_threads = 1;
    // Runs the calls on these event loops, each run by one thread someone
    // else owns (duet's HTTP server), instead of on loops of the client's
    // own. A call goes to the loop its caller's thread runs, or, from any
    // other thread, to the next loop in turn; with one thread per loop it
    // needs no strand. They must outlive the client. Empty: own.
    std::vector<boost::asio::io_context*> io_contexts;
    // Idle connections kept per origin; more are closed when they finish.
    size_t max_idle_per_origin = 64;
    // An idle pooled connection older than this is closed, not reused.
    std::chrono::milliseconds max_idle_age{30'000};
    // Extra PEM file of trusted CAs, on top of the system's store.
    std::string ca_file;
    ProxySettings proxy;
  };

  // Fails when the TLS context cannot be set up (for example an unreadable
  // ca_file).
  static Result<std::unique_ptr<AsioHttpClient>> Create(Options options);
  ~AsioHttpClient() override;

  void Send(std::shared_ptr<const HttpRequest> request, HttpTimeouts timeouts,
            std::shared_ptr<HttpResponseHandler> handler,
            std::shared_ptr<const CancelFlag> cancel) override;

  // Idle pooled connections right now, over all origins (for tests).
  size_t IdleConnections() const;

  class Impl;

 private:
  explicit AsioHttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace duet::net
