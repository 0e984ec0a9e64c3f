// CostPlanner: the guide's cost figures (policy.md §4) reproduced from its
// scenarios and the catalogue's prices, and the planner's own arithmetic
// (electricity, amortization, break-even, batch, upstreams). Expected
// values are the guide's numbers or worked by hand from the formulas in
// docs/costs.md, never copied from the planner's output.
#include "cost/planner.h"

#include <gtest/gtest.h>

#include "cost/guide.h"
#include "cost/money.h"

namespace duet {
namespace {

PlannerOptions GuideOptions(CostsConfig costs = {}) {
  PlannerOptions options;
  options.costs = costs;
  options.guide_models = GuideClaudeModels();
  return options;
}

CostPlanner MakePlanner(PlannerOptions options, const ClaudeCatalog& catalog =
                                                    ClaudeCatalog::BuiltIn()) {
  Result<CostPlanner> planner =
      CostPlanner::Create(std::move(options), catalog);
  EXPECT_TRUE(planner) << planner.error().ToString();
  return std::move(*planner);
}

const TierCost& Tier(const MonthlyPlan& plan, const std::string& tier) {
  for (const TierCost& cost : plan.tiers) {
    if (cost.tier == tier) {
      return cost;
    }
  }
  ADD_FAILURE() << "no tier " << tier;
  return plan.tiers.front();
}

const UsageScenario& Scenario(std::string_view name_start) {
  for (const UsageScenario& scenario : UsageScenarios()) {
    if (scenario.name.starts_with(name_start)) {
      return scenario;
    }
  }
  ADD_FAILURE() << "no scenario " << name_start;
  return UsageScenarios().front();
}

// Electricity for `tokens` at the default [costs]: tokens / 400 tokens a
// second / 3600 = hours; x 350 W / 1000 = kWh; x $0.15.
double DefaultElectricity(double tokens) {
  return tokens / 400 / 3600 * 350 / 1000 * 0.15;
}

TEST(PlannerTest, UsageFromQueries) {
  // The guide: ~100 queries/day x ~500 tokens = 1.5M in, 1.5M out.
  const MonthlyUsage light = UsageFromQueriesPerDay(100, 500, 500);
  EXPECT_DOUBLE_EQ(light.input_tokens, 1.5e6);
  EXPECT_DOUBLE_EQ(light.output_tokens, 1.5e6);
  // 1M queries/month x ~500 tokens = 500M in, 500M out.
  const MonthlyUsage production = UsageFromQueriesPerMonth(1e6, 500, 500);
  EXPECT_DOUBLE_EQ(production.input_tokens, 500e6);
  EXPECT_DOUBLE_EQ(production.output_tokens, 500e6);
  const MonthlyUsage uneven = UsageFromQueriesPerDay(10, 2000, 300);
  EXPECT_DOUBLE_EQ(uneven.input_tokens, 600'000);
  EXPECT_DOUBLE_EQ(uneven.output_tokens, 90'000);
}

TEST(PlannerTest, TheGuidesScenariosHaveTheGuidesTokenTotals) {
  ASSERT_EQ(UsageScenarios().size(), 4u);
  struct Row {
    const char* name;
    double input, output;
  };
  const Row rows[] = {{"heavy", 10e6, 2e6},
                      {"1.", 1.5e6, 1.5e6},
                      {"2.", 15e6, 15e6},
                      {"3.", 500e6, 500e6}};
  for (const Row& row : rows) {
    const UsageScenario& scenario = Scenario(row.name);
    EXPECT_DOUBLE_EQ(scenario.usage.input_tokens, row.input) << row.name;
    EXPECT_DOUBLE_EQ(scenario.usage.output_tokens, row.output) << row.name;
  }
}

TEST(PlannerTest, ReproducesEveryClaudeFigureOfTheGuide) {
  const CostPlanner planner = MakePlanner(GuideOptions());
  struct Row {
    const char* scenario;
    double sonnet;
    const char* sonnet_text;
    double haiku;  // 0: the guide gives none
    const char* haiku_text;
  };
  // policy.md §4, bold figures.
  const Row rows[] = {{"heavy", 60, "$60", 0, ""},
                      {"1.", 27, "$27", 7.20, "$7.20"},
                      {"2.", 270, "$270", 72, "$72"},
                      {"3.", 9000, "$9,000", 2400, "$2,400"}};
  for (const Row& row : rows) {
    const MonthlyPlan plan = planner.Plan(Scenario(row.scenario).usage);
    const TierCost& sonnet = Tier(plan, "sonnet");
    ASSERT_TRUE(sonnet.guide) << row.scenario;
    EXPECT_EQ(sonnet.guide->model_id, "claude-3-5-sonnet-20241022");
    EXPECT_NEAR(sonnet.guide->monthly_usd, row.sonnet, 1e-9) << row.scenario;
    EXPECT_EQ(FormatUsd(sonnet.guide->monthly_usd), row.sonnet_text);
    if (row.haiku > 0) {
      const TierCost& haiku = Tier(plan, "haiku");
      ASSERT_TRUE(haiku.guide);
      EXPECT_EQ(haiku.guide->model_id, "claude-3-5-haiku-20241022");
      EXPECT_NEAR(haiku.guide->monthly_usd, row.haiku, 1e-9) << row.scenario;
      EXPECT_EQ(FormatUsd(haiku.guide->monthly_usd), row.haiku_text);
    }
  }
  // The guide's parts: $30 + $30; $4.50 + $22.50 and $1.20 + $6; $45 +
  // $225 and $12 + $60; $1,500 + $7,500 and $400 + $2,000.
  const MonthlyPlan prices = planner.Plan(MonthlyUsage{});
  const TokenPrices sonnet = Tier(prices, "sonnet").guide->prices;
  const TokenPrices haiku = Tier(prices, "haiku").guide->prices;
  EXPECT_EQ(FormatUsd(CostUsd(10e6, 0, sonnet)), "$30");
  EXPECT_EQ(FormatUsd(CostUsd(0, 2e6, sonnet)), "$30");
  EXPECT_EQ(FormatUsd(CostUsd(1.5e6, 0, sonnet)), "$4.50");
  EXPECT_EQ(FormatUsd(CostUsd(0, 1.5e6, sonnet)), "$22.50");
  EXPECT_EQ(FormatUsd(CostUsd(1.5e6, 0, haiku)), "$1.20");
  EXPECT_EQ(FormatUsd(CostUsd(0, 1.5e6, haiku)), "$6");
  EXPECT_EQ(FormatUsd(CostUsd(15e6, 0, sonnet)), "$45");
  EXPECT_EQ(FormatUsd(CostUsd(0, 15e6, sonnet)), "$225");
  EXPECT_EQ(FormatUsd(CostUsd(15e6, 0, haiku)), "$12");
  EXPECT_EQ(FormatUsd(CostUsd(0, 15e6, haiku)), "$60");
  EXPECT_EQ(FormatUsd(CostUsd(500e6, 0, sonnet)), "$1,500");
  EXPECT_EQ(FormatUsd(CostUsd(0, 500e6, sonnet)), "$7,500");
  EXPECT_EQ(FormatUsd(CostUsd(500e6, 0, haiku)), "$400");
  EXPECT_EQ(FormatUsd(CostUsd(0, 500e6, haiku)), "$2,000");
}

TEST(PlannerTest, TodaysModelsAndTheBatchDiscount) {
  const CostPlanner planner = MakePlanner(GuideOptions());
  // 15M in, 15M out (scenario 2) on policy.claude_models' defaults:
  // Haiku 4.5 at $1/$5, Sonnet 4.6 at $3/$15, Opus 4.6 at $5/$25.
  const MonthlyPlan plan = planner.Plan(Scenario("2.").usage);
  ASSERT_EQ(plan.tiers.size(), 3u);
  EXPECT_EQ(plan.tiers[0].tier, "haiku");
  EXPECT_EQ(plan.tiers[1].tier, "sonnet");
  EXPECT_EQ(plan.tiers[2].tier, "opus");
  EXPECT_EQ(plan.tiers[0].today->model_id, "claude-haiku-4-5");
  EXPECT_NEAR(plan.tiers[0].today->monthly_usd, 15 * 1 + 15 * 5, 1e-9);
  EXPECT_NEAR(plan.tiers[1].today->monthly_usd, 15 * 3 + 15 * 15, 1e-9);
  EXPECT_NEAR(plan.tiers[2].today->monthly_usd, 15 * 5 + 15 * 25, 1e-9);
  // The guide's Opus 3 at $15/$75.
  EXPECT_NEAR(plan.tiers[2].guide->monthly_usd, 15 * 15 + 15 * 75, 1e-9);
  // Message Batches: half price.
  EXPECT_DOUBLE_EQ(plan.batch_discount, 0.5);
  EXPECT_NEAR(plan.tiers[1].guide->batch_monthly_usd, 135, 1e-9);
  EXPECT_NEAR(plan.tiers[0].today->batch_monthly_usd, 45, 1e-9);

  // Another catalogue's discount is honoured.
  Result<ClaudeCatalog> quarter = ClaudeCatalog::Parse(
      "batch_discount = 0.25\n[[model]]\nid = \"m\"\ntier = \"haiku\"\ninput = "
      "2.0\noutput = "
      "10.0\n",
      "test.toml");
  ASSERT_TRUE(quarter);
  PlannerOptions options;
  options.claude_models = {{"haiku", "m"}};
  const MonthlyPlan discounted =
      MakePlanner(options, *quarter)
          .Plan({.input_tokens = 1e6, .output_tokens = 1e6});
  ASSERT_EQ(discounted.tiers.size(), 1u);
  EXPECT_FALSE(discounted.tiers[0].guide);
  EXPECT_NEAR(discounted.tiers[0].today->monthly_usd, 12, 1e-9);
  EXPECT_NEAR(discounted.tiers[0].today->batch_monthly_usd, 9, 1e-9);
}

TEST(PlannerTest, LocalElectricityIsBusyHoursTimesWattsTimesPrice) {
  // Defaults: 3M tokens (scenario 1) / 400 per second = 7,500 s = 2.083 h;
  // x 0.35 kW = 0.729 kWh; x $0.15 = $0.109.
  const MonthlyPlan light =
      MakePlanner(GuideOptions()).Plan(Scenario("1.").usage);
  EXPECT_NEAR(light.local.busy_hours, 7500.0 / 3600, 1e-9);
  EXPECT_NEAR(light.local.energy_kwh, 7500.0 / 3600 * 0.35, 1e-9);
  EXPECT_NEAR(light.local.electricity_usd, 7500.0 / 3600 * 0.35 * 0.15, 1e-9);
  EXPECT_EQ(light.local.amortization_usd, 0);
  EXPECT_EQ(light.local.monthly_usd, light.local.electricity_usd);

  // Other machines: 1M tokens at 100 per second = 10,000 s = 2.78 h; at
  // 1,000 W and $0.30/kWh: 2.78 kWh, $0.83.
  CostsConfig costs;
  costs.local_tokens_per_second = 100;
  costs.local_watts = 1000;
  costs.electricity_usd_per_kwh = 0.30;
  const MonthlyPlan slow =
      MakePlanner(GuideOptions(costs))
          .Plan({.input_tokens = 600'000, .output_tokens = 400'000});
  EXPECT_NEAR(slow.local.energy_kwh, 10'000.0 / 3600, 1e-9);
  EXPECT_NEAR(slow.local.electricity_usd, 10'000.0 / 3600 * 0.30, 1e-9);
  EXPECT_EQ(FormatUsd(slow.local.electricity_usd), "$0.83");
}

TEST(PlannerTest, HardwareIsAmortizedAsAMonthlyCost) {
  CostsConfig costs;
  costs.hardware_usd = 1200;
  costs.hardware_months = 24;
  const MonthlyPlan plan =
      MakePlanner(GuideOptions(costs)).Plan(Scenario("2.").usage);
  EXPECT_NEAR(plan.local.amortization_usd, 50, 1e-9);
  EXPECT_NEAR(plan.local.monthly_usd, 50 + DefaultElectricity(30e6), 1e-9);
  // The configured hardware is the one whose break-even is computed, and
  // electricity alone is the running cost it is weighed against.
  ASSERT_EQ(plan.break_even.size(), 1u);
  EXPECT_EQ(plan.break_even[0].hardware.usd, 1200);
  EXPECT_NEAR(plan.break_even[0].amortization_usd, 50, 1e-9);
  ASSERT_EQ(plan.break_even[0].tiers.size(), 3u);
  EXPECT_NEAR(*plan.break_even[0].tiers[1].vs_guide,
              1200 / (270 - DefaultElectricity(30e6)), 1e-9);
  // Local saves 1 - (50 + electricity) / $270 against the guide's Sonnet.
  EXPECT_NEAR(*plan.tiers[1].vs_guide.local,
              1 - (50 + DefaultElectricity(30e6)) / 270, 1e-9);
}

TEST(PlannerTest, BreakEvenAndNever) {
  EXPECT_NEAR(*BreakEvenMonths(3000, 2400, 100), 3000.0 / 2300, 1e-12);
  EXPECT_FALSE(BreakEvenMonths(600, 10, 10));  // no saving: never
  EXPECT_FALSE(BreakEvenMonths(600, 5, 10));   // local dearer: never

  // A light user of Haiku on an expensive, slow machine never pays it off.
  CostsConfig costs;
  costs.local_tokens_per_second = 1;
  costs.local_watts = 1000;
  PlannerOptions options = GuideOptions(costs);
  options.hardware = {{.label = "GPU", .usd = 600}};
  const MonthlyPlan plan = MakePlanner(options).Plan(Scenario("1.").usage);
  // 3M tokens at 1 per second: 833 h, 833 kWh, $125 of electricity, more
  // than the guide's $7.20 Haiku bill.
  EXPECT_NEAR(plan.local.electricity_usd, 3e6 / 3600 * 0.15, 1e-9);
  EXPECT_FALSE(plan.break_even[0].tiers[0].vs_guide);
  EXPECT_LT(*plan.tiers[0].vs_guide.local, 0);  // dearer, not a saving
}

TEST(PlannerTest, TheGuidesServerPaysForItselfInOneToTwoMonths) {
  // policy.md §4: a $3,000 server with two RTX 3090s pays for itself in
  // 1-2 months against Claude Haiku at scenario 3 ($2,400 a month), its
  // electricity $50-100: 3000 / (2400 - 100) = 1.3 months.
  PlannerOptions options = GuideOptions();
  options.hardware = GuideHardware();
  const MonthlyPlan plan = MakePlanner(options).Plan(Scenario("3.").usage);
  ASSERT_EQ(plan.break_even.size(), 3u);
  EXPECT_EQ(plan.break_even[2].hardware.usd, 3000);
  const double months = *plan.break_even[2].tiers[0].vs_guide;
  EXPECT_NEAR(months, 3000 / (2400 - DefaultElectricity(1e9)), 1e-9);
  EXPECT_GE(months, 1);
  EXPECT_LE(months, 2);
  // With the guide's own electricity figures, the same range.
  EXPECT_NEAR(*BreakEvenMonths(3000, 2400, 50), 1.28, 0.01);
  EXPECT_NEAR(*BreakEvenMonths(3000, 2400, 100), 1.30, 0.01);
  // 1e9 tokens at 400 a second keep the machine busy 694 of the month's
  // 720 hours.
  EXPECT_NEAR(plan.local.busy_hours, 1e9 / 400 / 3600, 1e-6);
  EXPECT_LT(plan.local.busy_hours, kHoursPerMonth);
}

TEST(PlannerTest, WhereTheGuidesSixToTwelveMonthsHold) {
  // policy.md §4: a $600-1,000 GPU breaks even in 6-12 months of heavy
  // use. Against the guide's "heavy usage" on Sonnet ($60 a month):
  // 600 / (60 - $0.44) = 10.1 months (inside), 1000 / 59.56 = 16.8
  // (outside). Against scenario 2 on Haiku ($72): 8.5 and 14.1 months.
  PlannerOptions options = GuideOptions();
  options.hardware = GuideHardware();
  const CostPlanner planner = MakePlanner(options);
  const MonthlyPlan heavy = planner.Plan(Scenario("heavy").usage);
  EXPECT_NEAR(*heavy.break_even[0].tiers[1].vs_guide,
              600 / (60 - DefaultElectricity(12e6)), 1e-9);
  EXPECT_NEAR(*heavy.break_even[0].tiers[1].vs_guide, 10.07, 0.01);
  EXPECT_NEAR(*heavy.break_even[1].tiers[1].vs_guide, 16.79, 0.01);
  const MonthlyPlan developer = planner.Plan(Scenario("2.").usage);
  EXPECT_NEAR(*developer.break_even[0].tiers[0].vs_guide,
              600 / (72 - DefaultElectricity(30e6)), 1e-9);
  EXPECT_NEAR(*developer.break_even[0].tiers[0].vs_guide, 8.46, 0.01);
  EXPECT_NEAR(*developer.break_even[1].tiers[0].vs_guide, 14.10, 0.01);
  // Against Sonnet the same GPU pays for itself far sooner: 2.2-3.7 months.
  EXPECT_NEAR(*developer.break_even[0].tiers[1].vs_guide, 2.23, 0.01);
  EXPECT_NEAR(*developer.break_even[1].tiers[1].vs_guide, 3.72, 0.01);
}

TEST(PlannerTest, HostedOpenModelsAndTheirSavings) {
  const CostPlanner planner = MakePlanner(GuideOptions());
  // 3M tokens at $0.08-1.20 per million: $0.24-$3.60.
  const MonthlyPlan light = planner.Plan(Scenario("1.").usage);
  EXPECT_NEAR(light.hosted_open_low_usd, 0.24, 1e-9);
  EXPECT_NEAR(light.hosted_open_high_usd, 3.60, 1e-9);
  EXPECT_EQ(
      FormatUsdRange(light.hosted_open_low_usd, light.hosted_open_high_usd),
      "$0.24–$3.60");
  // The guide's "60-97% cheaper than Sonnet" is per input token:
  // 1 - 1.20/3 = 60%, 1 - 0.08/3 = 97.3%.
  const MonthlyPlan input_only =
      planner.Plan({.input_tokens = 1e6, .output_tokens = 0});
  const Savings& sonnet = Tier(input_only, "sonnet").vs_guide;
  EXPECT_NEAR(*sonnet.hosted_open_high, 0.60, 1e-9);
  EXPECT_NEAR(*sonnet.hosted_open_low, 1 - 0.08 / 3, 1e-9);
  // On the guide's scenario 1 mix the saving is larger: 86.7-99.1%.
  EXPECT_NEAR(*Tier(light, "sonnet").vs_guide.hosted_open_high, 1 - 3.6 / 27,
              1e-9);
  EXPECT_NEAR(*Tier(light, "sonnet").vs_guide.hosted_open_low, 1 - 0.24 / 27,
              1e-9);
  EXPECT_FALSE(SavingFraction(1, 0));
}

TEST(PlannerTest, PricedUpstreamsArePlanned) {
  const auto upstream = [](std::string name, double input_price,
                           double output_price) {
    UpstreamConfig config;
    config.name = std::move(name);
    config.input_price = input_price;
    config.output_price = output_price;
    return config;
  };
  PlannerOptions options = GuideOptions();
  options.upstreams = {upstream("together", 0.5, 1.5),
                       upstream("gpu-box", 0, 0)};
  const MonthlyPlan plan =
      MakePlanner(options).Plan({.input_tokens = 2e6, .output_tokens = 1e6});
  ASSERT_EQ(plan.upstreams.size(), 1u);
  EXPECT_EQ(plan.upstreams[0].name, "together");
  EXPECT_NEAR(plan.upstreams[0].monthly_usd, 2 * 0.5 + 1 * 1.5, 1e-9);
}

TEST(PlannerTest, OtherTiersFollowTheKnownOnes) {
  PlannerOptions options = GuideOptions();
  options.claude_models["fable"] = "claude-fable-5";
  options.claude_models["experimental"] = "claude-sonnet-5";
  Result<ClaudeCatalog> catalog = ClaudeCatalog::Parse(
      "[[model]]\nid = \"claude-fable-5\"\n"
      "[[model]]\nid = \"claude-sonnet-5\"\n"
      "[[model]]\nid = \"claude-haiku-4-5\"\n"
      "[[model]]\nid = \"claude-sonnet-4-6\"\n"
      "[[model]]\nid = \"claude-opus-4-6\"\n"
      "[[model]]\nid = \"claude-3-5-haiku-20241022\"\n"
      "[[model]]\nid = \"claude-3-5-sonnet-20241022\"\n"
      "[[model]]\nid = \"claude-3-opus-20240229\"\n",
      "test.toml");
  ASSERT_TRUE(catalog);
  const MonthlyPlan plan = MakePlanner(options, *catalog).Plan({});
  std::vector<std::string> tiers;
  for (const TierCost& tier : plan.tiers) {
    tiers.push_back(tier.tier);
  }
  EXPECT_EQ(tiers, (std::vector<std::string>{"haiku", "sonnet", "opus",
                                             "experimental", "fable"}));
}

TEST(PlannerTest, BadOptionsAreRefusedWithTheKey) {
  PlannerOptions unknown = GuideOptions();
  unknown.claude_models["haiku"] = "claude-nonexistent";
  Result<CostPlanner> planner =
      CostPlanner::Create(unknown, ClaudeCatalog::BuiltIn());
  ASSERT_FALSE(planner);
  EXPECT_EQ(planner.error(),
            InvalidArgument("policy.claude_models.haiku: 'claude-nonexistent' "
                            "is not in the Claude catalogue"));
  CostsConfig stopped;
  stopped.local_tokens_per_second = 0;
  planner =
      CostPlanner::Create(GuideOptions(stopped), ClaudeCatalog::BuiltIn());
  ASSERT_FALSE(planner);
  EXPECT_NE(planner.error().message().find("costs.local_tokens_per_second"),
            std::string::npos);
}

}  // namespace
}  // namespace duet
