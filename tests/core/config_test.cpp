#include "core/config.h"

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace duet {
namespace {

TEST(ConfigTest, ReferenceFileMatchesTheDefaults) {
  // config/duet.toml documents every key with its default; if a default
  // changes in code or a key is added, this test points at the stale file.
  Config from_file;
  ASSERT_TRUE(ApplyTomlFile(DUET_SOURCE_DIR "/config/duet.toml", &from_file).ok());
  EXPECT_EQ(ConfigValues(from_file), ConfigValues(Config()));
  // The shipped [policy] spells out the built-in policy (policy.md).
  EXPECT_EQ(from_file.policy, Config().policy);

  // And it sets every key explicitly, so none goes undocumented.
  std::ifstream file(DUET_SOURCE_DIR "/config/duet.toml");
  std::stringstream text;
  text << file.rdbuf();
  for (const ConfigKeyInfo& key : ConfigKeys()) {
    const std::string bare = key.name.substr(key.name.find('.') + 1);
    EXPECT_NE(text.str().find("\n" + bare + " = "), std::string::npos)
        << key.name << " is missing from config/duet.toml";
  }
}

TEST(ConfigTest, TomlOverridesDefaults) {
  Config config;
  Status status = ApplyToml(
      "[server]\nport = 9000\nhost = \"0.0.0.0\"\n[log]\nlevel = \"debug\"\n",
      "test.toml", &config);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(config.server.port, 9000);
  EXPECT_EQ(config.server.host, "0.0.0.0");
  EXPECT_EQ(config.log.level, "debug");
  EXPECT_EQ(config.server.idle_timeout_ms, 60'000);  // untouched
}

TEST(ConfigTest, RejectsUnknownKeysWithSourceAndKey) {
  Config config;
  Status status = ApplyToml("[server]\nprot = 1\n", "duet.toml", &config);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "duet.toml: server.prot: unknown key (see docs/configuration.md)");
}

TEST(ConfigTest, RejectsWrongTypesAndOutOfRangeValues) {
  Config config;
  EXPECT_EQ(ApplyToml("[server]\nport = \"80\"\n", "f.toml", &config).message(),
            "f.toml: server.port: expected an integer in [0, 65535]");
  EXPECT_EQ(ApplyToml("[server]\nport = 70000\n", "f.toml", &config).message(),
            "f.toml: server.port: 70000 is out of range: expected an integer "
            "in [0, 65535]");
  EXPECT_EQ(ApplyToml("[log]\nlevel = \"loud\"\n", "f.toml", &config).message(),
            "f.toml: log.level: 'loud' is not one of trace, debug, info, "
            "warn, error, off");
  EXPECT_EQ(config.server.port, 8400);  // nothing half-applied to that key
}

TEST(ConfigTest, SyntaxErrorsNameLineAndColumn) {
  Config config;
  Status status = ApplyToml("[server\nport = 1\n", "bad.toml", &config);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("bad.toml:1:", 0), 0u) << status.message();
}

TEST(ConfigTest, EnvironmentVariablesUseSectionAndKeyNames) {
  std::map<std::string, std::string> env = {{"DUET_SERVER_PORT", "0"},
                                            {"DUET_LOG_LEVEL", "warn"},
                                            {"UNRELATED", "x"}};
  EnvLookup lookup = [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  Config config;
  ASSERT_TRUE(ApplyEnvironment(lookup, &config).ok());
  EXPECT_EQ(config.server.port, 0);
  EXPECT_EQ(config.log.level, "warn");

  env["DUET_SERVER_PORT"] = "eighty";
  Status status = ApplyEnvironment(lookup, &config);
  EXPECT_EQ(status.message(),
            "DUET_SERVER_PORT: server.port: expected an integer in [0, 65535]");
}

TEST(ConfigTest, OverridesParseTheKeysType) {
  Config config;
  ASSERT_TRUE(ApplyOverride("server.idle_timeout_ms", "250", "--set", &config).ok());
  EXPECT_EQ(config.server.idle_timeout_ms, 250);
  EXPECT_FALSE(ApplyOverride("server.idle_timeout_ms", "25x", "--set", &config).ok());
  EXPECT_FALSE(ApplyOverride("server.idle_timeout_ms", "", "--set", &config).ok());
  EXPECT_EQ(ApplyOverride("nope.key", "1", "--set", &config).message(),
            "--set: nope.key: unknown key (see docs/configuration.md)");
}

TEST(ConfigTest, DefaultPathPrefersDuetConfigVariable) {
  EnvLookup explicit_path = [](const char* name) -> const char* {
    return std::string(name) == "DUET_CONFIG" ? "/etc/duet.toml" : nullptr;
  };
  EXPECT_EQ(DefaultConfigPath(explicit_path), "/etc/duet.toml");
  EnvLookup nothing = [](const char*) -> const char* { return nullptr; };
  EXPECT_EQ(DefaultConfigPath(nothing), "");
}

}  // namespace
}  // namespace duet

namespace duet {
namespace {

TEST(ConfigModelsTest, TablesDeclareModelsInOrder) {
  Config config;
  ASSERT_TRUE(ApplyToml("[models.small]\npath = \"/m/small.gguf\"\n"
                        "[models.big-7b]\npath = \"/m/big.gguf\"\n"
                        "context = 16384\n",
                        "f.toml", &config)
                  .ok());
  ASSERT_EQ(config.models.size(), 2u);
  EXPECT_EQ(config.models[0].name, "small");
  EXPECT_EQ(config.models[0].path, "/m/small.gguf");
  EXPECT_EQ(config.models[0].context, 0);
  EXPECT_EQ(config.models[1].name, "big-7b");
  EXPECT_EQ(config.models[1].context, 16384);
}

TEST(ConfigModelsTest, PrintedConfigReadsBackTheSame) {
  Config config;
  ASSERT_TRUE(ApplyOverride("models.a.path", "/m/a b.gguf", "--model", &config).ok());
  ASSERT_TRUE(ApplyOverride("models.a.context", "2048", "--set", &config).ok());
  ASSERT_TRUE(ApplyOverride("local.slots", "2", "--set", &config).ok());
  Config again;
  ASSERT_TRUE(ApplyToml(ConfigToToml(config), "printed", &again).ok())
      << ConfigToToml(config);
  ASSERT_EQ(again.models.size(), 1u);
  EXPECT_EQ(again.models[0].path, "/m/a b.gguf");
  EXPECT_EQ(again.models[0].context, 2048);
  EXPECT_EQ(again.local.slots, 2);
}

TEST(ConfigModelsTest, LaterSourcesChangeTheSameModel) {
  Config config;
  ASSERT_TRUE(ApplyToml("[models.m]\npath = \"/old.gguf\"\ncontext = 100\n",
                        "f.toml", &config)
                  .ok());
  ASSERT_TRUE(ApplyOverride("models.m.path", "/new.gguf", "--model", &config).ok());
  ASSERT_EQ(config.models.size(), 1u);
  EXPECT_EQ(config.models[0].path, "/new.gguf");
  EXPECT_EQ(config.models[0].context, 100);
}

TEST(ConfigModelsTest, VisionProjectorFromTomlAndOverridesRoundTrips) {
  Config config;
  ASSERT_TRUE(ApplyToml("[models.eyes]\npath = \"/m/g.gguf\"\nmmproj = \"/m/mmproj g.gguf\"\n"
                        "[models.text]\npath = \"/m/t.gguf\"\n",
                        "f.toml", &config)
                  .ok());
  ASSERT_TRUE(ApplyOverride("models.text.mmproj", "none", "--set", &config).ok());
  ASSERT_EQ(config.models.size(), 2u);
  EXPECT_EQ(config.models[0].mmproj, "/m/mmproj g.gguf");
  EXPECT_EQ(config.models[1].mmproj, "none");
  Config again;
  ASSERT_TRUE(ApplyToml(ConfigToToml(config), "printed", &again).ok());
  ASSERT_EQ(again.models.size(), 2u);
  EXPECT_EQ(again.models[0].mmproj, "/m/mmproj g.gguf");
  EXPECT_EQ(again.models[1].mmproj, "none");
  EXPECT_EQ(ApplyToml("[models.m]\npath = \"/x\"\nmmproj = 1\n", "f.toml", &config).message(),
            "f.toml: models.m.mmproj: expected a file path or \"none\"");
  EXPECT_EQ(ApplyOverride("models.m.mmproj", "", "--set", &config).message(),
            "--set: models.m.mmproj: expected a file path or \"none\"");
}

TEST(ConfigModelsTest, MistakesNameTheKey) {
  const auto error = [](std::string_view toml) {
    Config config;
    return ApplyToml(toml, "f.toml", &config).message();
  };
  EXPECT_EQ(error("[models.m]\ncontext = 5\n"), "f.toml: models.m.path: required");
  EXPECT_EQ(error("[models.m]\npath = \"/x\"\nthreads = 2\n"),
            "f.toml: models.m.threads: unknown key (path, context and mmproj only)");
  EXPECT_EQ(error("[models.m]\npath = 3\n"),
            "f.toml: models.m.path: expected a file path");
  EXPECT_EQ(error("[models.m]\npath = \"/x\"\ncontext = -1\n"),
            "f.toml: models.m.context: expected an integer >= 0");
  EXPECT_EQ(error("[models]\nm = \"/x\"\n"),
            "f.toml: models.m: expected a table with a path");
  EXPECT_EQ(error("[models.\"a b\"]\npath = \"/x\"\n"),
            "f.toml: models.a b: model names use letters, digits and - _ . : only");
  Config config;
  EXPECT_EQ(ApplyOverride("models.m", "/x", "--set", &config).message(),
            "--set: models.m: expected models.NAME.path, models.NAME.context or "
            "models.NAME.mmproj");
  EXPECT_EQ(ApplyOverride("models.m.context", "lots", "--set", &config).message(),
            "--set: models.m.context: expected an integer >= 0");
}

TEST(ConfigTest, AnthropicKeysAndTheApiKeyIsNeverPrinted) {
  Config config;
  ASSERT_TRUE(ApplyToml("[anthropic]\nbase_url = \"http://127.0.0.1:9\"\n"
                        "api_key = \"sk-ant-secret-value\"\nmax_retries = 5\n",
                        "f.toml", &config)
                  .ok());
  EXPECT_EQ(config.anthropic.base_url, "http://127.0.0.1:9");
  EXPECT_EQ(config.anthropic.api_key, "sk-ant-secret-value");
  EXPECT_EQ(config.anthropic.max_retries, 5);
  const std::string printed = ConfigToToml(config);
  EXPECT_EQ(printed.find("sk-ant-secret-value"), std::string::npos);
  EXPECT_NE(printed.find("api_key = '<redacted>'"), std::string::npos);
  // An unset key prints as empty, so the reference file stays accurate.
  EXPECT_NE(ConfigToToml(Config()).find("api_key = ''"), std::string::npos);
  EXPECT_EQ(ApplyOverride("anthropic.base_url", "ftp://x", "--set", &config).message(),
            "--set: anthropic.base_url: expected an http:// or https:// URL");
  EXPECT_EQ(ApplyOverride("anthropic.max_retries", "11", "--set", &config).message(),
            "--set: anthropic.max_retries: 11 is out of range: expected an integer in [0, 10]");
}

TEST(ConfigTest, UpstreamTablesAndTheirErrors) {
  Config config;
  ASSERT_TRUE(ApplyToml("[upstreams.ollama]\nbase_url = \"http://gpu:11434\"\n"
                        "models = [\"qwen2.5:7b\", \"llama3.1:8b\"]\n"
                        "api_key_env = \"OLLAMA_KEY\"\ninput_price = 0.08\n"
                        "output_price = 1\ncontext_window = 32768\n",
                        "f.toml", &config)
                  .ok());
  ASSERT_EQ(config.upstreams.size(), 1u);
  const UpstreamConfig& upstream = config.upstreams[0];
  EXPECT_EQ(upstream.name, "ollama");
  EXPECT_EQ(upstream.models, (std::vector<std::string>{"qwen2.5:7b", "llama3.1:8b"}));
  EXPECT_EQ(upstream.api_key_env, "OLLAMA_KEY");
  EXPECT_DOUBLE_EQ(upstream.input_price, 0.08);
  EXPECT_DOUBLE_EQ(upstream.output_price, 1.0);
  EXPECT_EQ(upstream.context_window, 32768);
  // Printed back, it reads in again the same.
  Config again;
  ASSERT_TRUE(ApplyToml(ConfigToToml(config), "printed", &again).ok());
  ASSERT_EQ(again.upstreams.size(), 1u);
  EXPECT_EQ(again.upstreams[0].models, upstream.models);
  EXPECT_DOUBLE_EQ(again.upstreams[0].input_price, 0.08);

  auto error = [](const char* toml) {
    Config c;
    return ApplyToml(toml, "f.toml", &c).message();
  };
  EXPECT_EQ(error("[upstreams.a]\nmodels = [\"m\"]\n"),
            "f.toml: upstreams.a.base_url: required: an http:// or https:// URL");
  EXPECT_EQ(error("[upstreams.a]\nbase_url = \"http://h\"\n"),
            "f.toml: upstreams.a.models: required: the model ids it serves");
  EXPECT_EQ(error("[upstreams.a]\nbase_url = \"http://h\"\nmodels = [1]\n"),
            "f.toml: upstreams.a.models: expected an array of model ids");
  EXPECT_EQ(error("[upstreams.a]\nbase_url = \"http://h\"\nmodels = [\"m\"]\n"
                  "input_price = -1\n"),
            "f.toml: upstreams.a.input_price: expected a number >= 0");
  EXPECT_EQ(error("[upstreams.a]\nbase_url = \"http://h\"\nmodels = [\"m\"]\nkey = 1\n"),
            "f.toml: upstreams.a.key: unknown key (base_url, api_key_env, models, "
            "context_window, input_price, output_price, private)");
}

}  // namespace
}  // namespace duet

namespace duet {
namespace {

TEST(ConfigTest, NumberAndBooleanKeysFromEverySource) {
  Config config;
  ASSERT_TRUE(ApplyToml("[costs]\nlocal_watts = 120\nelectricity_usd_per_kwh = 0.31\n"
                        "[ledger]\nstore_content = true\n",
                        "f.toml", &config)
                  .ok());
  EXPECT_DOUBLE_EQ(config.costs.local_watts, 120.0);  // a TOML integer is a number
  EXPECT_DOUBLE_EQ(config.costs.electricity_usd_per_kwh, 0.31);
  EXPECT_TRUE(config.ledger.store_content);
  ASSERT_TRUE(ApplyOverride("ledger.enabled", "false", "--set", &config).ok());
  EXPECT_FALSE(config.ledger.enabled);
  ASSERT_TRUE(ApplyOverride("costs.hardware_usd", "1500.5", "--set", &config).ok());
  EXPECT_DOUBLE_EQ(config.costs.hardware_usd, 1500.5);

  EXPECT_EQ(ApplyToml("[costs]\nlocal_watts = -3\n", "f.toml", &config).message(),
            "f.toml: costs.local_watts: expected a number >= 0");
  EXPECT_EQ(ApplyToml("[costs]\nlocal_watts = true\n", "f.toml", &config).message(),
            "f.toml: costs.local_watts: expected a number >= 0");
  EXPECT_EQ(ApplyToml("[ledger]\nenabled = 1\n", "f.toml", &config).message(),
            "f.toml: ledger.enabled: expected true or false");
  EXPECT_EQ(ApplyOverride("ledger.enabled", "yes", "--set", &config).message(),
            "--set: ledger.enabled: expected true or false");
  EXPECT_EQ(ApplyOverride("costs.local_watts", "nan", "--set", &config).message(),
            "--set: costs.local_watts: expected a number >= 0");
  EXPECT_DOUBLE_EQ(config.costs.local_watts, 120.0);  // unchanged by the failures

  // Printed values read back to the same configuration.
  Config reread;
  ASSERT_TRUE(ApplyToml(ConfigToToml(config), "printed", &reread).ok());
  EXPECT_EQ(ConfigValues(reread), ConfigValues(config));
}

TEST(ConfigLocalTest, FlashAttentionIsAutoOnOrOff) {
  Config config;
  EXPECT_EQ(config.local.flash_attention, "auto");
  ASSERT_TRUE(ApplyOverride("local.flash_attention", "off", "--set", &config).ok());
  EXPECT_EQ(config.local.flash_attention, "off");
  ASSERT_TRUE(ApplyToml("[local]\nflash_attention = \"on\"\n", "f.toml", &config).ok());
  EXPECT_EQ(config.local.flash_attention, "on");
  EXPECT_EQ(ApplyOverride("local.flash_attention", "yes", "--set", &config).message(),
            "--set: local.flash_attention: 'yes' is not one of auto, on or off");
  EXPECT_EQ(config.local.flash_attention, "on");  // unchanged by the failure
}

}  // namespace
}  // namespace duet
