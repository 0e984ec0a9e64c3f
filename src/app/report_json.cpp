// The JSON half of report_output.h.
#include <ostream>
#include <string>

#include "app/report_format.h"
#include "app/report_output.h"
#include "core/json_writer.h"
#include "ledger/utc_calendar.h"

namespace duet {
namespace {

void UsageMembers(JsonWriter& w, const UsageTotals& usage) {
  w.Field("requests", usage.requests);
  w.Field("input_tokens", usage.input_tokens);
  w.Field("output_tokens", usage.output_tokens);
  JsonNumber(w, "cost_usd", usage.cost_usd);
}

void GroupsJson(JsonWriter& w, std::string_view key, std::string_view name_key,
                const std::vector<NamedUsage>& groups) {
  JsonObjectArray(w, key, groups, [&](const NamedUsage& group) {
    w.Field(name_key, group.name);
    UsageMembers(w, group.usage);
  });
}

void PeriodJson(JsonWriter& w, const ReportPeriod& period) {
  JsonObject(w, "period", [&] {
    w.Field("since", FormatUtcIso(period.since_ms));
    w.Field("until", FormatUtcIso(period.until_ms));
    w.Field("counted_until", FormatUtcIso(period.counted_until_ms));
    JsonNumber(w, "days", period.days);
  });
}

void TotalsJson(JsonWriter& w, const ReportTotals& totals) {
  JsonObject(w, "totals", [&] {
    w.Field("requests", totals.all.requests);
    w.Field("answered", totals.answered);
    w.Field("input_tokens", totals.all.input_tokens);
    w.Field("output_tokens", totals.all.output_tokens);
    JsonNumber(w, "spend_usd", totals.all.cost_usd);
    JsonNumber(w, "cloud_spend_usd", totals.cloud_spend_usd);
    JsonNumber(w, "electricity_usd", totals.electricity_usd);
    JsonNumber(w, "local_busy_hours", totals.local_busy_hours);
    JsonNumber(w, "monthly_hardware_usd", totals.monthly_hardware_usd);
    JsonNumber(w, "hardware_usd", totals.hardware_usd);
    JsonNumber(w, "shadow_usd", totals.shadow_usd);
    JsonNumber(w, "total_cost_usd", totals.total_cost_usd);
  });
}

void RouteMixJson(JsonWriter& w, const std::vector<TaskRouteMix>& route_mix) {
  JsonObjectArray(w, "route_mix", route_mix, [&](const TaskRouteMix& mix) {
    w.Field("task", mix.kind);
    w.Field("requests", mix.requests);
    w.Field("local", mix.local);
    w.Field("cloud", mix.cloud);
    JsonNumber(w, "local_share", mix.local_share);
    JsonNumber(w, "cloud_spend_usd", mix.cloud_spend_usd);
    w.Field("checked", mix.checked);
    w.Field("escalated", mix.escalated);
    JsonNumber(w, "escalation_rate", mix.escalation_rate);
    w.Field("shadow_judged", mix.shadow_judged);
    w.Field("shadow_different", mix.shadow_different);
    JsonNumber(w, "shadow_disagreement", mix.shadow_disagreement);
    w.Field("feedback", mix.feedback);
    JsonNumber(w, "feedback_score", mix.feedback_score);
    w.Field("recommendation", mix.recommendation);
    if (mix.policy_route.empty()) {
      w.Key("policy");
      w.Null();
      return;
    }
    JsonObject(w, "policy", [&] {
      w.Field("route", mix.policy_route);
      w.Field("side", mix.policy_side);
      w.Field("cloud_tier", mix.policy_cloud_tier);
    });
  });
}

void CountsJson(JsonWriter& w, std::string_view key, std::string_view name_key,
                const std::vector<CountedName>& counts) {
  JsonObjectArray(w, key, counts, [&](const CountedName& counted) {
    w.Field(name_key, counted.name);
    w.Field("count", counted.count);
  });
}

void OutcomesJson(JsonWriter& w, const OutcomeSummary& outcomes) {
  JsonObject(w, "outcomes", [&] {
    w.Field("ok", outcomes.ok);
    w.Field("fallback", outcomes.fallbacks);
    w.Field("escalated", outcomes.escalations);
    w.Field("error", outcomes.errors);
    w.Field("cancelled", outcomes.cancelled);
    CountsJson(w, "fallback_reasons", "reason", outcomes.fallback_reasons);
    CountsJson(w, "error_kinds", "kind", outcomes.error_kinds);
    CountsJson(w, "escalation_checks", "check", outcomes.escalation_checks);
    JsonNumber(w, "local_attempt_usd", outcomes.local_attempt_usd);
    JsonObjectArray(w, "escalation_effects", outcomes.escalation_effects,
                    [&](const OutcomeSummary::EscalationEffect& effect) {
                      w.Field("check", effect.check);
                      w.Field("escalated", effect.escalated);
                      w.Field("measured", effect.measured);
                      w.Field("changed", effect.changed);
                    });
    CountsJson(w, "reviews", "verdict", outcomes.reviews);
  });
}

void ShadowJson(JsonWriter& w, const ShadowSummary& shadow) {
  JsonObject(w, "shadow", [&] {
    w.Field("evaluations", shadow.evaluations);
    w.Field("same", shadow.same);
    w.Field("different", shadow.different);
    w.Field("unsure", shadow.unsure);
    w.Field("failed", shadow.failed);
    JsonNumber(w, "cost_usd", shadow.cost_usd);
  });
}

void BudgetJson(JsonWriter& w, const BudgetReport& budget) {
  JsonObject(w, "budget", [&] {
    w.Field("month", FormatUtcMonth(budget.month_start_ms));
    w.Field("day", FormatUtcDate(budget.day_start_ms));
    JsonNumber(w, "month_spent_usd", budget.month_spent_usd);
    JsonNumber(w, "day_spent_usd", budget.day_spent_usd);
    JsonObjectArray(w, "caps", budget.caps, [&](const BudgetUse& use) {
      w.Field("scope", use.scope);
      w.Field("period", use.period);
      JsonNumber(w, "spent_usd", use.spent_usd);
      JsonNumber(w, "cap_usd", use.cap_usd);
      JsonNumber(w, "used_share", use.used_share);
    });
  });
}

void LossesJson(JsonWriter& w, const LossSummary& losses) {
  JsonObject(w, "losses", [&] {
    w.Field("rows", losses.rows);
    JsonObjectArray(w, "entries", losses.losses, [&](const LedgerLoss& loss) {
      w.Field("at", FormatUtcIso(loss.at_ms));
      w.Field("rows", loss.rows);
      w.Field("reason", loss.reason);
    });
  });
}

void SignalsJson(JsonWriter& w, const std::vector<UsageSignal>& signals) {
  JsonObjectArray(w, "signals", signals, [&](const UsageSignal& signal) {
    w.Field("id", signal.id);
    w.Field("kind", signal.kind);
    w.Field("sentence", signal.sentence);
    JsonObject(w, "figures", [&] {
      for (const SignalFigure& figure : signal.figures) {
        JsonNumber(w, figure.name, figure.value);
      }
    });
  });
}

}  // namespace

void WriteUsageReportJson(const UsageReportData& report,
                          const std::string& ledger_path, std::ostream& out) {
  std::string text;
  JsonWriter w(&text);
  w.BeginObject();
  w.Field("ledger", ledger_path);
  PeriodJson(w, report.period);
  TotalsJson(w, report.totals);
  GroupsJson(w, "by_side", "side", report.by_side);
  GroupsJson(w, "by_backend", "backend", report.by_backend);
  GroupsJson(w, "by_model", "model", report.by_model);
  JsonObjectArray(w, "savings", report.savings, [&](const TierSavings& tier) {
    w.Field("tier", tier.tier);
    JsonNumber(w, "claude_usd", tier.claude_usd);
    JsonNumber(w, "saved_usd", tier.saved_usd);
    JsonNumber(w, "saved_share", tier.saved_share);
    JsonNumber(w, "saved_after_hardware_usd", tier.saved_after_hardware_usd);
  });
  RouteMixJson(w, report.route_mix);
  OutcomesJson(w, report.outcomes);
  ShadowJson(w, report.shadow);
  BudgetJson(w, report.budget);
  LossesJson(w, report.losses);
  SignalsJson(w, report.signals);
  w.EndObject();
  out << text << "\n";
}

}  // namespace duet
