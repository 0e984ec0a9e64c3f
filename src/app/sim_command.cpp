#include "app/sim_command.h"

#include <cstdio>

#include <spdlog/spdlog.h>

#include "api/http/server.h"
#include "core/clock.h"
#include "sim/claude_simulator.h"

namespace duet {

int RunSimulator(const SimCommandOptions& options) {
  SystemClock clock;
  sim::ClaudeSimulator::Options sim_options;
  sim_options.api_key = options.api_key;
  sim_options.rate_limits.requests_per_minute = options.requests_per_minute;
  sim_options.rate_limits.input_tokens_per_minute =
      options.input_tokens_per_minute;
  sim_options.rate_limits.output_tokens_per_minute =
      options.output_tokens_per_minute;
  sim::ClaudeSimulator simulator(std::move(sim_options), &clock);

  api::http::HttpServer::Options server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.server_header = "duet-sim";
  // The API accepts bodies up to 32 MB; the 413 fault covers larger ones.
  server_options.max_body_bytes = 32 * 1024 * 1024;
  api::http::HttpServer server(server_options, &simulator);
  Result<uint16_t> port = server.Start();
  if (!port) {
    spdlog::error("{}", port.error().message());
    return 1;
  }
  const std::string host = options.host.find(':') == std::string::npos
                               ? options.host
                               : "[" + options.host + "]";
  std::printf("duet sim listening on http://%s:%u\n", host.c_str(),
              static_cast<unsigned>(*port));
  std::fflush(stdout);
  spdlog::info("simulating the Anthropic API; answers are not from Claude");
  server.Wait();
  return 0;
}

}  // namespace duet
