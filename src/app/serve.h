// Serve: wires configuration, backends, router, API handler and HTTP server,
// then serves until SIGINT/SIGTERM.
//
// On start it prints exactly one line to stdout,
//   duet listening on http://127.0.0.1:8400
// with the real port (useful with --port 0); tests and scripts wait for it.
#pragma once

#include <memory>
#include <vector>

#include "backend/backend.h"
#include "core/config.h"

namespace duet {

// Blocks until shutdown. Returns 0 after a clean shutdown, 1 when the server
// cannot start (the reason is logged).
int Serve(const Config& config,
          std::vector<std::shared_ptr<Backend>> backends);

}  // namespace duet
