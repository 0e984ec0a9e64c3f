#include "app/cli.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "api/client_key.h"
#include "app/demo_command.h"
#include "app/models_command.h"
#include "app/plan_command.h"
#include "app/pull_command.h"
#include "app/report_command.h"
#include "app/route_command.h"
#include "app/run_chat.h"
#include "app/serve.h"
#include "app/sim_command.h"
#include "core/config.h"
#include "core/logging.h"
#include "core/version.h"
#include "model_files/model_discovery.h"

namespace duet {
namespace {

// Flags shared by every subcommand that loads configuration.
struct ConfigFlags {
  std::string config_path;
  std::string host;
  int64_t port = -1;
  std::string log_level;
  std::vector<std::string> sets;
  std::vector<std::string> models;

  void AddTo(CLI::App* command) {
    command->add_option("--config", config_path,
                        "TOML configuration file (default: $DUET_CONFIG, "
                        "else ~/.config/duet/duet.toml if present)");
    command->add_option("--host", host, "address to listen on (server.host)");
    command->add_option("--port", port,
                        "port to listen on, 0 for any free port (server.port)");
    command->add_option("--log-level", log_level,
                        "trace, debug, info, warn, error or off (log.level)");
    // A flag given twice takes its last value, so a wrapper script's
    // defaults can be overridden by appending.
    for (const char* name : {"--config", "--host", "--port", "--log-level"}) {
      command->get_option(name)->multi_option_policy(
          CLI::MultiOptionPolicy::TakeLast);
    }
    command->add_option("--model", models,
                        "serve a local GGUF model: --model qwen=/models/qwen.gguf "
                        "(repeatable; same as [models.NAME] path)")
        ->type_name("NAME=PATH");
    command->add_option("--set", sets,
                        "override any key: --set server.idle_timeout_ms=5000")
        ->type_name("KEY=VALUE");
  }

  // Defaults, then the file, then the environment, then these flags.
  Result<Config> Load() const {
    Config config;
    const EnvLookup getenv = [](const char* name) -> const char* {
      return std::getenv(name);
    };
    const std::string path =
        config_path.empty() ? DefaultConfigPath(getenv) : config_path;
    if (!path.empty()) {
      DUET_RETURN_IF_ERROR(ApplyTomlFile(path, &config));
    }
    DUET_RETURN_IF_ERROR(ApplyEnvironment(getenv, &config));
    for (const std::string& set : sets) {
      const size_t equals = set.find('=');
      if (equals == std::string::npos) {
        return Error(InvalidArgument("--set " + set + ": expected KEY=VALUE"));
      }
      DUET_RETURN_IF_ERROR(ApplyOverride(set.substr(0, equals),
                                         set.substr(equals + 1), "--set",
                                         &config));
    }
    for (const std::string& model : models) {
      const size_t equals = model.find('=');
      if (equals == std::string::npos || equals == 0) {
        return Error(InvalidArgument("--model " + model +
                                     ": expected NAME=PATH"));
      }
      DUET_RETURN_IF_ERROR(ApplyOverride(
          "models." + model.substr(0, equals) + ".path",
          model.substr(equals + 1), "--model", &config));
    }
    if (!host.empty()) {
      DUET_RETURN_IF_ERROR(ApplyOverride("server.host", host, "--host", &config));
    }
    if (port >= 0) {
      DUET_RETURN_IF_ERROR(
          ApplyOverride("server.port", std::to_string(port), "--port", &config));
    }
    if (!log_level.empty()) {
      DUET_RETURN_IF_ERROR(
          ApplyOverride("log.level", log_level, "--log-level", &config));
    }
    return config;
  }
};

// Which malloc this process runs on: mimalloc when it is loaded (linked into
// release builds, or preloaded), else the C library's.
std::string MallocName() {
  using VersionFunction = int (*)();
  void* symbol = dlsym(RTLD_DEFAULT, "mi_version");
  if (symbol == nullptr) return "system (glibc)";
  const int version = reinterpret_cast<VersionFunction>(symbol)();
  return "mimalloc " + std::to_string(version / 100) + "." +
         std::to_string(version / 10 % 10) + "." + std::to_string(version % 10);
}

}  // namespace

int RunCli(int argc, char** argv,
           std::vector<std::shared_ptr<Backend>> extra_backends) {
  CLI::App app{
      "duet: a local-first LLM gateway serving the Anthropic Messages and "
      "OpenAI Chat Completions APIs"};
  app.set_version_flag("--version", [] {
    return std::string("duet ") + kVersion + "\nmalloc: " + MallocName();
  });
  app.require_subcommand(1);

  ConfigFlags flags;
  CLI::App* serve = app.add_subcommand(
      "serve", "Serve the Anthropic and OpenAI APIs until SIGINT/SIGTERM");
  flags.AddTo(serve);
  CLI::App* run = app.add_subcommand(
      "run", "Chat with a local model in the terminal (streaming; /help "
             "inside lists the commands)");
  std::string run_model;
  std::vector<std::string> run_prompt;
  run->add_option("model", run_model,
                  "a configured model name, or a path to a .gguf file")
      ->required();
  run->add_option("prompt", run_prompt,
                  "answer this one prompt and exit, instead of chatting");
  RunOptions run_options;
  run->add_flag("--polish", run_options.polish,
                "draft with the local model, then have Claude ([policy.polish] tier) "
                "improve the draft, each step shown");
  run->add_option("--mmproj", run_options.mmproj,
                  "the model's vision projector (.gguf), so messages can attach images "
                  "by path; default: the one mmproj*.gguf in the model's own folder");
  flags.AddTo(run);
  CLI::App* config_command = app.add_subcommand(
      "config", "Print the effective configuration (file + environment + "
                "flags) as TOML");
  flags.AddTo(config_command);
  CLI::App* route = app.add_subcommand(
      "route", "Show how duet would route a prompt, or a JSONL file of "
               "requests (no model file or network needed)");
  RouteCommandOptions route_options;
  std::vector<std::string> route_prompt;
  route->add_option("prompt", route_prompt, "the prompt to explain");
  route->add_option("--jsonl", route_options.jsonl_path,
                    "read one request per line from FILE ('-' for stdin) and "
                    "print one JSON decision per line");
  flags.AddTo(route);
  CLI::App* plan = app.add_subcommand(
      "plan", "What a month of tokens costs on Claude, hosted open models, your "
              "upstreams and locally, and when local hardware pays for itself (with no "
              "usage given: the guide's four scenarios)");
  PlanCommandOptions plan_options;
  AddPlanOptions(plan, &plan_options);
  flags.AddTo(plan);
  CLI::App* report = app.add_subcommand(
      "report", "What the ledger says about a period (default: this UTC month "
                "to date): spend, savings against Claude, the route mix, "
                "outcomes, budget use and the guide's signals");
  ReportCommandOptions report_options;
  AddReportOptions(report, &report_options);
  flags.AddTo(report);
  CLI::App* demo = app.add_subcommand(
      "demo", "See duet work in one command: a mixed workload through the gateway "
              "(local model and Claude, simulated when no key is set), each routing "
              "decision, the cost report, then the gateway keeps serving");
  DemoOptions demo_options;
  demo->add_flag("--exit", demo_options.exit_after_report,
                 "stop after the report instead of serving");
  demo->add_flag("--keep", demo_options.keep_ledger,
                 "keep the demo's folder (its ledger) when it ends");
  flags.AddTo(demo);
  CLI::App* models = app.add_subcommand(
      "models", "List the GGUF models duet can serve: configured ones, the Hugging "
                "Face cache and Ollama's store, with size, quantization, context "
                "and family");
  ModelsCommandOptions models_options;
  AddModelsOptions(models, &models_options);
  flags.AddTo(models);
  CLI::App* pull = app.add_subcommand(
      "pull", "Download a GGUF model from Hugging Face (ORG/NAME/FILE.gguf) or a "
              "URL, with resume and checksum verification");
  PullCommandOptions pull_options;
  AddPullOptions(pull, &pull_options);
  CLI::App* key_id = app.add_subcommand(
      "key-id", "Print the id duet uses for a client API key (for budgets "
                "and local-only keys in [policy])");
  std::string key_id_key;
  key_id->add_option("key", key_id_key, "the client's API key")->required();
  CLI::App* sim = app.add_subcommand(
      "sim", "Serve a local simulator of the Anthropic API (for tests and "
             "demos; its answers are not from Claude)");
  SimCommandOptions sim_options;
  std::string sim_log_level = "info";
  sim->add_option("--host", sim_options.host, "address to listen on")
      ->capture_default_str();
  sim->add_option("--port", sim_options.port, "port, 0 for any free port")
      ->capture_default_str();
  sim->add_option("--api-key", sim_options.api_key,
                  "the only key accepted (default: any non-empty key)");
  sim->add_option("--requests-per-minute", sim_options.requests_per_minute)
      ->capture_default_str();
  sim->add_option("--input-tokens-per-minute",
                  sim_options.input_tokens_per_minute)
      ->capture_default_str();
  sim->add_option("--output-tokens-per-minute",
                  sim_options.output_tokens_per_minute)
      ->capture_default_str();
  sim->add_option("--log-level", sim_log_level)->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }

  if (key_id->parsed()) {
    std::printf("%s\n", api::ClientKeyId(key_id_key).c_str());
    return 0;
  }
  if (pull->parsed()) {
    return RunPullCommand(
        pull_options, [](const char* name) -> const char* { return std::getenv(name); },
        std::cout, std::cerr);
  }
  if (sim->parsed()) {
    if (Status logging = InitLogging(sim_log_level); !logging.ok()) {
      std::fprintf(stderr, "duet: %s\n", logging.message().c_str());
      return 2;
    }
    return RunSimulator(sim_options);
  }

  Result<Config> config = flags.Load();
  if (!config) {
    std::fprintf(stderr, "duet: invalid configuration: %s\n",
                 config.error().message().c_str());
    return 2;
  }
  if (config_command->parsed()) {
    std::cout << ConfigToToml(*config);
    return 0;
  }
  if (models->parsed()) {
    return RunModelsCommand(*config, models_options,
                            model_files::ProcessDiscoveryOptions(), std::cout);
  }
  if (plan->parsed()) {
    return RunPlanCommand(*config, plan_options, std::cout, std::cerr);
  }
  if (report->parsed()) {
    return RunReportCommand(
        *config, report_options, SystemClock(),
        [](const char* name) -> const char* { return std::getenv(name); },
        std::cout, std::cerr);
  }
  if (route->parsed()) {
    if (route_options.jsonl_path.empty() == route_prompt.empty()) {
      std::fprintf(stderr, "duet route: give a prompt or --jsonl FILE (not both)\n");
      return 2;
    }
    for (const std::string& word : route_prompt) {
      route_options.prompt += (route_options.prompt.empty() ? "" : " ") + word;
    }
    // Decisions go to stdout; keep the log for problems only.
    if (Status logging = InitLogging(flags.log_level.empty() ? "warn" : config->log.level);
        !logging.ok()) {
      std::fprintf(stderr, "duet: %s\n", logging.message().c_str());
      return 2;
    }
    return RunRouteCommand(*config, route_options, std::cin, std::cout);
  }
  if ((run->parsed() || demo->parsed()) && flags.log_level.empty() &&
      config->log.level == "info") {
    config->log.level = "warn";  // keep the terminal for the conversation
  }
  Status logging = InitLogging(config->log.level);
  if (!logging.ok()) {
    std::fprintf(stderr, "duet: %s\n", logging.message().c_str());
    return 2;
  }
  if (demo->parsed()) {
    return RunDemo(*config, demo_options, std::cout);
  }
  if (run->parsed()) {
    run_options.model = run_model;
    if (!run_prompt.empty()) {
      run_options.prompt = run_prompt.front();
      for (size_t i = 1; i < run_prompt.size(); ++i) {
        *run_options.prompt += " " + run_prompt[i];
      }
    }
    return RunChat(*config, run_options, std::cin, std::cout);
  }
  return Serve(*config, std::move(extra_backends));
}

}  // namespace duet
