// The text half of report_output.h.
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/report_format.h"
#include "app/report_output.h"
#include "cost/money.h"
#include "ledger/utc_calendar.h"

namespace duet {
namespace {

constexpr size_t kLineWidth = 80;
// Where the continuation lines of a wrapped sentence start.
constexpr std::string_view kHangingIndent = "    ";

using Rows = std::vector<std::vector<std::string>>;

void Title(std::string_view title, std::ostream& out) {
  out << "\n== " << title << "\n";
}

// "31 days", "14.6 days", "1 day".
std::string FormatDays(double days) {
  std::string number = fmt::format("{:.1f}", days);
  if (number.ends_with(".0")) {
    number.resize(number.size() - 2);
  }
  return number + (number == "1" ? " day" : " days");
}

std::string KeyName(const std::string& key) {
  return key.empty() ? "(anonymous)" : key;
}

void WriteHeader(const UsageReportData& report, const std::string& ledger_path,
                 std::ostream& out) {
  const ReportPeriod& period = report.period;
  const bool ongoing = period.counted_until_ms < period.until_ms;
  out << fmt::format(
      "duet report: {} to {} UTC ({}{})\n", FormatUtcMinute(period.since_ms),
      FormatUtcMinute(ongoing ? period.counted_until_ms : period.until_ms),
      FormatDays(period.days), ongoing ? " so far" : "");
  out << "ledger: " << ledger_path << "\n";
}

void WriteTotals(const UsageReportData& report, std::ostream& out) {
  const ReportTotals& totals = report.totals;
  Title("Totals", out);
  const std::string hardware =
      totals.monthly_hardware_usd > 0
          ? fmt::format("{} ({}/month amortized, for {})",
                        FormatUsd(totals.hardware_usd),
                        FormatUsd(totals.monthly_hardware_usd),
                        FormatDays(report.period.days))
          : "none configured (costs.hardware_usd)";
  WriteTable(
      {{"requests",
        fmt::format("{} ({} answered)", totals.all.requests, totals.answered)},
       {"tokens",
        fmt::format("{} in, {} out", FormatCount(totals.all.input_tokens),
                    FormatCount(totals.all.output_tokens))},
       {"spend",
        fmt::format("{}: cloud {}, local {}", FormatUsd(totals.all.cost_usd),
                    FormatUsd(totals.cloud_spend_usd),
                    FormatUsd(totals.electricity_usd))},
       {"local busy", fmt::format("{:.1f} hours", totals.local_busy_hours)},
       {"hardware", hardware},
       {"shadow", totals.shadow_usd > 0
                      ? fmt::format("{} (shadow evaluation)", FormatUsd(totals.shadow_usd))
                      : std::string("none")},
       {"total cost", fmt::format("{} (spend + shadow + hardware)",
                                  FormatUsd(totals.total_cost_usd))}},
      {}, out);
  if (totals.all.requests == 0) {
    out << "  (no requests in this period)\n";
  }
}

void WriteSpend(std::string_view title, std::string_view first_column,
                const std::vector<NamedUsage>& groups, std::ostream& out) {
  Title(title, out);
  Rows rows = {
      {std::string(first_column), "requests", "input", "output", "cost"}};
  for (const NamedUsage& group : groups) {
    rows.push_back({group.name, std::to_string(group.usage.requests),
                    FormatCount(group.usage.input_tokens),
                    FormatCount(group.usage.output_tokens),
                    FormatUsd(group.usage.cost_usd)});
  }
  WriteTable(rows,
             {Align::kLeft, Align::kRight, Align::kRight, Align::kRight,
              Align::kRight},
             out);
}

void WriteSavings(const UsageReportData& report, std::ostream& out) {
  Title("Savings against sending everything to Claude", out);
  out << fmt::format(
      "  the same tokens on each tier, against your spend of {}:\n",
      FormatUsd(report.totals.all.cost_usd));
  Rows rows = {{"tier", "on Claude", "saved", "saved %", "after hardware"}};
  for (const TierSavings& tier : report.savings) {
    rows.push_back({tier.tier, FormatUsd(tier.claude_usd),
                    FormatUsd(tier.saved_usd), FormatShare(tier.saved_share),
                    FormatUsd(tier.saved_after_hardware_usd)});
  }
  WriteTable(rows,
             {Align::kLeft, Align::kRight, Align::kRight, Align::kRight,
              Align::kRight},
             out);
}

std::string PolicyText(const TaskRouteMix& mix) {
  if (mix.policy_route.empty()) {
    return "-";
  }
  if (mix.policy_route == "either") {
    return "either→" + mix.policy_side;
  }
  return mix.policy_route == "cloud" ? "cloud/" + mix.policy_cloud_tier
                                     : mix.policy_route;
}

// Escalation, shadow evaluation and feedback per task kind, with what
// they suggest.
void WriteQuality(const UsageReportData& report, std::ostream& out) {
  Rows rows = {{"task", "checked", "escalated", "esc%", "shadow", "differ%", "feedback",
                "score"}};
  std::vector<std::string> advice;
  for (const TaskRouteMix& mix : report.route_mix) {
    if (mix.checked == 0 && mix.feedback == 0 && mix.shadow_judged == 0) {
      continue;
    }
    rows.push_back({mix.kind, std::to_string(mix.checked), std::to_string(mix.escalated),
                    FormatShare(mix.escalation_rate), std::to_string(mix.shadow_judged),
                    FormatShare(mix.shadow_disagreement), std::to_string(mix.feedback),
                    mix.feedback_score ? fmt::format("{:.2f}", *mix.feedback_score) : "-"});
    if (!mix.recommendation.empty()) {
      advice.push_back(mix.kind + ": " + mix.recommendation);
    }
  }
  if (rows.size() == 1) {
    return;
  }
  out << "\n  local answers checked for escalation, shadowed by Claude, and clients' "
         "feedback:\n";
  WriteTable(rows,
             {Align::kLeft, Align::kRight, Align::kRight, Align::kRight, Align::kRight,
              Align::kRight, Align::kRight, Align::kRight},
             out);
  for (const std::string& line : advice) {
    WriteWrapped(line, "  - ", "    ", 80, out);
  }
}

void WriteRouteMix(const UsageReportData& report, std::ostream& out) {
  Title("Route mix by task", out);
  if (report.route_mix.empty()) {
    out << "  no request in this period has a task\n";
    return;
  }
  Rows rows = {
      {"task", "total", "local", "cloud", "local%", "cloud $", "policy"}};
  for (const TaskRouteMix& mix : report.route_mix) {
    rows.push_back({mix.kind, std::to_string(mix.requests),
                    std::to_string(mix.local), std::to_string(mix.cloud),
                    FormatShare(mix.local_share),
                    FormatUsd(mix.cloud_spend_usd), PolicyText(mix)});
  }
  WriteTable(rows,
             {Align::kLeft, Align::kRight, Align::kRight, Align::kRight,
              Align::kRight, Align::kRight},
             out);
  out << "  (policy: the task table's route, \"either\" resolved through "
         "policy.either)\n";
  WriteQuality(report, out);
}

void WriteCounted(std::string_view title,
                  const std::vector<CountedName>& counts, std::ostream& out) {
  if (counts.empty()) {
    return;
  }
  out << "  " << title << ":\n";
  Rows rows;
  for (const CountedName& counted : counts) {
    rows.push_back({"", std::to_string(counted.count), counted.name});
  }
  WriteTable(rows, {Align::kLeft, Align::kRight}, out);
}

void WriteOutcomes(const UsageReportData& report, std::ostream& out) {
  const OutcomeSummary& outcomes = report.outcomes;
  Title("Outcomes", out);
  WriteTable({{"ok", std::to_string(outcomes.ok)},
              {"fallback", std::to_string(outcomes.fallbacks)},
              {"escalated", std::to_string(outcomes.escalations)},
              {"error", std::to_string(outcomes.errors)},
              {"cancelled", std::to_string(outcomes.cancelled)}},
             {Align::kLeft, Align::kRight}, out);
  WriteCounted("fallback reasons, most frequent first",
               outcomes.fallback_reasons, out);
  WriteCounted("errors by kind", outcomes.error_kinds, out);
  WriteCounted("local answers checked for escalation (passed, unchecked, or the check "
               "that failed)",
               outcomes.escalation_checks, out);
  if (outcomes.escalations > 0) {
    out << "  the " << outcomes.escalations << " local attempts Claude replaced cost "
        << FormatUsd(outcomes.local_attempt_usd) << " of electricity\n";
  }
  if (!outcomes.escalation_effects.empty()) {
    out << "  did escalating help? (Claude's answer held to the check the local one "
           "failed):\n";
    Rows rows = {{"", "check", "escalated", "measured", "changed"}};
    for (const OutcomeSummary::EscalationEffect& effect : outcomes.escalation_effects) {
      rows.push_back({"", effect.check, std::to_string(effect.escalated),
                      std::to_string(effect.measured),
                      effect.measured > 0
                          ? fmt::format("{} ({})", effect.changed,
                                        FormatShare(static_cast<double>(effect.changed) /
                                                    static_cast<double>(effect.measured)))
                          : "-"});
    }
    WriteTable(rows, {Align::kLeft, Align::kLeft, Align::kRight, Align::kRight, Align::kRight},
               out);
  }
  WriteCounted("polish reviews by the local model", outcomes.reviews, out);
}

void WriteShadow(const UsageReportData& report, std::ostream& out) {
  const ShadowSummary& shadow = report.shadow;
  if (shadow.evaluations == 0) {
    return;
  }
  Title("Shadow evaluation ([policy.shadow])", out);
  WriteTable({{"evaluations", std::to_string(shadow.evaluations)},
              {"same", std::to_string(shadow.same)},
              {"different", std::to_string(shadow.different)},
              {"unsure", std::to_string(shadow.unsure)},
              {"failed", std::to_string(shadow.failed)},
              {"cost", FormatUsd(shadow.cost_usd)}},
             {Align::kLeft, Align::kRight}, out);
  out << "  (per task: the differ% column under \"Route mix by task\")\n";
}

void WriteBudget(const UsageReportData& report, std::ostream& out) {
  const BudgetReport& budget = report.budget;
  Title(fmt::format("Budget: this UTC month ({}) and today ({})",
                    FormatUtcMonth(budget.month_start_ms),
                    FormatUtcDate(budget.day_start_ms)),
        out);
  out << "  (caps count the current month and day, whatever the report's "
         "period)\n";
  if (budget.caps.empty()) {
    out << fmt::format(
        "  no caps configured ([policy.budget]); cloud spend this month {}, "
        "today {}\n",
        FormatUsd(budget.month_spent_usd), FormatUsd(budget.day_spent_usd));
    return;
  }
  Rows rows = {{"cap", "period", "spent", "cap", "used"}};
  for (const BudgetUse& use : budget.caps) {
    rows.push_back({use.scope == "overall" ? use.scope : KeyName(use.scope),
                    use.period, FormatUsd(use.spent_usd),
                    FormatUsd(use.cap_usd), FormatShare(use.used_share)});
  }
  WriteTable(
      rows,
      {Align::kLeft, Align::kLeft, Align::kRight, Align::kRight, Align::kRight},
      out);
}

void WriteLosses(const UsageReportData& report, std::ostream& out) {
  Title("Ledger losses", out);
  if (report.losses.losses.empty()) {
    out << "  none: every request in this period was recorded\n";
    return;
  }
  out << fmt::format("  {} rows could not be written in this period:\n",
                     report.losses.rows);
  for (const LedgerLoss& loss : report.losses.losses) {
    WriteWrapped(
        loss.reason,
        fmt::format("  {}  {} rows: ", FormatUtcMinute(loss.at_ms), loss.rows),
        kHangingIndent, kLineWidth, out);
  }
}

void WriteSignals(const UsageReportData& report, std::ostream& out) {
  Title("Signals (the guide's, policy.md §6)", out);
  if (report.signals.empty()) {
    out << "  none apply to this period\n";
    return;
  }
  for (const UsageSignal& signal : report.signals) {
    WriteWrapped(signal.sentence, "  - " + signal.kind + ": ", kHangingIndent,
                 kLineWidth, out);
  }
}

}  // namespace

void WriteUsageReportText(const UsageReportData& report,
                          const std::string& ledger_path, std::ostream& out) {
  WriteHeader(report, ledger_path, out);
  WriteTotals(report, out);
  if (report.totals.all.requests > 0) {
    WriteSpend("Spend by side", "side", report.by_side, out);
    WriteSpend("Spend by backend", "backend", report.by_backend, out);
    WriteSpend("Spend by model", "model", report.by_model, out);
    WriteSavings(report, out);
    WriteRouteMix(report, out);
    WriteOutcomes(report, out);
  }
  WriteShadow(report, out);
  WriteBudget(report, out);
  WriteLosses(report, out);
  WriteSignals(report, out);
}

}  // namespace duet
