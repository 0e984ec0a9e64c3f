#include "app/plan_report.h"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <string>

#include <fmt/format.h>

#include "app/report_format.h"
#include "core/json_writer.h"
#include "cost/money.h"

namespace duet {
namespace {

// ---- Text ----------------------------------------------------------------

// "10M", "1.5M", "600K", "750": token counts as people say them.
std::string FormatTokens(double tokens) {
  const auto trimmed = [](double value, const char* suffix) {
    std::string text = fmt::format("{:.2f}", value);
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') {
      text.pop_back();
    }
    return text + suffix;
  };
  if (tokens >= 1e6) {
    return trimmed(tokens / 1e6, "M");
  }
  if (tokens >= 1e3) {
    return trimmed(tokens / 1e3, "K");
  }
  return fmt::format("{:.0f}", tokens);
}

// Savings are rounded down: a local bill 0.4% of the cloud's shows as
// "99%", never "100%" (the epsilon keeps 60% computed as 59.999...% at
// 60%). No saving: how many times the cloud's cost it is instead.
std::string FormatPercent(std::optional<double> fraction) {
  if (!fraction) {
    return "n/a";
  }
  if (*fraction < 0) {
    return fmt::format("none ({:.1f}× the cost)", 1 - *fraction);
  }
  return fmt::format("{:.0f}%", std::floor(*fraction * 100 + 1e-9));
}

std::string FormatPercentRange(std::optional<double> low,
                               std::optional<double> high) {
  const std::string low_text = FormatPercent(low);
  const std::string high_text = FormatPercent(high);
  return low_text == high_text ? low_text : low_text + "–" + high_text;
}

std::string FormatMonths(std::optional<double> months) {
  if (!months) {
    return "never";
  }
  if (*months < 0.05) {
    return "<0.1";
  }
  if (*months < 100) {
    return fmt::format("{:.1f}", *months);
  }
  // "1,234": money's digit grouping, without the dollar sign.
  return FormatUsd(std::round(*months)).substr(1);
}

std::string PricedCell(const std::optional<PricedModel>& model, bool batched) {
  if (!model) {
    return "-";
  }
  return FormatUsd(batched ? model->batch_monthly_usd : model->monthly_usd);
}

// Columns padded to their widest cell; UTF-8 characters count once.
void WriteTable(const std::vector<std::vector<std::string>>& rows,
                std::ostream& out) {
  const auto width = [](const std::string& text) {
    return static_cast<size_t>(std::count_if(
        text.begin(), text.end(),
        [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  };
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], width(row[i]));
    }
  }
  for (const auto& row : rows) {
    std::string line = "  ";
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(widths[i] - width(row[i]) + 3, ' ');
      }
    }
    out << line << "\n";
  }
}

std::string ModelNames(const std::vector<TierCost>& tiers, bool guide) {
  std::string names;
  for (const TierCost& tier : tiers) {
    const std::optional<PricedModel>& model = guide ? tier.guide : tier.today;
    if (model) {
      names += (names.empty() ? "" : ", ") + model->display_name;
    }
  }
  return names.empty() ? "none" : names;
}

void WriteAssumptions(const PlannerOptions& options, const MonthlyPlan& first,
                      std::ostream& out) {
  const CostsConfig& costs = options.costs;
  out << "Assumptions ([costs] and the Claude catalogue):\n";
  out << fmt::format(
      "  electricity {}/kWh; the local machine draws {} W at {} tokens/s "
      "(prompt and output)\n",
      FormatUsd(costs.electricity_usd_per_kwh), costs.local_watts,
      costs.local_tokens_per_second);
  out << fmt::format(
      "  hosted open models {} per million tokens; Message Batches {:.0f}% "
      "off\n",
      FormatUsdRange(costs.hosted_open_low_usd_per_mtok,
                     costs.hosted_open_high_usd_per_mtok),
      first.batch_discount * 100);
  out << "  guide's prices: " << ModelNames(first.tiers, /*guide=*/true)
      << " (the models the guide priced; retired)\n";
  out << "  today's prices: " << ModelNames(first.tiers, /*guide=*/false)
      << " (policy.claude_models)\n";
}

void WriteClaudeTable(const MonthlyPlan& plan, std::ostream& out) {
  std::vector<std::vector<std::string>> rows = {
      {"tier", "guide's price", "today's price", "today, batched",
       "local saves", "hosted open saves"}};
  for (const TierCost& tier : plan.tiers) {
    // Savings against the guide's price where it has one, as its claims are.
    const Savings& savings = tier.guide ? tier.vs_guide : tier.vs_today;
    rows.push_back({tier.tier, PricedCell(tier.guide, false),
                    PricedCell(tier.today, false), PricedCell(tier.today, true),
                    FormatPercent(savings.local),
                    FormatPercentRange(savings.hosted_open_high,
                                       savings.hosted_open_low)});
  }
  out << "\n";
  WriteTable(rows, out);
  out << "  (a month; savings against the guide's price, else today's)\n";
}

std::string LocalLine(const PlannedUsage& usage) {
  const LocalCost& local = usage.plan.local;
  std::string line = FormatUsd(local.monthly_usd);
  if (local.amortization_usd > 0) {
    line += fmt::format(" ({} electricity + {} hardware)",
                        FormatUsd(local.electricity_usd),
                        FormatUsd(local.amortization_usd));
  } else {
    line += " electricity";
  }
  line += fmt::format(", computed: {:.1f} busy hours, {:.1f} kWh",
                      local.busy_hours, local.energy_kwh);
  if (local.busy_hours > kHoursPerMonth) {
    line += fmt::format(
        " (more than the month's {:.0f} hours: {:.0f} machines at this speed)",
        kHoursPerMonth, std::ceil(local.busy_hours / kHoursPerMonth));
  }
  return line;
}

void WriteOtherOptions(const PlannedUsage& usage, std::ostream& out) {
  const MonthlyPlan& plan = usage.plan;
  std::vector<std::vector<std::string>> rows = {{"local", LocalLine(usage)}};
  if (!usage.scenario.guide_local_text.empty()) {
    rows.push_back(
        {"", "guide's estimate: " + usage.scenario.guide_local_text});
  }
  rows.push_back({"hosted open", FormatUsdRange(plan.hosted_open_low_usd,
                                                plan.hosted_open_high_usd)});
  for (const UpstreamCost& upstream : plan.upstreams) {
    rows.push_back(
        {"upstream " + upstream.name, FormatUsd(upstream.monthly_usd)});
  }
  out << "\n";
  WriteTable(rows, out);
}

void WriteBreakEven(const PlannerOptions& options, const MonthlyPlan& plan,
                    std::ostream& out) {
  if (plan.break_even.empty()) {
    return;
  }
  out << "\n  Break-even, months of savings to pay for the hardware "
         "(against the guide's price / today's):\n";
  std::vector<std::string> header = {
      "hardware",
      fmt::format("amortized over {} months", options.costs.hardware_months)};
  for (const TierCost& tier : plan.tiers) {
    header.push_back(tier.tier);
  }
  std::vector<std::vector<std::string>> rows = {header};
  for (const BreakEven& even : plan.break_even) {
    std::vector<std::string> row = {
        fmt::format("{} {}", FormatUsd(even.hardware.usd), even.hardware.label),
        FormatUsd(even.amortization_usd) + " a month"};
    // even.tiers is in plan.tiers' order; "never" (nullopt) and "no guide
    // price" must not be confused.
    for (size_t i = 0; i < even.tiers.size(); ++i) {
      const TierBreakEven& tier = even.tiers[i];
      row.push_back(plan.tiers[i].guide ? FormatMonths(tier.vs_guide) + " / " +
                                              FormatMonths(tier.vs_today)
                                        : FormatMonths(tier.vs_today));
    }
    rows.push_back(std::move(row));
  }
  WriteTable(rows, out);
}

// ---- JSON ----------------------------------------------------------------

void PricedJson(JsonWriter& w, std::string_view key,
                const std::optional<PricedModel>& model) {
  if (!model) {
    w.Key(key);
    w.Null();
    return;
  }
  JsonObject(w, key, [&] {
    w.Field("model", model->model_id);
    w.Field("display_name", model->display_name);
    JsonNumber(w, "input_usd_per_mtok", model->prices.input);
    JsonNumber(w, "output_usd_per_mtok", model->prices.output);
    JsonNumber(w, "monthly_usd", model->monthly_usd);
    JsonNumber(w, "batch_monthly_usd", model->batch_monthly_usd);
  });
}

void SavingsJson(JsonWriter& w, std::string_view key, const Savings& savings) {
  JsonObject(w, key, [&] {
    JsonNumber(w, "local", savings.local);
    JsonNumber(w, "hosted_open_low_price", savings.hosted_open_low);
    JsonNumber(w, "hosted_open_high_price", savings.hosted_open_high);
  });
}

void UsageJson(JsonWriter& w, const PlannedUsage& usage) {
  const MonthlyPlan& plan = usage.plan;
  w.Field("name", usage.scenario.name);
  w.Field("usage", usage.scenario.usage_text);
  JsonNumber(w, "input_tokens", plan.usage.input_tokens);
  JsonNumber(w, "output_tokens", plan.usage.output_tokens);
  JsonObjectArray(w, "claude", plan.tiers, [&](const TierCost& tier) {
    w.Field("tier", tier.tier);
    PricedJson(w, "guide", tier.guide);
    PricedJson(w, "today", tier.today);
    SavingsJson(w, "savings_vs_guide", tier.vs_guide);
    SavingsJson(w, "savings_vs_today", tier.vs_today);
  });
  JsonObject(w, "local", [&] {
    JsonNumber(w, "busy_hours", plan.local.busy_hours);
    JsonNumber(w, "energy_kwh", plan.local.energy_kwh);
    JsonNumber(w, "electricity_usd", plan.local.electricity_usd);
    JsonNumber(w, "amortization_usd", plan.local.amortization_usd);
    JsonNumber(w, "monthly_usd", plan.local.monthly_usd);
    JsonNumber(w, "guide_electricity_low_usd",
               usage.scenario.guide_electricity_low_usd);
    JsonNumber(w, "guide_electricity_high_usd",
               usage.scenario.guide_electricity_high_usd);
  });
  JsonObject(w, "hosted_open", [&] {
    JsonNumber(w, "low_usd", plan.hosted_open_low_usd);
    JsonNumber(w, "high_usd", plan.hosted_open_high_usd);
  });
  JsonObjectArray(w, "upstreams", plan.upstreams,
                  [&](const UpstreamCost& upstream) {
                    w.Field("name", upstream.name);
                    JsonNumber(w, "monthly_usd", upstream.monthly_usd);
                  });
  JsonObjectArray(w, "break_even", plan.break_even, [&](const BreakEven& even) {
    w.Field("hardware", even.hardware.label);
    JsonNumber(w, "hardware_usd", even.hardware.usd);
    JsonNumber(w, "amortization_usd", even.amortization_usd);
    JsonObjectArray(w, "months", even.tiers, [&](const TierBreakEven& tier) {
      w.Field("tier", tier.tier);
      JsonNumber(w, "vs_guide", tier.vs_guide);
      JsonNumber(w, "vs_today", tier.vs_today);
    });
  });
}

}  // namespace

void WritePlanText(const PlannerOptions& options,
                   const std::vector<PlannedUsage>& usages, std::ostream& out) {
  if (usages.empty()) {
    return;
  }
  WriteAssumptions(options, usages.front().plan, out);
  for (const PlannedUsage& usage : usages) {
    out << "\n== " << usage.scenario.name;
    if (!usage.scenario.usage_text.empty()) {
      out << " (" << usage.scenario.usage_text << ")";
    }
    out << fmt::format("\n   {} input + {} output tokens a month\n",
                       FormatTokens(usage.plan.usage.input_tokens),
                       FormatTokens(usage.plan.usage.output_tokens));
    WriteClaudeTable(usage.plan, out);
    WriteOtherOptions(usage, out);
    WriteBreakEven(options, usage.plan, out);
  }
}

void WritePlanJson(const PlannerOptions& options,
                   const std::vector<PlannedUsage>& usages, std::ostream& out) {
  const CostsConfig& costs = options.costs;
  std::string text;
  JsonWriter w(&text);
  w.BeginObject();
  JsonObject(w, "assumptions", [&] {
    JsonNumber(w, "electricity_usd_per_kwh", costs.electricity_usd_per_kwh);
    JsonNumber(w, "local_watts", costs.local_watts);
    JsonNumber(w, "local_tokens_per_second", costs.local_tokens_per_second);
    JsonNumber(w, "hardware_usd", costs.hardware_usd);
    w.Field("hardware_months", costs.hardware_months);
    JsonNumber(w, "hosted_open_low_usd_per_mtok",
               costs.hosted_open_low_usd_per_mtok);
    JsonNumber(w, "hosted_open_high_usd_per_mtok",
               costs.hosted_open_high_usd_per_mtok);
    JsonNumber(w, "batch_discount",
               usages.empty() ? 0 : usages.front().plan.batch_discount);
    JsonNumber(w, "days_per_month", kDaysPerMonth);
  });
  JsonObjectArray(w, "plans", usages,
                  [&](const PlannedUsage& usage) { UsageJson(w, usage); });
  w.EndObject();
  out << text << "\n";
}

}  // namespace duet
