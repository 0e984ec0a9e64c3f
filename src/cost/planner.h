// CostPlanner: what a month of tokens costs on every way duet can answer
// them, and when local hardware pays for itself (`duet plan`,
// docs/costs.md).
//
// For one MonthlyUsage (input and output tokens a month) a plan holds:
//   * each Claude tier at the guide's prices (the models the guide priced,
//     retired now, looked up in the catalogue) and at today's (the models
//     policy.claude_models names), each also with the Message Batches
//     discount:  cloud = input x input_price + output x output_price
//     (prices per million tokens), batched = cloud x (1 - batch_discount);
//   * hosted open models at the low and high price of [costs];
//   * every [upstreams.*] with a price;
//   * the local machine: busy hours = (input + output) /
//     local_tokens_per_second / 3600; electricity = busy hours x
//     local_watts / 1000 x electricity_usd_per_kwh; plus hardware_usd /
//     hardware_months when hardware_usd > 0;
//   * savings of local and hosted open models against each tier;
//   * break-even: months for hardware costing H to pay for itself against
//     a cloud option, H / (cloud - local electricity); never when that
//     saving is <= 0.
//
// The input is a plain MonthlyUsage so any source can feed the same
// planner: the guide's scenarios (cost/guide.h), flags, or a month of the
// user's own ledger.
//
// Thread safety: a CostPlanner is immutable after Create; Plan is const
// and may be called from any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "cost/prices.h"
#include "model/claude_catalog.h"

namespace duet {

// Tokens a month. Costs scale linearly with both.
struct MonthlyUsage {
  double input_tokens = 0;
  double output_tokens = 0;
};

// The planner's month, for usage given per day.
inline constexpr double kDaysPerMonth = 30;
// Hours in that month, for how busy the local machine is.
inline constexpr double kHoursPerMonth = kDaysPerMonth * 24;

// `queries_per_day` x 30 days, each with these average token counts.
MonthlyUsage UsageFromQueriesPerDay(double queries_per_day,
                                    double input_tokens_per_query,
                                    double output_tokens_per_query);
// `queries_per_month`, each with these average token counts.
MonthlyUsage UsageFromQueriesPerMonth(double queries_per_month,
                                      double input_tokens_per_query,
                                      double output_tokens_per_query);

// Hardware whose break-even the plan computes.
struct HardwareOption {
  std::string label;  // "server with two RTX 3090s"
  double usd = 0;
};

struct PlannerOptions {
  // Electricity, the local machine, hardware and hosted open prices.
  CostsConfig costs;
  // Today's Claude model per tier (PolicyConfig::claude_models).
  std::map<std::string, std::string> claude_models =
      PolicyConfig().claude_models;
  // The guide's Claude model per tier (GuideClaudeModels() in cost/guide.h
  // for the guide's own; empty = no guide column).
  std::map<std::string, std::string> guide_models;
  // OpenAI-compatible servers; those with an input or output price are
  // planned.
  std::vector<UpstreamConfig> upstreams;
  // Hardware to compute break-even for. Empty: costs.hardware_usd when it
  // is > 0, else none.
  std::vector<HardwareOption> hardware;
};

// One Claude model at its list prices, for the month.
struct PricedModel {
  std::string model_id;  // the catalogue id
  std::string display_name;
  TokenPrices prices;
  double monthly_usd = 0;
  double batch_monthly_usd = 0;  // through the Message Batches API
};

// How much cheaper something is than a Claude model: 1 - its cost / the
// model's (0.97 = 97% cheaper; negative = dearer). nullopt when the
// model's cost is 0.
struct Savings {
  std::optional<double> local;
  std::optional<double> hosted_open_low;   // the low hosted price
  std::optional<double> hosted_open_high;  // the high hosted price
};

struct TierCost {
  std::string tier;                  // "haiku", "sonnet", "opus", ...
  std::optional<PricedModel> guide;  // nullopt: the guide priced no model here
  std::optional<PricedModel> today;  // nullopt: policy.claude_models has none
  Savings vs_guide;
  Savings vs_today;
};

struct LocalCost {
  double busy_hours = 0;  // generating, at costs.local_tokens_per_second
  double energy_kwh = 0;
  double electricity_usd = 0;
  double amortization_usd = 0;  // costs.hardware_usd / hardware_months
  double monthly_usd = 0;       // electricity + amortization
};

struct UpstreamCost {
  std::string name;
  double monthly_usd = 0;
};

// Months for one piece of hardware to pay for itself; nullopt = never.
struct TierBreakEven {
  std::string tier;
  std::optional<double> vs_guide;
  std::optional<double> vs_today;
};

struct BreakEven {
  HardwareOption hardware;
  double amortization_usd = 0;       // hardware.usd / costs.hardware_months
  std::vector<TierBreakEven> tiers;  // in MonthlyPlan::tiers order
};

struct MonthlyPlan {
  MonthlyUsage usage;
  // haiku, sonnet, opus first, then any other tier by name.
  std::vector<TierCost> tiers;
  double batch_discount = 0;
  double hosted_open_low_usd = 0;
  double hosted_open_high_usd = 0;
  std::vector<UpstreamCost> upstreams;
  LocalCost local;
  std::vector<BreakEven> break_even;
};

// Months for `hardware_usd` to pay for itself from the monthly saving
// `cloud_monthly_usd - local_running_usd`; nullopt ("never") when that
// saving is <= 0.
std::optional<double> BreakEvenMonths(double hardware_usd,
                                      double cloud_monthly_usd,
                                      double local_running_usd);

// 1 - cost / reference; nullopt when `reference_usd` is 0.
std::optional<double> SavingFraction(double cost_usd, double reference_usd);

class CostPlanner {
 public:
  // Checks that every model in options.claude_models and guide_models is
  // in `catalog` (kInvalidArgument naming policy.claude_models.TIER or the
  // guide's tier) and that costs.local_tokens_per_second > 0.
  static Result<CostPlanner> Create(PlannerOptions options,
                                    const ClaudeCatalog& catalog);

  MonthlyPlan Plan(const MonthlyUsage& usage) const;

  const PlannerOptions& options() const { return options_; }

 private:
  CostPlanner() = default;

  LocalCost PlanLocal(const MonthlyUsage& usage) const;

  PlannerOptions options_;
  double batch_discount_ = 0;
  std::vector<std::string> tier_order_;
  // tier -> the model's entry, copied from the catalogue.
  std::map<std::string, ClaudeModel> guide_;
  std::map<std::string, ClaudeModel> today_;
};

}  // namespace duet
