#include "app/gateway.h"

#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>

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

// Members in construction order; destruction runs backwards, so the
// server stops before the router goes, the router before the backends and
// the HTTP client they share, and the ledger, last, writes every row still
// pending.
struct Gateway::Parts {
  SystemClock clock;
  std::unique_ptr<ClaudeCatalog> catalog;
  std::unique_ptr<ServerLedger> ledger;
  // The server's event loops, one per I/O thread, shared with the upstream
  // HTTP client: a connection's upstream call runs on its loop, so the
  // answer is read and relayed to the client on one thread.
  std::vector<std::unique_ptr<boost::asio::io_context>> io_contexts;
  std::vector<boost::asio::io_context*> loops() const {
    std::vector<boost::asio::io_context*> result;
    for (const auto& context : io_contexts) {
      result.push_back(context.get());
    }
    return result;
  }
  CloudBackends cloud;
  std::shared_ptr<PolicyEngine> policy;
  std::unique_ptr<Router> router;
  std::unique_ptr<api::ApiHandler> handler;
  std::unique_ptr<api::http::HttpServer> server;
};

Gateway::Gateway(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Gateway::~Gateway() = default;

Result<std::unique_ptr<Gateway>> Gateway::Create(
    const Config& config, std::vector<std::shared_ptr<Backend>> backends, Options options) {
  auto parts = std::make_unique<Parts>();
  const EnvLookup getenv = [](const char* name) -> const char* { return std::getenv(name); };
  DUET_ASSIGN_OR_RETURN(ClaudeCatalog catalog, ClaudeCatalog::Load(config.anthropic.catalog_file));
  parts->catalog = std::make_unique<ClaudeCatalog>(std::move(catalog));
  parts->ledger =
      std::make_unique<ServerLedger>(config, getenv, parts->catalog.get(), &parts->clock);
  const int io_threads =
      api::http::HttpServer::IoThreadsFor(static_cast<int>(config.server.io_threads));
  for (int i = 0; i < io_threads; ++i) {
    // Concurrency hint 1: each loop is run by one thread of the server's.
    parts->io_contexts.push_back(std::make_unique<boost::asio::io_context>(1));
  }
  DUET_ASSIGN_OR_RETURN(parts->cloud,
                        MakeCloudBackends(config, getenv, &parts->clock, parts->loops()));
  for (std::shared_ptr<Backend>& backend : parts->cloud.backends) {
    backends.push_back(backend);
  }
  // Local models first: the local engine is where failed cloud requests
  // fall back to.
  DUET_ASSIGN_OR_RETURN(std::shared_ptr<Backend> local, MakeLocalBackend(config));
  // The routing policy ([policy] in the config) decides every request.
  Result<std::unique_ptr<PolicyEngine>> policy =
      PolicyEngine::Create(config.policy, &parts->clock, {.catalog = parts->catalog.get()});
  if (!policy) {
    return Error(InvalidArgument("invalid policy: " + policy.error().message()));
  }
  parts->policy = std::move(*policy);
  Router::Options router_options;
  Result<double> shadow_spent = parts->ledger->SeedBudget(&parts->policy->budget());
  if (!shadow_spent) {
    // A cap that cannot see this month's spend would start from $0: fail
    // closed rather than let the month's spend double.
    if (config.policy.HasSpendCaps()) {
      return Error(Unavailable(
          shadow_spent.error().message() +
          ". The spend caps ([policy.budget], [policy.shadow]) need it: repair or move the "
          "file (a new ledger starts empty), or remove the caps"));
    }
    spdlog::warn("{}", shadow_spent.error().message());
  }
  router_options.shadow.spent_this_month_usd = shadow_spent.value_or(0);
  router_options.shadow.reporter = parts->ledger->ShadowRecorder();
  router_options.policy = parts->policy;
  if (local) {
    router_options.fallback = local;
    backends.insert(backends.begin(), std::move(local));
  }
  // The first local backend, for the queue gauges of /metrics.
  std::shared_ptr<Backend> local_backend;
  for (const std::shared_ptr<Backend>& backend : backends) {
    if (local_backend == nullptr && backend->locality() == Locality::kLocal) {
      local_backend = backend;
    }
  }
  if (backends.empty()) {
    spdlog::warn("no backend is configured: requests will be answered with an error");
  }
  parts->router = std::make_unique<Router>(std::move(backends), std::move(router_options));
  ServerLedger* ledger = parts->ledger.get();
  parts->handler = std::make_unique<api::ApiHandler>(
      parts->router.get(), &parts->clock,
      api::ApiHandler::Options{
          .recorder = ledger->recorder(),
          .busy_meter = ledger->busy_meter(),
          .store_content = config.ledger.store_content,
          .metrics_text = [ledger, local_backend, policy = parts->policy] {
            return ledger->MetricsText(local_backend.get(), policy.get());
          }});
  api::http::HttpServer::Options server_options = ServerOptions(config.server);
  server_options.io_contexts = parts->loops();
  server_options.handle_signals = options.handle_signals;
  parts->server = std::make_unique<api::http::HttpServer>(server_options, parts->handler.get());
  return std::unique_ptr<Gateway>(new Gateway(std::move(parts)));
}

Result<uint16_t> Gateway::Start() { return parts_->server->Start(); }
void Gateway::Wait() { parts_->server->Wait(); }
void Gateway::Shutdown() { parts_->server->Shutdown(); }
const std::string& Gateway::ledger_path() const { return parts_->ledger->path(); }

}  // namespace duet
