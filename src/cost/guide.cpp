#include "cost/guide.h"

#include <utility>

namespace duet {

namespace {

// A scenario the guide also gives a local estimate for.
UsageScenario WithLocalEstimate(std::string name, std::string usage_text,
                                MonthlyUsage usage, std::string local_text,
                                double electricity_low_usd,
                                double electricity_high_usd) {
  UsageScenario scenario;
  scenario.name = std::move(name);
  scenario.usage_text = std::move(usage_text);
  scenario.usage = usage;
  scenario.guide_local_text = std::move(local_text);
  scenario.guide_electricity_low_usd = electricity_low_usd;
  scenario.guide_electricity_high_usd = electricity_high_usd;
  return scenario;
}

}  // namespace

const std::map<std::string, std::string>& GuideClaudeModels() {
  static const std::map<std::string, std::string> models = {
      {"haiku", "claude-3-5-haiku-20241022"},
      {"sonnet", "claude-3-5-sonnet-20241022"},
      {"opus", "claude-3-opus-20240229"},
  };
  return models;
}

const std::vector<UsageScenario>& UsageScenarios() {
  // "~500 tokens" a query means 500 in and 500 out: the guide's own
  // monthly totals (1.5M in, 1.5M out for 100 queries a day) say so.
  static const std::vector<UsageScenario> scenarios = [] {
    UsageScenario heavy;  // the guide gives the tokens themselves
    heavy.name = "heavy usage";
    heavy.usage = {.input_tokens = 10e6, .output_tokens = 2e6};
    return std::vector<UsageScenario>{
        heavy,
        WithLocalEstimate(
            "1. light personal use", "~100 queries/day × ~500 tokens",
            UsageFromQueriesPerDay(100, 500, 500), "~$5 electricity", 5, 5),
        WithLocalEstimate("2. developer daily driver",
                          "~500 queries/day × ~1,000 tokens",
                          UsageFromQueriesPerDay(500, 1000, 1000),
                          "~$15 electricity", 15, 15),
        WithLocalEstimate(
            "3. production app", "1M queries/month × ~500 tokens",
            UsageFromQueriesPerMonth(1e6, 500, 500),
            "own server $50–100 electricity; self-hosted cloud GPU $200–500",
            50, 100),
    };
  }();
  return scenarios;
}

const std::vector<HardwareOption>& GuideHardware() {
  static const std::vector<HardwareOption> hardware = {
      {.label = "GPU (the guide's low end)", .usd = 600},
      {.label = "GPU (the guide's high end)", .usd = 1000},
      {.label = "server with two RTX 3090s", .usd = 3000},
  };
  return hardware;
}

}  // namespace duet
