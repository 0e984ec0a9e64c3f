// Config: every setting duet reads, with its default written in the struct.
//
// Sources, later ones winning:
//   1. the defaults below;
//   2. a TOML file (--config PATH, else $DUET_CONFIG, else
//      $XDG_CONFIG_HOME/duet/duet.toml or ~/.config/duet/duet.toml if present);
//   3. environment variables DUET_<SECTION>_<KEY> (DUET_SERVER_PORT=9000);
//   4. command-line flags (--port, --host, --log-level, --set key=value).
//
// Invalid input is rejected at startup with the source, the key and the
// reason ("duet.toml: server.port: expected an integer in [0, 65535]");
// unknown keys are rejected too, so a typo never silently does nothing.
// docs/configuration.md lists every key; config/duet.toml is the reference
// file, and a test checks that it matches these defaults.
//
// After loading, a Config is immutable and shared as
// std::shared_ptr<const Config>. Thread safety: const access only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/policy_config.h"
#include "core/status.h"

namespace duet {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int64_t port = 8400;  // 0 picks a free port (printed on stdout)
  int64_t io_threads = 0;  // 0: one per CPU core
  int64_t max_body_bytes = 32 * 1024 * 1024;  // Anthropic's own limit
  int64_t max_header_bytes = 16 * 1024;
  int64_t header_timeout_ms = 10'000;  // to receive a request's headers
  int64_t body_timeout_ms = 60'000;    // to receive its body
  int64_t idle_timeout_ms = 60'000;    // keep-alive connection with no request
  int64_t write_timeout_ms = 60'000;   // a client that stops reading
  int64_t max_buffered_response_bytes = 8 * 1024 * 1024;  // per slow client
  int64_t shutdown_grace_ms = 10'000;  // in-flight answers may finish
};

struct LogConfig {
  std::string level = "info";
};

// The in-process llama.cpp engine: settings shared by every local model.
struct LocalConfig {
  int64_t slots = 4;          // requests decoded together, per model
  int64_t queue_size = 64;    // requests waiting for a slot (then 429)
  int64_t threads = 0;        // inference threads; 0 = one per physical core
  int64_t batch_size = 512;   // tokens per decode step
  // llama.cpp's flash attention: "auto" (off when the model runs on CPUs
  // only; RunnerOptions::flash_attention says why), "on" or "off".
  std::string flash_attention = "auto";
  int64_t context = 0;        // tokens per slot; 0 = the model's, up to 8192
  int64_t default_max_tokens = 4096;  // when a request sets no limit
};

// One GGUF model served locally: [models.NAME] in TOML, --model NAME=PATH
// on the command line, or --set models.NAME.path=PATH.
struct LocalModelConfig {
  std::string name;      // the model id clients ask for
  std::string path;      // the .gguf file
  int64_t context = 0;   // overrides local.context for this model
  // Its vision projector (mmproj .gguf), for images. "" = the one file
  // named mmproj*.gguf beside the model, if there is exactly one; "none" =
  // text only.
  std::string mmproj;
};

// Claude through the Anthropic API. Enabled when an API key is found: the
// variable named by api_key_env (ANTHROPIC_API_KEY), else api_key.
struct AnthropicConfig {
  std::string base_url = "https://api.anthropic.com";
  std::string api_key_env = "ANTHROPIC_API_KEY";
  std::string api_key;  // prefer the environment; never printed
  std::string version = "2023-06-01";  // the anthropic-version header
  std::string catalog_file;  // "" = the built-in config/claude-models.toml
  std::string ca_file;       // extra trusted CAs (PEM), for TLS proxies
  int64_t connect_timeout_ms = 10'000;
  int64_t first_byte_timeout_ms = 120'000;
  int64_t idle_timeout_ms = 120'000;  // the API pings every few seconds
  int64_t max_retries = 2;
  int64_t retry_budget_ms = 20'000;  // retries end by then; then fallback
  int64_t breaker_failures = 3;      // consecutive failures that open it
  int64_t breaker_cooldown_ms = 30'000;  // then one probe request
};

// The cost ledger (docs/ledger.md): one SQLite row per answered request.
struct LedgerConfig {
  bool enabled = true;
  // The database file; "" = $XDG_DATA_HOME/duet/ledger.db, else
  // ~/.local/share/duet/ledger.db.
  std::string path;
  // Rows are written in batches at least this often: after kill -9 at
  // most this window of answered requests is missing.
  int64_t flush_interval_ms = 200;
  // Rows waiting to be written; beyond this they are dropped and counted.
  int64_t max_pending = 100'000;
  // Store prompts and answers too (never for sensitive requests).
  bool store_content = false;
};

// What answers cost where no price list says: the local machine's power
// and hardware, and the planner's assumptions (docs/costs.md).
struct CostsConfig {
  double electricity_usd_per_kwh = 0.15;
  // Power the machine draws while generating (GPU + CPU), in watts.
  double local_watts = 350;
  // Hardware bought for local models, written off over hardware_months;
  // 0 = nothing to amortize.
  double hardware_usd = 0;
  int64_t hardware_months = 24;
  // The planner: local generation speed (tokens per second, all tokens of
  // a request, prompt included) to turn tokens into busy hours.
  double local_tokens_per_second = 400;
  // The planner: hosted open-model prices, USD per million tokens, low and
  // high end (the guide's middle tier).
  double hosted_open_low_usd_per_mtok = 0.08;
  double hosted_open_high_usd_per_mtok = 1.20;
};

// One OpenAI-compatible server ([upstreams.NAME]): Ollama, llama-server,
// vLLM, LM Studio or a hosted open-model provider.
struct UpstreamConfig {
  std::string name;      // the table name; shown as the backend's name
  std::string base_url;  // "http://gpu-box:11434" or ".../v1"
  std::string api_key_env;  // variable holding a bearer key; "" = none
  std::vector<std::string> models;  // model ids clients may ask for
  int64_t context_window = 0;       // 0 = unknown
  double input_price = 0;   // USD per million tokens
  double output_price = 0;
  // A server the user controls on a private network (a LAN GPU box):
  // sensitive requests may go to it. Loopback servers are private anyway;
  // any other server counts as cloud.
  bool private_network = false;
};

struct Config {
  ServerConfig server;
  LogConfig log;
  LocalConfig local;
  AnthropicConfig anthropic;
  std::vector<LocalModelConfig> models;  // in the order first configured
  std::vector<UpstreamConfig> upstreams;  // in the order written
  PolicyConfig policy;
  LedgerConfig ledger;
  CostsConfig costs;
};

// Reads an environment variable; nullptr when unset. Injected so tests never
// touch the process environment.
using EnvLookup = std::function<const char*(const char*)>;

// One documented configuration key.
struct ConfigKeyInfo {
  std::string name;  // "server.port"
  std::string type;  // "integer", "number", "boolean", "string"
  std::string help;
};

// Every key duet accepts, in documentation order.
const std::vector<ConfigKeyInfo>& ConfigKeys();

// Every key with its current value in `config`, as a TOML literal
// ("8400", "\"127.0.0.1\""), in documentation order.
std::vector<std::pair<std::string, std::string>> ConfigValues(
    const Config& config);

// `config` as a TOML document, one [section] per key prefix.
std::string ConfigToToml(const Config& config);

// Applies a TOML document to `config`. `source_name` prefixes errors.
// Returns kInvalidArgument for syntax errors, unknown keys and bad values.
Status ApplyToml(std::string_view toml_text, std::string_view source_name,
                 Config* config);

// Applies one "section.key" = "text" override (from the environment or a
// flag), parsing the text as the key's type. Also takes
// "models.NAME.path", "models.NAME.context" and "models.NAME.mmproj".
// kInvalidArgument on failure.
Status ApplyOverride(std::string_view key, std::string_view value,
                     std::string_view source_name, Config* config);

// Applies every DUET_<SECTION>_<KEY> variable found through `getenv`.
Status ApplyEnvironment(const EnvLookup& getenv, Config* config);

// Reads and applies a TOML file. kNotFound if it cannot be read.
Status ApplyTomlFile(const std::string& path, Config* config);

// The file used when no --config is given: $DUET_CONFIG, else the XDG path
// if that file exists, else "" (defaults only).
std::string DefaultConfigPath(const EnvLookup& getenv);

}  // namespace duet
