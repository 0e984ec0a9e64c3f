#include "app/plan_command.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ostream>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/plan_report.h"
#include "cost/money.h"
#include "cost/planner.h"
#include "ledger/ledger_month.h"
#include "ledger/ledger_store.h"
#include "model/claude_catalog.h"

namespace duet {
namespace {

// A flag's value as a finite number >= 0; nullopt when the flag is absent.
Result<std::optional<double>> ParseAmount(std::string_view flag,
                                          const std::string& text) {
  if (text.empty()) {
    return std::optional<double>();
  }
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end || !std::isfinite(value) ||
      value < 0) {
    return Error(InvalidArgument(
        fmt::format("{}: expected a number >= 0, got '{}'", flag, text)));
  }
  return std::optional<double>(value);
}

struct ParsedFlags {
  std::optional<double> queries_per_day, queries_per_month, input_tokens,
      output_tokens, input_mtok, output_mtok, hardware_usd;
};

// Every flag of `duet plan` that takes an amount: where CLI11 stores its
// text and where ParseFlags puts its value.
struct AmountFlag {
  const char* name;
  std::string PlanCommandOptions::*text;
  std::optional<double> ParsedFlags::*value;
  const char* help;
};

constexpr AmountFlag kAmountFlags[] = {
    {"--queries-per-day", &PlanCommandOptions::queries_per_day,
     &ParsedFlags::queries_per_day, "queries a day (a month is 30 days)"},
    {"--queries-per-month", &PlanCommandOptions::queries_per_month,
     &ParsedFlags::queries_per_month, "queries a month"},
    {"--input-tokens", &PlanCommandOptions::input_tokens,
     &ParsedFlags::input_tokens,
     "average input tokens per query (default 500)"},
    {"--output-tokens", &PlanCommandOptions::output_tokens,
     &ParsedFlags::output_tokens,
     "average output tokens per query (default 500)"},
    {"--input-mtok", &PlanCommandOptions::input_mtok, &ParsedFlags::input_mtok,
     "input tokens a month, in millions (instead of queries)"},
    {"--output-mtok", &PlanCommandOptions::output_mtok,
     &ParsedFlags::output_mtok, "output tokens a month, in millions"},
    {"--hardware-usd", &PlanCommandOptions::hardware_usd,
     &ParsedFlags::hardware_usd,
     "local hardware price for the break-even (overrides "
     "costs.hardware_usd)"},
};

Result<ParsedFlags> ParseFlags(const PlanCommandOptions& options) {
  ParsedFlags flags;
  for (const AmountFlag& flag : kAmountFlags) {
    DUET_ASSIGN_OR_RETURN(flags.*flag.value,
                          ParseAmount(flag.name, options.*flag.text));
  }
  return flags;
}

Status Conflict(std::string_view first, std::string_view second) {
  return InvalidArgument(
      fmt::format("{} and {} cannot be used together", first, second));
}

// The usage `flags` describe; `options` gives the values as typed, for
// the description.
Result<std::optional<UsageScenario>> UsageFromParsedFlags(
    const PlanCommandOptions& options, const ParsedFlags& flags) {
  const bool per_day = flags.queries_per_day.has_value();
  const bool per_month = flags.queries_per_month.has_value();
  const bool totals = flags.input_mtok || flags.output_mtok;
  const char* queries_flag =
      per_day ? "--queries-per-day" : "--queries-per-month";
  if (per_day && per_month) {
    return Error(Conflict("--queries-per-day", "--queries-per-month"));
  }
  if ((per_day || per_month) && totals) {
    return Error(Conflict(queries_flag,
                          flags.input_mtok ? "--input-mtok" : "--output-mtok"));
  }
  if (!per_day && !per_month && (flags.input_tokens || flags.output_tokens)) {
    return Error(InvalidArgument(fmt::format(
        "{} needs --queries-per-day or --queries-per-month",
        flags.input_tokens ? "--input-tokens" : "--output-tokens")));
  }
  UsageScenario scenario;
  scenario.name = "your usage";
  if (totals) {
    if (!flags.input_mtok || !flags.output_mtok) {
      return Error(InvalidArgument(flags.input_mtok
                                       ? "--input-mtok needs --output-mtok"
                                       : "--output-mtok needs --input-mtok"));
    }
    scenario.usage = {.input_tokens = *flags.input_mtok * 1e6,
                      .output_tokens = *flags.output_mtok * 1e6};
    return std::optional<UsageScenario>(std::move(scenario));
  }
  if (!per_day && !per_month) {
    return std::optional<UsageScenario>();
  }
  const double input = flags.input_tokens.value_or(kDefaultTokensPerQuery);
  const double output = flags.output_tokens.value_or(kDefaultTokensPerQuery);
  scenario.usage =
      per_day
          ? UsageFromQueriesPerDay(*flags.queries_per_day, input, output)
          : UsageFromQueriesPerMonth(*flags.queries_per_month, input, output);
  scenario.usage_text =
      fmt::format("{} queries/{} × {} input + {} output tokens",
                  per_day ? options.queries_per_day : options.queries_per_month,
                  per_day ? "day" : "month", input, output);
  return std::optional<UsageScenario>(std::move(scenario));
}

// The last 30 days of the ledger as a scenario.
Result<UsageScenario> ScenarioFromLedger(const Config& config,
                                         const PlanCommandOptions& options) {
  std::string path = options.ledger_path;
  if (path.empty()) {
    path = !config.ledger.path.empty()
               ? config.ledger.path
               : DefaultLedgerPath([](const char* name) { return std::getenv(name); });
  }
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  DUET_ASSIGN_OR_RETURN(const LedgerMonth month, ReadLedgerMonth(path, now_ms));
  UsageScenario scenario;
  scenario.name = "your last 30 days (the ledger)";
  scenario.usage = month.usage;
  scenario.usage_text = fmt::format(
      "{} requests over {:.1f} days{}; they cost {} ({} of it cloud)", month.requests,
      month.days_covered,
      month.days_covered < kDaysPerMonth ? ", projected to 30 days" : "",
      FormatUsd(month.actual_cost_usd), FormatUsd(month.cloud_cost_usd));
  return scenario;
}

bool AnyUsageFlag(const PlanCommandOptions& options) {
  return !options.queries_per_day.empty() || !options.queries_per_month.empty() ||
         !options.input_tokens.empty() || !options.output_tokens.empty() ||
         !options.input_mtok.empty() || !options.output_mtok.empty();
}

}  // namespace

void AddPlanOptions(CLI::App* command, PlanCommandOptions* options) {
  // Values are taken as text and checked by ParseFlags, so a bad one gets
  // duet's message and exit code 2, naming the flag.
  for (const AmountFlag& flag : kAmountFlags) {
    command->add_option(flag.name, options->*flag.text, flag.help)
        ->type_name("NUMBER");
  }
  command->add_flag("--from-ledger", options->from_ledger,
                    "plan your own last 30 days, read from the ledger");
  command->add_option("--ledger", options->ledger_path,
                      "the ledger file (default: ledger.path, else the per-user one)")
      ->type_name("PATH");
  command->add_flag("--json", options->json, "print the plan as JSON");
}

Result<std::optional<UsageScenario>> UsageFromFlags(
    const PlanCommandOptions& options) {
  DUET_ASSIGN_OR_RETURN(const ParsedFlags flags, ParseFlags(options));
  return UsageFromParsedFlags(options, flags);
}

int RunPlanCommand(const Config& config, const PlanCommandOptions& options,
                   std::ostream& out, std::ostream& err) {
  Result<ParsedFlags> flags = ParseFlags(options);
  Result<std::optional<UsageScenario>> usage =
      flags ? UsageFromParsedFlags(options, *flags)
            : Result<std::optional<UsageScenario>>(Error(flags.error()));
  if (!usage) {
    err << "duet plan: " << usage.error().message() << "\n";
    return 2;
  }
  if (options.from_ledger && AnyUsageFlag(options)) {
    err << "duet plan: --from-ledger plans the ledger's usage; drop the usage flags\n";
    return 2;
  }
  if (!options.ledger_path.empty() && !options.from_ledger) {
    err << "duet plan: --ledger needs --from-ledger\n";
    return 2;
  }
  if (options.from_ledger) {
    Result<UsageScenario> own = ScenarioFromLedger(config, options);
    if (!own) {
      err << "duet plan: " << own.error().message() << "\n";
      return 1;
    }
    *usage = std::move(*own);
  }
  Result<ClaudeCatalog> catalog =
      ClaudeCatalog::Load(config.anthropic.catalog_file);
  if (!catalog) {
    err << "duet plan: " << catalog.error().message() << "\n";
    return 2;
  }
  PlannerOptions planner_options;
  planner_options.costs = config.costs;
  if (flags->hardware_usd) {
    planner_options.costs.hardware_usd = *flags->hardware_usd;
  }
  planner_options.claude_models = config.policy.claude_models;
  // A catalogue of your own may predate the guide's (retired) models:
  // then there is no guide column for that tier.
  for (const auto& [tier, model] : GuideClaudeModels()) {
    if (catalog->Find(model) != nullptr) {
      planner_options.guide_models[tier] = model;
    }
  }
  planner_options.upstreams = config.upstreams;
  if (planner_options.costs.hardware_usd <= 0) {
    planner_options.hardware = GuideHardware();
  }
  Result<CostPlanner> planner = CostPlanner::Create(planner_options, *catalog);
  if (!planner) {
    err << "duet plan: " << planner.error().message() << "\n";
    return 2;
  }

  const std::vector<UsageScenario> scenarios =
      *usage ? std::vector<UsageScenario>{**usage} : UsageScenarios();
  std::vector<PlannedUsage> plans;
  for (const UsageScenario& scenario : scenarios) {
    plans.push_back(
        {.scenario = scenario, .plan = planner->Plan(scenario.usage)});
  }
  if (options.json) {
    WritePlanJson(planner->options(), plans, out);
  } else {
    if (!*usage) {
      out << "duet plan: the guide's four usage scenarios, priced every way "
             "duet can answer them (docs/costs.md)\n";
    }
    WritePlanText(planner->options(), plans, out);
  }
  return 0;
}

}  // namespace duet
