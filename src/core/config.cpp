#include "core/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>

#include <toml++/toml.h>

#include "core/logging.h"
#include "core/policy_config_toml.h"

namespace duet {
namespace {

// How one key is read and stored. Integers carry their allowed range;
// strings an optional validator.
struct KeySpec {
  ConfigKeyInfo info;
  bool secret = false;  // printed as "<redacted>" when set
  std::function<int64_t&(Config&)> int_field;
  int64_t min = 0;
  int64_t max = std::numeric_limits<int64_t>::max();
  std::function<std::string&(Config&)> string_field;
  std::function<Status(std::string_view)> validate_string;
  std::function<double&(Config&)> number_field;  // finite, >= 0
  std::function<bool&(Config&)> bool_field;
};

KeySpec IntKey(std::string name, std::string help,
               std::function<int64_t&(Config&)> field, int64_t min,
               int64_t max) {
  KeySpec spec;
  spec.info = {std::move(name), "integer", std::move(help)};
  spec.int_field = std::move(field);
  spec.min = min;
  spec.max = max;
  return spec;
}

KeySpec StringKey(std::string name, std::string help,
                  std::function<std::string&(Config&)> field,
                  std::function<Status(std::string_view)> validate = {}) {
  KeySpec spec;
  spec.info = {std::move(name), "string", std::move(help)};
  spec.string_field = std::move(field);
  spec.validate_string = std::move(validate);
  return spec;
}

KeySpec NumberKey(std::string name, std::string help,
                  std::function<double&(Config&)> field) {
  KeySpec spec;
  spec.info = {std::move(name), "number", std::move(help)};
  spec.number_field = std::move(field);
  return spec;
}

KeySpec BoolKey(std::string name, std::string help,
                std::function<bool&(Config&)> field) {
  KeySpec spec;
  spec.info = {std::move(name), "boolean", std::move(help)};
  spec.bool_field = std::move(field);
  return spec;
}

KeySpec SecretKey(KeySpec spec) {
  spec.secret = true;
  return spec;
}

Status ValidateHttpUrl(std::string_view url) {
  return url.starts_with("http://") || url.starts_with("https://")
             ? Status::Ok()
             : InvalidArgument("expected an http:// or https:// URL");
}

constexpr int64_t kMaxMillis = 24LL * 3600 * 1000;
constexpr int64_t kGiB = 1024LL * 1024 * 1024;

const std::vector<KeySpec>& Specs() {
  static const std::vector<KeySpec> specs = {
      StringKey("server.host", "address to listen on",
                [](Config& c) -> std::string& { return c.server.host; }),
      IntKey("server.port", "TCP port; 0 picks a free one",
             [](Config& c) -> int64_t& { return c.server.port; }, 0, 65535),
      IntKey("server.io_threads", "network I/O threads; 0 = one per core",
             [](Config& c) -> int64_t& { return c.server.io_threads; }, 0,
             256),
      IntKey("server.max_body_bytes", "largest request body accepted (413 above)",
             [](Config& c) -> int64_t& { return c.server.max_body_bytes; }, 1,
             4 * kGiB),
      IntKey("server.max_header_bytes", "largest request header block (431 above)",
             [](Config& c) -> int64_t& { return c.server.max_header_bytes; },
             1024, 1024 * 1024),
      IntKey("server.header_timeout_ms", "time allowed to send request headers",
             [](Config& c) -> int64_t& { return c.server.header_timeout_ms; },
             1, kMaxMillis),
      IntKey("server.body_timeout_ms", "time allowed to send a request body",
             [](Config& c) -> int64_t& { return c.server.body_timeout_ms; }, 1,
             kMaxMillis),
      IntKey("server.idle_timeout_ms", "keep-alive connection idle limit",
             [](Config& c) -> int64_t& { return c.server.idle_timeout_ms; }, 1,
             kMaxMillis),
      IntKey("server.write_timeout_ms", "time a client may stall reading a response",
             [](Config& c) -> int64_t& { return c.server.write_timeout_ms; }, 1,
             kMaxMillis),
      IntKey("server.max_buffered_response_bytes",
             "response bytes buffered for a slow reader before it is dropped",
             [](Config& c) -> int64_t& {
               return c.server.max_buffered_response_bytes;
             },
             64 * 1024, 4 * kGiB),
      IntKey("server.shutdown_grace_ms",
             "on SIGINT/SIGTERM, time in-flight answers get to finish",
             [](Config& c) -> int64_t& { return c.server.shutdown_grace_ms; },
             0, kMaxMillis),
      IntKey("local.slots", "requests a local model decodes together",
             [](Config& c) -> int64_t& { return c.local.slots; }, 1, 256),
      IntKey("local.queue_size",
             "requests waiting for a free slot before 429s",
             [](Config& c) -> int64_t& { return c.local.queue_size; }, 0,
             1'000'000),
      IntKey("local.threads", "inference threads per model; 0 = one per physical core",
             [](Config& c) -> int64_t& { return c.local.threads; }, 0, 1024),
      IntKey("local.batch_size", "tokens per decode step",
             [](Config& c) -> int64_t& { return c.local.batch_size; }, 1,
             65536),
      StringKey("local.flash_attention",
                "flash attention: auto (off on CPUs), on or off",
                [](Config& c) -> std::string& { return c.local.flash_attention; },
                [](std::string_view value) {
                  return value == "auto" || value == "on" || value == "off"
                             ? Status::Ok()
                             : InvalidArgument("'" + std::string(value) +
                                               "' is not one of auto, on or off");
                }),
      IntKey("local.context",
             "context window per slot in tokens; 0 = the model's, up to 8192",
             [](Config& c) -> int64_t& { return c.local.context; }, 0,
             10'000'000),
      IntKey("local.default_max_tokens",
             "output limit for requests that set none",
             [](Config& c) -> int64_t& { return c.local.default_max_tokens; },
             1, 10'000'000),
      StringKey("anthropic.base_url", "Anthropic API base URL",
                [](Config& c) -> std::string& { return c.anthropic.base_url; },
                ValidateHttpUrl),
      StringKey("anthropic.api_key_env",
                "environment variable holding the Anthropic API key",
                [](Config& c) -> std::string& { return c.anthropic.api_key_env; }),
      SecretKey(StringKey("anthropic.api_key",
                          "Anthropic API key (prefer the environment)",
                          [](Config& c) -> std::string& { return c.anthropic.api_key; })),
      StringKey("anthropic.version", "anthropic-version header sent upstream",
                [](Config& c) -> std::string& { return c.anthropic.version; }),
      StringKey("anthropic.catalog_file",
                "Claude model catalogue (TOML); empty = built in",
                [](Config& c) -> std::string& { return c.anthropic.catalog_file; }),
      StringKey("anthropic.ca_file", "extra trusted CA certificates (PEM)",
                [](Config& c) -> std::string& { return c.anthropic.ca_file; }),
      IntKey("anthropic.connect_timeout_ms", "DNS + TCP + TLS connect limit",
             [](Config& c) -> int64_t& { return c.anthropic.connect_timeout_ms; },
             1, kMaxMillis),
      IntKey("anthropic.first_byte_timeout_ms", "wait for the response head",
             [](Config& c) -> int64_t& { return c.anthropic.first_byte_timeout_ms; },
             1, kMaxMillis),
      IntKey("anthropic.idle_timeout_ms", "longest silence inside a stream",
             [](Config& c) -> int64_t& { return c.anthropic.idle_timeout_ms; },
             1, kMaxMillis),
      IntKey("anthropic.max_retries", "retries on 429/5xx/529/connection errors",
             [](Config& c) -> int64_t& { return c.anthropic.max_retries; }, 0, 10),
      IntKey("anthropic.retry_budget_ms", "all retries end within this",
             [](Config& c) -> int64_t& { return c.anthropic.retry_budget_ms; },
             0, kMaxMillis),
      IntKey("anthropic.breaker_failures",
             "consecutive failures that open the circuit breaker",
             [](Config& c) -> int64_t& { return c.anthropic.breaker_failures; },
             1, 1000),
      IntKey("anthropic.breaker_cooldown_ms",
             "open breaker waits this long before a probe",
             [](Config& c) -> int64_t& { return c.anthropic.breaker_cooldown_ms; },
             1, kMaxMillis),
      BoolKey("ledger.enabled", "record every answer in the cost ledger",
              [](Config& c) -> bool& { return c.ledger.enabled; }),
      StringKey("ledger.path",
                "ledger database; \"\" = ~/.local/share/duet/ledger.db",
                [](Config& c) -> std::string& { return c.ledger.path; }),
      IntKey("ledger.flush_interval_ms",
             "rows are written at least this often (the kill -9 window)",
             [](Config& c) -> int64_t& { return c.ledger.flush_interval_ms; },
             10, 1000),
      IntKey("ledger.max_pending", "rows waiting to be written before losses",
             [](Config& c) -> int64_t& { return c.ledger.max_pending; }, 1,
             10'000'000),
      BoolKey("ledger.store_content",
              "also store prompts and answers (never sensitive ones)",
              [](Config& c) -> bool& { return c.ledger.store_content; }),
      NumberKey("costs.electricity_usd_per_kwh", "electricity price",
                [](Config& c) -> double& { return c.costs.electricity_usd_per_kwh; }),
      NumberKey("costs.local_watts", "power drawn while generating locally",
                [](Config& c) -> double& { return c.costs.local_watts; }),
      NumberKey("costs.hardware_usd", "local hardware price to amortize",
                [](Config& c) -> double& { return c.costs.hardware_usd; }),
      IntKey("costs.hardware_months", "months to write the hardware off over",
             [](Config& c) -> int64_t& { return c.costs.hardware_months; }, 1,
             600),
      NumberKey("costs.local_tokens_per_second",
                "planner: local tokens processed per second",
                [](Config& c) -> double& { return c.costs.local_tokens_per_second; }),
      NumberKey("costs.hosted_open_low_usd_per_mtok",
                "planner: cheapest hosted open model, per million tokens",
                [](Config& c) -> double& {
                  return c.costs.hosted_open_low_usd_per_mtok;
                }),
      NumberKey("costs.hosted_open_high_usd_per_mtok",
                "planner: dearest hosted open model, per million tokens",
                [](Config& c) -> double& {
                  return c.costs.hosted_open_high_usd_per_mtok;
                }),
      StringKey("log.level", "trace, debug, info, warn, error or off",
                [](Config& c) -> std::string& { return c.log.level; },
                [](std::string_view level) {
                  return IsValidLogLevel(level)
                             ? Status::Ok()
                             : InvalidArgument(
                                   "'" + std::string(level) +
                                   "' is not one of trace, debug, info, "
                                   "warn, error, off");
                }),
  };
  return specs;
}

const KeySpec* FindSpec(std::string_view name) {
  for (const KeySpec& spec : Specs()) {
    if (spec.info.name == name) {
      return &spec;
    }
  }
  return nullptr;
}

Status KeyError(std::string_view source, std::string_view key,
                std::string_view reason) {
  std::string message(source);
  message += ": ";
  message += key;
  message += ": ";
  message += reason;
  return InvalidArgument(std::move(message));
}

std::string RangeText(const KeySpec& spec) {
  return "expected an integer in [" + std::to_string(spec.min) + ", " +
         std::to_string(spec.max) + "]";
}

Status StoreInt(const KeySpec& spec, int64_t value, std::string_view source,
                Config* config) {
  if (value < spec.min || value > spec.max) {
    return KeyError(source, spec.info.name,
                    std::to_string(value) + " is out of range: " +
                        RangeText(spec));
  }
  spec.int_field(*config) = value;
  return Status::Ok();
}

Status StoreString(const KeySpec& spec, std::string_view value,
                   std::string_view source, Config* config) {
  if (spec.validate_string) {
    Status valid = spec.validate_string(value);
    if (!valid.ok()) {
      return KeyError(source, spec.info.name, valid.message());
    }
  }
  spec.string_field(*config) = std::string(value);
  return Status::Ok();
}

Status StoreNumber(const KeySpec& spec, double value, std::string_view source,
                   Config* config) {
  if (!std::isfinite(value) || value < 0) {
    return KeyError(source, spec.info.name, "expected a number >= 0");
  }
  spec.number_field(*config) = value;
  return Status::Ok();
}

Status ApplyNode(const KeySpec& spec, const toml::node& node,
                 std::string_view source, Config* config) {
  if (spec.number_field) {
    const std::optional<double> value = node.value<double>();
    if (!value || node.is_boolean()) {
      return KeyError(source, spec.info.name, "expected a number >= 0");
    }
    return StoreNumber(spec, *value, source, config);
  }
  if (spec.bool_field) {
    const auto* value = node.as_boolean();
    if (value == nullptr) {
      return KeyError(source, spec.info.name, "expected true or false");
    }
    spec.bool_field(*config) = value->get();
    return Status::Ok();
  }
  if (spec.int_field) {
    const auto* value = node.as_integer();
    if (value == nullptr) {
      return KeyError(source, spec.info.name, RangeText(spec));
    }
    return StoreInt(spec, value->get(), source, config);
  }
  const auto* value = node.as_string();
  if (value == nullptr) {
    return KeyError(source, spec.info.name, "expected a string");
  }
  return StoreString(spec, value->get(), source, config);
}

LocalModelConfig& ModelNamed(std::string_view name, Config* config) {
  for (LocalModelConfig& model : config->models) {
    if (model.name == name) {
      return model;
    }
  }
  LocalModelConfig model;
  model.name = std::string(name);
  config->models.push_back(std::move(model));
  return config->models.back();
}

// A model name becomes part of URLs and TOML keys: keep it plain.
bool IsValidModelName(std::string_view name) {
  return !name.empty() && name.size() <= 128 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                  c == '_' || c == '.' || c == ':';
         });
}

constexpr const char* kModelKeys = "unknown key (path, context and mmproj only)";

// [models.NAME] tables: path (string), context (integer >= 0) and mmproj
// (string).
Status ApplyModels(const toml::table& models, std::string_view source,
                   Config* config) {
  // toml++ iterates keys sorted; models keep the order they were written in
  // (the first one is the default model).
  std::vector<std::pair<const toml::key*, const toml::node*>> ordered;
  for (const auto& [name_key, node] : models) {
    ordered.emplace_back(&name_key, &node);
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    const toml::source_position& pa = a.first->source().begin;
    const toml::source_position& pb = b.first->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  for (const auto& [name_key_ptr, node_ptr] : ordered) {
    const toml::key& name_key = *name_key_ptr;
    const toml::node& node = *node_ptr;
    const std::string name(name_key.str());
    const std::string prefix = "models." + name;
    if (!IsValidModelName(name)) {
      return KeyError(source, prefix,
                      "model names use letters, digits and - _ . : only");
    }
    const toml::table* fields = node.as_table();
    if (fields == nullptr) {
      return KeyError(source, prefix, "expected a table with a path");
    }
    LocalModelConfig& model = ModelNamed(name, config);
    for (const auto& [field, value] : *fields) {
      const std::string key = prefix + "." + std::string(field.str());
      if (field.str() == "path") {
        const auto* path = value.as_string();
        if (path == nullptr || path->get().empty()) {
          return KeyError(source, key, "expected a file path");
        }
        model.path = path->get();
      } else if (field.str() == "context") {
        const auto* context = value.as_integer();
        if (context == nullptr || context->get() < 0) {
          return KeyError(source, key, "expected an integer >= 0");
        }
        model.context = context->get();
      } else if (field.str() == "mmproj") {
        const auto* mmproj = value.as_string();
        if (mmproj == nullptr || mmproj->get().empty()) {
          return KeyError(source, key, "expected a file path or \"none\"");
        }
        model.mmproj = mmproj->get();
      } else {
        return KeyError(source, key, kModelKeys);
      }
    }
    if (model.path.empty()) {
      return KeyError(source, prefix + ".path", "required");
    }
  }
  return Status::Ok();
}

// "models.NAME.FIELD" given as text (--set, --model).
Status ApplyModelOverride(std::string_view key, std::string_view value,
                          std::string_view source, Config* config) {
  const std::string_view rest = key.substr(std::string_view("models.").size());
  const size_t dot = rest.rfind('.');
  const std::string_view name = rest.substr(0, dot);
  const std::string_view field =
      dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  if (dot == std::string_view::npos || !IsValidModelName(name)) {
    return KeyError(source, key,
                    "expected models.NAME.path, models.NAME.context or models.NAME.mmproj");
  }
  if (field == "path") {
    if (value.empty()) {
      return KeyError(source, key, "expected a file path");
    }
    ModelNamed(name, config).path = std::string(value);
    return Status::Ok();
  }
  if (field == "context") {
    int64_t parsed = 0;
    const char* end = value.data() + value.size();
    auto [ptr, ec] = std::from_chars(value.data(), end, parsed);
    if (ec != std::errc() || ptr != end || value.empty() || parsed < 0) {
      return KeyError(source, key, "expected an integer >= 0");
    }
    LocalModelConfig& model = ModelNamed(name, config);
    model.context = parsed;
    return Status::Ok();
  }
  if (field == "mmproj") {
    if (value.empty()) {
      return KeyError(source, key, "expected a file path or \"none\"");
    }
    ModelNamed(name, config).mmproj = std::string(value);
    return Status::Ok();
  }
  return KeyError(source, key, kModelKeys);
}

// [upstreams.NAME] tables: base_url (required), api_key_env, models
// (required, non-empty), context_window, input_price, output_price.
Status ApplyUpstreams(const toml::table& upstreams, std::string_view source,
                      Config* config) {
  for (const auto& [name_key, node] : upstreams) {
    const std::string name(name_key.str());
    const std::string prefix = "upstreams." + name;
    if (!IsValidModelName(name)) {
      return KeyError(source, prefix,
                      "upstream names use letters, digits and - _ . : only");
    }
    const toml::table* fields = node.as_table();
    if (fields == nullptr) {
      return KeyError(source, prefix, "expected a table with base_url and models");
    }
    UpstreamConfig upstream;
    upstream.name = name;
    for (const auto& [field_key, value] : *fields) {
      const std::string field(field_key.str());
      const std::string key = prefix + "." + field;
      if (field == "base_url" || field == "api_key_env") {
        const auto* text = value.as_string();
        if (text == nullptr) {
          return KeyError(source, key, "expected a string");
        }
        (field == "base_url" ? upstream.base_url : upstream.api_key_env) = text->get();
      } else if (field == "models") {
        const auto* list = value.as_array();
        if (list == nullptr) {
          return KeyError(source, key, "expected an array of model ids");
        }
        for (const toml::node& item : *list) {
          const auto* id = item.as_string();
          if (id == nullptr || id->get().empty()) {
            return KeyError(source, key, "expected an array of model ids");
          }
          upstream.models.push_back(id->get());
        }
      } else if (field == "private") {
        const auto* flag = value.as_boolean();
        if (flag == nullptr) {
          return KeyError(source, key, "expected true or false");
        }
        upstream.private_network = flag->get();
      } else if (field == "context_window") {
        const auto* number = value.as_integer();
        if (number == nullptr || number->get() < 0) {
          return KeyError(source, key, "expected an integer >= 0");
        }
        upstream.context_window = number->get();
      } else if (field == "input_price" || field == "output_price") {
        const std::optional<double> price = value.value<double>();
        if (!price || *price < 0) {
          return KeyError(source, key, "expected a number >= 0");
        }
        (field == "input_price" ? upstream.input_price : upstream.output_price) = *price;
      } else {
        return KeyError(source, key,
                        "unknown key (base_url, api_key_env, models, "
                        "context_window, input_price, output_price, private)");
      }
    }
    if (!upstream.base_url.starts_with("http://") &&
        !upstream.base_url.starts_with("https://")) {
      return KeyError(source, prefix + ".base_url",
                      "required: an http:// or https:// URL");
    }
    if (upstream.models.empty()) {
      return KeyError(source, prefix + ".models", "required: the model ids it serves");
    }
    std::erase_if(config->upstreams,
                  [&](const UpstreamConfig& u) { return u.name == name; });
    config->upstreams.push_back(std::move(upstream));
  }
  return Status::Ok();
}

Status ApplyTable(const toml::table& table, const std::string& prefix,
                  std::string_view source, Config* config) {
  for (const auto& [key, node] : table) {
    if (prefix.empty() && key.str() == "models") {
      const toml::table* models = node.as_table();
      if (models == nullptr) {
        return KeyError(source, "models", "expected a table of [models.NAME]");
      }
      DUET_RETURN_IF_ERROR(ApplyModels(*models, source, config));
      continue;
    }
    if (prefix.empty() && key.str() == "policy") {
      const toml::table* policy = node.as_table();
      if (policy == nullptr) {
        return KeyError(source, "policy", "expected a [policy] table");
      }
      DUET_RETURN_IF_ERROR(ApplyPolicyTable(*policy, source, &config->policy));
      continue;
    }
    if (prefix.empty() && key.str() == "upstreams") {
      const toml::table* upstreams = node.as_table();
      if (upstreams == nullptr) {
        return KeyError(source, "upstreams", "expected [upstreams.NAME] tables");
      }
      DUET_RETURN_IF_ERROR(ApplyUpstreams(*upstreams, source, config));
      continue;
    }
    const std::string name =
        prefix.empty() ? std::string(key.str())
                       : prefix + "." + std::string(key.str());
    if (const auto* child = node.as_table()) {
      DUET_RETURN_IF_ERROR(ApplyTable(*child, name, source, config));
      continue;
    }
    const KeySpec* spec = FindSpec(name);
    if (spec == nullptr) {
      return KeyError(source, name, "unknown key (see docs/configuration.md)");
    }
    DUET_RETURN_IF_ERROR(ApplyNode(*spec, node, source, config));
  }
  return Status::Ok();
}

}  // namespace

const std::vector<ConfigKeyInfo>& ConfigKeys() {
  static const std::vector<ConfigKeyInfo> keys = [] {
    std::vector<ConfigKeyInfo> out;
    for (const KeySpec& spec : Specs()) {
      out.push_back(spec.info);
    }
    return out;
  }();
  return keys;
}

std::vector<std::pair<std::string, std::string>> ConfigValues(
    const Config& config) {
  Config copy = config;  // the accessors hand out mutable references
  std::vector<std::pair<std::string, std::string>> values;
  for (const KeySpec& spec : Specs()) {
    std::string text;
    if (spec.int_field) {
      text = std::to_string(spec.int_field(copy));
    } else if (spec.number_field) {
      std::ostringstream number;
      number << toml::value<double>(spec.number_field(copy));
      text = number.str();
    } else if (spec.bool_field) {
      text = spec.bool_field(copy) ? "true" : "false";
    } else {
      std::ostringstream quoted;
      const std::string& value = spec.string_field(copy);
      quoted << toml::value<std::string>(spec.secret && !value.empty()
                                             ? std::string("<redacted>")
                                             : value);
      text = quoted.str();
    }
    values.emplace_back(spec.info.name, std::move(text));
  }
  return values;
}

std::string ConfigToToml(const Config& config) {
  std::string out;
  std::string section;
  for (const auto& [name, value] : ConfigValues(config)) {
    const size_t dot = name.find('.');
    const std::string key_section = name.substr(0, dot);
    if (key_section != section) {
      out += (out.empty() ? "[" : "\n[") + key_section + "]\n";
      section = key_section;
    }
    out += name.substr(dot + 1) + " = " + value + "\n";
  }
  for (const LocalModelConfig& model : config.models) {
    std::ostringstream path;
    path << toml::value<std::string>(model.path);
    out += "\n[models." + model.name + "]\npath = " + path.str() +
           "\ncontext = " + std::to_string(model.context) + "\n";
    if (!model.mmproj.empty()) {
      std::ostringstream mmproj;
      mmproj << toml::value<std::string>(model.mmproj);
      out += "mmproj = " + mmproj.str() + "\n";
    }
  }
  for (const UpstreamConfig& upstream : config.upstreams) {
    toml::array models;
    for (const std::string& id : upstream.models) {
      models.push_back(id);
    }
    std::ostringstream text;
    text << "\n[upstreams." << upstream.name << "]\nbase_url = "
         << toml::value<std::string>(upstream.base_url) << "\napi_key_env = "
         << toml::value<std::string>(upstream.api_key_env) << "\nmodels = " << models
         << "\ncontext_window = " << upstream.context_window
         << "\ninput_price = " << toml::value<double>(upstream.input_price)
         << "\noutput_price = " << toml::value<double>(upstream.output_price)
         << "\nprivate = " << (upstream.private_network ? "true" : "false") << "\n";
    out += text.str();
  }
  out += PolicyToToml(config.policy);
  return out;
}

Status ApplyToml(std::string_view toml_text, std::string_view source_name,
                 Config* config) {
  toml::table table;
  try {
    table = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    std::ostringstream message;
    message << source_name << ":" << error.source().begin.line << ":"
            << error.source().begin.column << ": " << error.description();
    return InvalidArgument(message.str());
  }
  return ApplyTable(table, "", source_name, config);
}

Status ApplyOverride(std::string_view key, std::string_view value,
                     std::string_view source_name, Config* config) {
  if (key.rfind("models.", 0) == 0) {
    return ApplyModelOverride(key, value, source_name, config);
  }
  const KeySpec* spec = FindSpec(key);
  if (spec == nullptr) {
    return KeyError(source_name, key, "unknown key (see docs/configuration.md)");
  }
  if (spec->number_field) {
    double parsed = 0;
    const char* end = value.data() + value.size();
    auto [ptr, ec] = std::from_chars(value.data(), end, parsed);
    if (ec != std::errc() || ptr != end || value.empty()) {
      return KeyError(source_name, key, "expected a number >= 0");
    }
    return StoreNumber(*spec, parsed, source_name, config);
  }
  if (spec->bool_field) {
    if (value != "true" && value != "false") {
      return KeyError(source_name, key, "expected true or false");
    }
    spec->bool_field(*config) = value == "true";
    return Status::Ok();
  }
  if (spec->int_field) {
    int64_t parsed = 0;
    const char* end = value.data() + value.size();
    auto [ptr, ec] = std::from_chars(value.data(), end, parsed);
    if (ec != std::errc() || ptr != end || value.empty()) {
      return KeyError(source_name, key, RangeText(*spec));
    }
    return StoreInt(*spec, parsed, source_name, config);
  }
  return StoreString(*spec, value, source_name, config);
}

Status ApplyEnvironment(const EnvLookup& getenv, Config* config) {
  for (const KeySpec& spec : Specs()) {
    std::string variable = "DUET_";
    for (char c : spec.info.name) {
      variable.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(
                                              static_cast<unsigned char>(c))));
    }
    if (const char* value = getenv(variable.c_str())) {
      DUET_RETURN_IF_ERROR(
          ApplyOverride(spec.info.name, value, variable, config));
    }
  }
  return Status::Ok();
}

Status ApplyTomlFile(const std::string& path, Config* config) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return NotFound("cannot read config file " + path);
  }
  std::stringstream contents;
  contents << file.rdbuf();
  return ApplyToml(contents.str(), path, config);
}

std::string DefaultConfigPath(const EnvLookup& getenv) {
  if (const char* explicit_path = getenv("DUET_CONFIG")) {
    return explicit_path;
  }
  std::filesystem::path base;
  if (const char* xdg = getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg) {
    base = xdg;
  } else if (const char* home = getenv("HOME"); home != nullptr && *home) {
    base = std::filesystem::path(home) / ".config";
  } else {
    return "";
  }
  std::filesystem::path candidate = base / "duet" / "duet.toml";
  std::error_code error;
  return std::filesystem::exists(candidate, error) ? candidate.string() : "";
}

}  // namespace duet
