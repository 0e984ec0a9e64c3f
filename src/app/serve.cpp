#include "app/serve.h"

#include <cstdio>
#include <cstdlib>

#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include "api/api_handler.h"
#include "api/http/server.h"
#include "app/cloud_backends.h"
#include "app/ledger_wiring.h"
#include "app/local_backend.h"
#include "core/clock.h"
#include "route/router.h"

namespace duet {
namespace {

api::http::HttpServer::Options ServerOptions(const ServerConfig& config) {
  api::http::HttpServer::Options options;
  options.host = config.host;
  options.port = static_cast<uint16_t>(config.port);
  options.io_threads = static_cast<int>(config.io_threads);
  options.max_body_bytes = static_cast<uint64_t>(config.max_body_bytes);
  options.max_header_bytes = static_cast<uint32_t>(config.max_header_bytes);
  options.header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
  options.body_timeout = std::chrono::milliseconds(config.body_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  options.write_timeout = std::chrono::milliseconds(config.write_timeout_ms);
  options.max_buffered_response_bytes =
      static_cast<uint64_t>(config.max_buffered_response_bytes);
  options.shutdown_grace = std::chrono::milliseconds(config.shutdown_grace_ms);
  return options;
}

}  // namespace

int Serve(const Config& config,
          std::vector<std::shared_ptr<Backend>> backends) {
  SystemClock clock;
  const EnvLookup getenv = [](const char* name) -> const char* { return std::getenv(name); };
  Result<ClaudeCatalog> catalog = ClaudeCatalog::Load(config.anthropic.catalog_file);
  if (!catalog) {
    spdlog::error("{}", catalog.error().message());
    return 1;
  }
  // Declared before everything that records answers, so it is destroyed
  // last and writes every row still pending.
  ServerLedger ledger(config, getenv, &*catalog, &clock);
  // One event loop for the server and the upstream HTTP client: an upstream
  // answer is relayed to the client on the thread that read it.
  boost::asio::io_context io_context;
  // Declared before the router: the HTTP client outlives every backend.
  Result<CloudBackends> cloud = MakeCloudBackends(config, getenv, &clock, &io_context);
  if (!cloud) {
    spdlog::error("{}", cloud.error().message());
    return 1;
  }
  for (std::shared_ptr<Backend>& backend : cloud->backends) {
    backends.push_back(std::move(backend));
  }
  // Local models first: the local engine is where failed cloud requests
  // fall back to.
  Result<std::shared_ptr<Backend>> local = MakeLocalBackend(config);
  if (!local) {
    spdlog::error("{}", local.error().message());
    return 1;
  }
  // The routing policy ([policy] in the config) decides every request.
  Result<std::unique_ptr<PolicyEngine>> policy =
      PolicyEngine::Create(config.policy, &clock, {.catalog = &*catalog});
  if (!policy) {
    spdlog::error("invalid policy: {}", policy.error().message());
    return 1;
  }
  std::shared_ptr<PolicyEngine> policy_engine = std::move(*policy);
  Router::Options router_options;
  router_options.shadow.spent_this_month_usd = ledger.SeedBudget(&policy_engine->budget());
  router_options.shadow.reporter = ledger.ShadowRecorder();
  router_options.policy = policy_engine;
  if (*local) {
    router_options.fallback = *local;
    backends.insert(backends.begin(), std::move(*local));
  }
  // The first local backend, for the queue gauges of /metrics.
  std::shared_ptr<Backend> local_backend;
  for (const std::shared_ptr<Backend>& backend : backends) {
    if (local_backend == nullptr && backend->locality() == Locality::kLocal) {
      local_backend = backend;
    }
  }
  if (backends.empty()) {
    spdlog::warn(
        "no backend is configured: requests will be answered with an error");
  }
  Router router(std::move(backends), std::move(router_options));
  api::ApiHandler handler(
      &router, &clock,
      {.recorder = ledger.recorder(),
       .busy_meter = ledger.busy_meter(),
       .store_content = config.ledger.store_content,
       .metrics_text = [&ledger, local_backend, policy_engine] {
         return ledger.MetricsText(local_backend.get(), policy_engine.get());
       }});
  api::http::HttpServer::Options server_options = ServerOptions(config.server);
  server_options.io_context = &io_context;
  api::http::HttpServer server(server_options, &handler);
  Result<uint16_t> port = server.Start();
  if (!port) {
    spdlog::error("{}", port.error().message());
    return 1;
  }
  const std::string host = config.server.host.find(':') == std::string::npos
                               ? config.server.host
                               : "[" + config.server.host + "]";
  std::printf("duet listening on http://%s:%u\n", host.c_str(),
              static_cast<unsigned>(*port));
  std::fflush(stdout);
  spdlog::info("serving the Anthropic API at /v1/messages and the OpenAI API "
               "at /v1/chat/completions");
  server.Wait();
  return 0;
}

}  // namespace duet
