#include "app/cloud_backends.h"

#include <spdlog/spdlog.h>

#include "backend/anthropic/anthropic_backend.h"
#include "core/version.h"
#include "model/claude_catalog.h"
#include "net/asio_http_client.h"

namespace duet {

Result<CloudBackends> MakeCloudBackends(const Config& config,
                                        const EnvLookup& getenv,
                                        const Clock* clock) {
  CloudBackends cloud;
  const AnthropicConfig& anthropic = config.anthropic;
  std::string api_key;
  if (!anthropic.api_key_env.empty()) {
    if (const char* value = getenv(anthropic.api_key_env.c_str())) {
      api_key = value;
    }
  }
  if (api_key.empty()) {
    api_key = anthropic.api_key;
  }
  if (api_key.empty()) {
    spdlog::info("Claude is off: set {} to use it",
                 anthropic.api_key_env.empty() ? "anthropic.api_key"
                                               : anthropic.api_key_env);
    return cloud;
  }
  DUET_ASSIGN_OR_RETURN(ClaudeCatalog catalog,
                        ClaudeCatalog::Load(anthropic.catalog_file));
  net::AsioHttpClient::Options client_options;
  client_options.ca_file = anthropic.ca_file;
  DUET_ASSIGN_OR_RETURN(client_options.proxy,
                        net::ProxySettings::FromEnvironment(getenv));
  DUET_ASSIGN_OR_RETURN(std::unique_ptr<net::AsioHttpClient> client,
                        net::AsioHttpClient::Create(std::move(client_options)));

  anthropic::AnthropicBackend::Options options;
  options.base_url = anthropic.base_url;
  options.api_key = std::move(api_key);
  options.version = anthropic.version;
  options.user_agent = std::string("duet/") + kVersion;
  options.catalog = std::move(catalog);
  options.timeouts.connect = std::chrono::milliseconds(anthropic.connect_timeout_ms);
  options.timeouts.first_byte =
      std::chrono::milliseconds(anthropic.first_byte_timeout_ms);
  options.timeouts.idle = std::chrono::milliseconds(anthropic.idle_timeout_ms);
  options.max_retries = static_cast<int>(anthropic.max_retries);
  options.retry_budget = std::chrono::milliseconds(anthropic.retry_budget_ms);
  options.breaker.failure_threshold = anthropic.breaker_failures;
  options.breaker.cooldown = std::chrono::milliseconds(anthropic.breaker_cooldown_ms);
  cloud.backends.push_back(std::make_shared<anthropic::AnthropicBackend>(
      std::move(options), client.get(), clock));
  cloud.http_client = std::move(client);
  spdlog::info("Claude is on through {}", anthropic.base_url);
  return cloud;
}

}  // namespace duet
