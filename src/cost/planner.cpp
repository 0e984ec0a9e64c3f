#include "cost/planner.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "cost/answer_pricer.h"

namespace duet {
namespace {

constexpr double kSecondsPerHour = 3600;
constexpr double kWattsPerKilowatt = 1000;
constexpr double kTokensPerMillion = 1e6;

// The tiers people know, cheapest first; any other tier follows by name.
constexpr std::array<std::string_view, 3> kKnownTiers = {"haiku", "sonnet",
                                                         "opus"};

std::vector<std::string> TierOrder(const PlannerOptions& options) {
  std::vector<std::string> order;
  for (std::string_view tier : kKnownTiers) {
    if (options.claude_models.contains(std::string(tier)) ||
        options.guide_models.contains(std::string(tier))) {
      order.emplace_back(tier);
    }
  }
  const auto add_others =
      [&](const std::map<std::string, std::string>& models) {
        for (const auto& [tier, model] : models) {
          if (std::find(order.begin(), order.end(), tier) == order.end()) {
            order.push_back(tier);
          }
        }
      };
  add_others(options.claude_models);
  add_others(options.guide_models);
  std::sort(order.begin() +
                static_cast<std::ptrdiff_t>(std::min(order.size(), size_t{3})),
            order.end());
  return order;
}

Status CopyModels(const std::map<std::string, std::string>& models,
                  const ClaudeCatalog& catalog, std::string_view key_prefix,
                  std::map<std::string, ClaudeModel>* out) {
  for (const auto& [tier, id] : models) {
    const ClaudeModel* model = catalog.Find(id);
    if (model == nullptr) {
      return InvalidArgument(std::string(key_prefix) + tier + ": '" + id +
                             "' is not in the Claude catalogue");
    }
    (*out)[tier] = *model;
  }
  return Status::Ok();
}

std::optional<PricedModel> Price(
    const std::map<std::string, ClaudeModel>& models, const std::string& tier,
    const MonthlyUsage& usage, double batch_discount) {
  const auto found = models.find(tier);
  if (found == models.end()) {
    return std::nullopt;
  }
  PricedModel priced;
  priced.model_id = found->second.id;
  priced.display_name = found->second.display_name;
  priced.prices = PricesOf(found->second);
  priced.monthly_usd =
      CostUsd(usage.input_tokens, usage.output_tokens, priced.prices);
  priced.batch_monthly_usd = priced.monthly_usd * (1 - batch_discount);
  return priced;
}

Savings SavingsAgainst(const std::optional<PricedModel>& model,
                       const MonthlyPlan& plan) {
  if (!model) {
    return {};
  }
  return {.local = SavingFraction(plan.local.monthly_usd, model->monthly_usd),
          .hosted_open_low =
              SavingFraction(plan.hosted_open_low_usd, model->monthly_usd),
          .hosted_open_high =
              SavingFraction(plan.hosted_open_high_usd, model->monthly_usd)};
}

std::optional<double> BreakEvenAgainst(const std::optional<PricedModel>& model,
                                       double hardware_usd,
                                       const LocalCost& local) {
  if (!model) {
    return std::nullopt;
  }
  return BreakEvenMonths(hardware_usd, model->monthly_usd,
                         local.electricity_usd);
}

}  // namespace

MonthlyUsage UsageFromQueriesPerDay(double queries_per_day,
                                    double input_tokens_per_query,
                                    double output_tokens_per_query) {
  return UsageFromQueriesPerMonth(queries_per_day * kDaysPerMonth,
                                  input_tokens_per_query,
                                  output_tokens_per_query);
}

MonthlyUsage UsageFromQueriesPerMonth(double queries_per_month,
                                      double input_tokens_per_query,
                                      double output_tokens_per_query) {
  return {.input_tokens = queries_per_month * input_tokens_per_query,
          .output_tokens = queries_per_month * output_tokens_per_query};
}

std::optional<double> BreakEvenMonths(double hardware_usd,
                                      double cloud_monthly_usd,
                                      double local_running_usd) {
  const double saving = cloud_monthly_usd - local_running_usd;
  if (saving <= 0) {
    return std::nullopt;
  }
  return hardware_usd / saving;
}

std::optional<double> SavingFraction(double cost_usd, double reference_usd) {
  if (reference_usd == 0) {
    return std::nullopt;
  }
  return 1 - cost_usd / reference_usd;
}

Result<CostPlanner> CostPlanner::Create(PlannerOptions options,
                                        const ClaudeCatalog& catalog) {
  if (!(options.costs.local_tokens_per_second > 0)) {
    return Error(
        InvalidArgument("costs.local_tokens_per_second: must be > 0 to turn "
                        "tokens into hours"));
  }
  if (options.costs.hardware_months < 1) {
    return Error(InvalidArgument("costs.hardware_months: must be >= 1"));
  }
  CostPlanner planner;
  DUET_RETURN_IF_ERROR(CopyModels(options.claude_models, catalog,
                                  "policy.claude_models.", &planner.today_));
  DUET_RETURN_IF_ERROR(CopyModels(options.guide_models, catalog,
                                  "the guide's model for ", &planner.guide_));
  if (options.hardware.empty() && options.costs.hardware_usd > 0) {
    options.hardware.push_back(
        {.label = "your hardware", .usd = options.costs.hardware_usd});
  }
  planner.tier_order_ = TierOrder(options);
  planner.batch_discount_ = catalog.batch_discount();
  planner.options_ = std::move(options);
  return planner;
}

LocalCost CostPlanner::PlanLocal(const MonthlyUsage& usage) const {
  const CostsConfig& costs = options_.costs;
  // The ledger's pricer, so a planned month and a recorded one use the
  // same electricity and amortization.
  AnswerPricer::Options pricer_options;
  pricer_options.costs = costs;
  const AnswerPricer pricer(std::move(pricer_options));
  const double busy_seconds = (usage.input_tokens + usage.output_tokens) /
                              costs.local_tokens_per_second;
  LocalCost local;
  local.busy_hours = busy_seconds / kSecondsPerHour;
  local.energy_kwh = local.busy_hours * costs.local_watts / kWattsPerKilowatt;
  local.electricity_usd = pricer.ElectricityUsd(busy_seconds);
  local.amortization_usd = pricer.MonthlyHardwareUsd();
  local.monthly_usd = local.electricity_usd + local.amortization_usd;
  return local;
}

MonthlyPlan CostPlanner::Plan(const MonthlyUsage& usage) const {
  const CostsConfig& costs = options_.costs;
  MonthlyPlan plan;
  plan.usage = usage;
  plan.batch_discount = batch_discount_;
  const double all_mtok =
      (usage.input_tokens + usage.output_tokens) / kTokensPerMillion;
  plan.hosted_open_low_usd = all_mtok * costs.hosted_open_low_usd_per_mtok;
  plan.hosted_open_high_usd = all_mtok * costs.hosted_open_high_usd_per_mtok;
  plan.local = PlanLocal(usage);
  for (const UpstreamConfig& upstream : options_.upstreams) {
    if (upstream.input_price > 0 || upstream.output_price > 0) {
      plan.upstreams.push_back(
          {.name = upstream.name,
           .monthly_usd = CostUsd(usage.input_tokens, usage.output_tokens,
                                  {.input = upstream.input_price,
                                   .output = upstream.output_price})});
    }
  }
  for (const std::string& tier : tier_order_) {
    TierCost cost;
    cost.tier = tier;
    cost.guide = Price(guide_, tier, usage, batch_discount_);
    cost.today = Price(today_, tier, usage, batch_discount_);
    cost.vs_guide = SavingsAgainst(cost.guide, plan);
    cost.vs_today = SavingsAgainst(cost.today, plan);
    plan.tiers.push_back(std::move(cost));
  }
  for (const HardwareOption& hardware : options_.hardware) {
    BreakEven even;
    even.hardware = hardware;
    even.amortization_usd =
        hardware.usd / static_cast<double>(costs.hardware_months);
    for (const TierCost& tier : plan.tiers) {
      even.tiers.push_back(
          {.tier = tier.tier,
           .vs_guide = BreakEvenAgainst(tier.guide, hardware.usd, plan.local),
           .vs_today = BreakEvenAgainst(tier.today, hardware.usd, plan.local)});
    }
    plan.break_even.push_back(std::move(even));
  }
  return plan;
}

}  // namespace duet
