#include "app/serve.h"

#include <cstdio>

#include <spdlog/spdlog.h>

#include "app/gateway.h"

namespace duet {

int Serve(const Config& config, std::vector<std::shared_ptr<Backend>> backends) {
  Result<std::unique_ptr<Gateway>> gateway =
      Gateway::Create(config, std::move(backends), Gateway::Options());
  if (!gateway) {
    spdlog::error("{}", gateway.error().message());
    return 1;
  }
  Result<uint16_t> port = (*gateway)->Start();
  if (!port) {
    spdlog::error("{}", port.error().message());
    return 1;
  }
  const std::string host = config.server.host.find(':') == std::string::npos
                               ? config.server.host
                               : "[" + config.server.host + "]";
  std::printf("duet listening on http://%s:%u\n", host.c_str(), static_cast<unsigned>(*port));
  std::fflush(stdout);
  spdlog::info("serving the Anthropic API at /v1/messages and the OpenAI API "
               "at /v1/chat/completions");
  (*gateway)->Wait();
  return 0;
}

}  // namespace duet
