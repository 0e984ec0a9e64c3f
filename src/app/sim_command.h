// `duet sim`: serves the Claude simulator (sim/claude_simulator.h) until
// SIGINT/SIGTERM.
//
// On start it prints exactly one line to stdout,
//   duet sim listening on http://127.0.0.1:8401
// with the real port (useful with --port 0); tests and scripts wait for it.
#pragma once

#include <cstdint>
#include <string>

namespace duet {

struct SimCommandOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8401;
  std::string api_key;  // empty: any non-empty key is accepted
  int64_t requests_per_minute = 1000;
  int64_t input_tokens_per_minute = 400'000;
  int64_t output_tokens_per_minute = 80'000;
};

// Blocks until shutdown. Returns 0 after a clean shutdown, 1 when the server
// cannot start (the reason is logged).
int RunSimulator(const SimCommandOptions& options);

}  // namespace duet
