// Gateway: duet's server assembled from configuration — the ledger, the
// backends (local engine, Claude, upstreams), the routing policy and
// router, the API handler and the HTTP server — as one object, so that
// `duet serve` and `duet demo` run the same thing.
//
//   Result<std::unique_ptr<Gateway>> gateway = Gateway::Create(config, {}, {});
//   Result<uint16_t> port = (*gateway)->Start();
//   (*gateway)->Wait();  // until SIGINT/SIGTERM or Shutdown()
//
// Thread safety: Start, Shutdown and Wait as HttpServer's (Wait from one
// thread); the rest is set at construction.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/config.h"

namespace duet {

class Gateway {
 public:
  struct Options {
    // SIGINT/SIGTERM start a graceful shutdown (as `duet serve` wants).
    bool handle_signals = true;
  };

  // Builds everything without listening yet. Fails (with the reason) on a
  // bad catalogue, policy, local model or upstream configuration.
  // `extra_backends` are served before the configured ones.
  static Result<std::unique_ptr<Gateway>> Create(
      const Config& config, std::vector<std::shared_ptr<Backend>> extra_backends,
      Options options);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Listens on server.host:server.port; the real port (server.port 0 picks
  // one). Fails when the address is taken.
  Result<uint16_t> Start();
  // Blocks until the server has shut down.
  void Wait();
  // Starts a graceful shutdown.
  void Shutdown();

  // Where answers are recorded ("" with the ledger off).
  const std::string& ledger_path() const;

  struct Parts;

 private:
  explicit Gateway(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace duet
