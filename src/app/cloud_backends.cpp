#include "app/cloud_backends.h"

#include <spdlog/spdlog.h>

#include "backend/anthropic/anthropic_backend.h"
#include "backend/openai/openai_backend.h"
#include "core/version.h"
#include "model/claude_catalog.h"
#include "net/asio_http_client.h"

namespace duet {

namespace {

// The HTTP client every remote backend shares, made on first use.
Result<net::HttpClient*> SharedClient(const Config& config,
                                      const EnvLookup& getenv,
                                      const std::vector<boost::asio::io_context*>& io_contexts,
                                      CloudBackends* cloud) {
  if (!cloud->http_client) {
    net::AsioHttpClient::Options options;
    options.io_contexts = io_contexts;
    options.ca_file = config.anthropic.ca_file;
    DUET_ASSIGN_OR_RETURN(options.proxy, net::ProxySettings::FromEnvironment(getenv));
    DUET_ASSIGN_OR_RETURN(cloud->http_client,
                          net::AsioHttpClient::Create(std::move(options)));
  }
  return cloud->http_client.get();
}

std::string FindKey(const std::string& env_name, const EnvLookup& getenv) {
  if (env_name.empty()) {
    return "";
  }
  const char* value = getenv(env_name.c_str());
  return value != nullptr ? value : "";
}

Status AddAnthropic(const Config& config, const EnvLookup& getenv,
                    const Clock* clock, const std::vector<boost::asio::io_context*>& io_contexts,
                    CloudBackends* cloud) {
  const AnthropicConfig& anthropic = config.anthropic;
  std::string api_key = FindKey(anthropic.api_key_env, getenv);
  if (api_key.empty()) {
    api_key = anthropic.api_key;
  }
  if (api_key.empty()) {
    spdlog::info("Claude is off: set {} to use it",
                 anthropic.api_key_env.empty() ? "anthropic.api_key"
                                               : anthropic.api_key_env);
    return Status::Ok();
  }
  DUET_ASSIGN_OR_RETURN(ClaudeCatalog catalog,
                        ClaudeCatalog::Load(anthropic.catalog_file));
  DUET_ASSIGN_OR_RETURN(net::HttpClient * client,
                        SharedClient(config, getenv, io_contexts, cloud));
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
  cloud->backends.push_back(std::make_shared<anthropic::AnthropicBackend>(
      std::move(options), client, clock));
  spdlog::info("Claude is on through {}", anthropic.base_url);
  return Status::Ok();
}

Status AddUpstream(const UpstreamConfig& upstream, const Config& config,
                   const EnvLookup& getenv, const Clock* clock,
                   const std::vector<boost::asio::io_context*>& io_contexts, CloudBackends* cloud) {
  DUET_ASSIGN_OR_RETURN(net::HttpClient * client,
                        SharedClient(config, getenv, io_contexts, cloud));
  openai::OpenAICompatibleBackend::Options options;
  options.name = upstream.name;
  options.base_url = upstream.base_url;
  options.api_key = FindKey(upstream.api_key_env, getenv);
  if (!upstream.api_key_env.empty() && options.api_key.empty()) {
    spdlog::warn("upstream {}: {} is not set; calling it without a key",
                 upstream.name, upstream.api_key_env);
  }
  options.models = upstream.models;
  options.context_window = upstream.context_window;
  options.user_agent = std::string("duet/") + kVersion;
  // The same limits as for Claude: one set of knobs for remote calls.
  const AnthropicConfig& limits = config.anthropic;
  options.timeouts.connect = std::chrono::milliseconds(limits.connect_timeout_ms);
  options.timeouts.first_byte = std::chrono::milliseconds(limits.first_byte_timeout_ms);
  options.timeouts.idle = std::chrono::milliseconds(limits.idle_timeout_ms);
  options.max_retries = static_cast<int>(limits.max_retries);
  options.retry_budget = std::chrono::milliseconds(limits.retry_budget_ms);
  options.breaker.failure_threshold = limits.breaker_failures;
  options.breaker.cooldown = std::chrono::milliseconds(limits.breaker_cooldown_ms);
  cloud->backends.push_back(std::make_shared<openai::OpenAICompatibleBackend>(
      std::move(options), client, clock));
  spdlog::info("upstream {} at {} serves {} model(s)", upstream.name,
               upstream.base_url, upstream.models.size());
  return Status::Ok();
}

}  // namespace

Result<CloudBackends> MakeCloudBackends(const Config& config,
                                        const EnvLookup& getenv,
                                        const Clock* clock,
                                        const std::vector<boost::asio::io_context*>& io_contexts) {
  CloudBackends cloud;
  DUET_RETURN_IF_ERROR(AddAnthropic(config, getenv, clock, io_contexts, &cloud));
  for (const UpstreamConfig& upstream : config.upstreams) {
    DUET_RETURN_IF_ERROR(
        AddUpstream(upstream, config, getenv, clock, io_contexts, &cloud));
  }
  return cloud;
}

}  // namespace duet
