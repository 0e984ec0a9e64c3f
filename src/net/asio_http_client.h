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
// - Each call is a C++20 coroutine on the client's own I/O threads; the
//   caller's thread never blocks.
//
// Error messages name the upstream by scheme://host[:port] only: never a
// path, query, header or proxy credential.
//
// Thread safety: Send may be called concurrently from any thread. The
// destructor stops the I/O threads; calls still running end with
// kCancelled first.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "net/http_client.h"
#include "net/proxy.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace duet::net {

class AsioHttpClient final : public HttpClient {
 public:
  struct Options {
    int io_threads = 1;
    // Runs the calls on this io_context, whose threads someone else runs
    // (duet's HTTP server), instead of on io_threads threads of the
    // client's own: an upstream answer is then handled on the thread that
    // also writes it to the client. Must outlive the client. Null: own.
    boost::asio::io_context* io_context = nullptr;
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

  void Send(HttpRequest request, HttpTimeouts timeouts,
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
