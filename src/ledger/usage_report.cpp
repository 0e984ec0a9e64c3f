#include "ledger/usage_report.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "cost/answer_pricer.h"
#include "cost/planner.h"
#include "ledger/utc_calendar.h"

namespace duet {
namespace {

constexpr double kSecondsPerHour = 3600;

void Accumulate(const LedgerEntry& row, UsageTotals* totals) {
  ++totals->requests;
  totals->input_tokens += row.usage.prompt_tokens();
  totals->output_tokens += row.usage.output_tokens;
  totals->cost_usd += row.cost_usd;
}

std::vector<NamedUsage> CostliestFirst(
    const std::map<std::string, UsageTotals>& groups) {
  std::vector<NamedUsage> named;
  for (const auto& [name, usage] : groups) {
    named.push_back({.name = name, .usage = usage});
  }
  // stable_sort keeps equal costs in name order (the map's).
  std::stable_sort(named.begin(), named.end(),
                   [](const NamedUsage& a, const NamedUsage& b) {
                     return a.usage.cost_usd > b.usage.cost_usd;
                   });
  return named;
}

const std::string& OrNone(const std::string& name) {
  static const std::string kNone = "none";
  return name.empty() ? kNone : name;
}

// What a task's escalations, shadow evaluations and feedback suggest for
// the task table, for kinds the table keeps local. Evidence counts from
// 20 checked answers, 20 judged shadow evaluations or 10 verdicts; less
// suggests nothing. Any sign that Claude is needed wins over a sign that
// local does well.
std::string QualityRecommendation(const TaskRouteMix& mix) {
  if (mix.policy_side != "local") {
    return "";
  }
  constexpr int64_t kEnoughChecked = 20;
  constexpr int64_t kEnoughShadow = 20;
  constexpr int64_t kEnoughFeedback = 10;
  const auto percent = [](double share) { return static_cast<int>(std::lround(share * 100)); };
  const bool escalations_known = mix.escalation_rate && mix.checked >= kEnoughChecked;
  const bool shadow_known = mix.shadow_disagreement && mix.shadow_judged >= kEnoughShadow;
  const bool feedback_known = mix.feedback_score && mix.feedback >= kEnoughFeedback;
  if (escalations_known && *mix.escalation_rate >= 0.25) {
    return fmt::format("{}% of {} checked local answers were escalated: route {} to Claude "
                       "(policy.tasks.{}.route = \"cloud\")",
                       percent(*mix.escalation_rate), mix.checked, mix.kind, mix.kind);
  }
  if (shadow_known && *mix.shadow_disagreement >= 0.30) {
    return fmt::format("{} served locally: {}% of {} shadow answers differ materially from "
                       "Claude's: route {} to Claude (policy.tasks.{}.route = \"cloud\")",
                       mix.kind, percent(*mix.shadow_disagreement), mix.shadow_judged,
                       mix.kind, mix.kind);
  }
  if (feedback_known && *mix.feedback_score < 0.5) {
    return fmt::format("clients rate {} answers {:.2f} on average over {} verdicts: consider "
                       "Claude for it",
                       mix.kind, *mix.feedback_score, mix.feedback);
  }
  const bool few_escalations = escalations_known && *mix.escalation_rate <= 0.05;
  const bool few_differences = shadow_known && *mix.shadow_disagreement <= 0.10;
  if (few_escalations && few_differences) {
    return fmt::format("{}% escalations over {} checked answers and {}% shadow disagreement "
                       "over {}: keep {} local",
                       percent(*mix.escalation_rate), mix.checked,
                       percent(*mix.shadow_disagreement), mix.shadow_judged, mix.kind);
  }
  if (few_escalations) {
    return fmt::format("{}% escalations over {} checked answers: keep {} local",
                       percent(*mix.escalation_rate), mix.checked, mix.kind);
  }
  if (few_differences) {
    return fmt::format("{}% shadow disagreement over {} judged answers: keep {} local",
                       percent(*mix.shadow_disagreement), mix.shadow_judged, mix.kind);
  }
  return "";
}

// The key the live budget files shadow spend under
// (ShadowEvaluator::kBudgetKey in the route layer).
constexpr std::string_view kShadowBudgetKey = "duet-shadow";

}  // namespace

std::vector<std::pair<int64_t, int64_t>> ReportReadRanges(
    const UsageReportOptions& options) {
  const std::pair<int64_t, int64_t> period = {options.since_ms,
                                              options.until_ms};
  const std::pair<int64_t, int64_t> budget = {
      UtcMonthStartMs(options.now_ms), NextUtcMonthStartMs(options.now_ms)};
  if (budget.first <= period.second && period.first <= budget.second) {
    return {{std::min(period.first, budget.first),
             std::max(period.second, budget.second)}};
  }
  return {period, budget};
}

UsageReport::UsageReport(UsageReportOptions options)
    : options_(std::move(options)),
      catalog_(options_.catalog != nullptr ? options_.catalog
                                           : &ClaudeCatalog::BuiltIn()),
      signals_(options_.policy, options_.costs, *catalog_,
               options_.thresholds) {
  data_.budget.month_start_ms = UtcMonthStartMs(options_.now_ms);
  data_.budget.day_start_ms = UtcDayStartMs(options_.now_ms);
}

void UsageReport::Add(const LedgerEntry& row) {
  const int64_t at = row.started_at_ms;
  if (at >= options_.since_ms && at < options_.until_ms) {
    AddToPeriod(row);
  }
  // Budgets cap Claude spend (the policy reserves it before each Claude
  // call); hosted open models and other upstreams are not counted.
  if (at >= data_.budget.month_start_ms &&
      at < NextUtcMonthStartMs(options_.now_ms) && SideOf(row) == "cloud" &&
      catalog_->Find(row.model) != nullptr) {
    KeySpend& spend = key_spend_[row.client_key];
    spend.month_usd += row.cost_usd;
    if (at >= data_.budget.day_start_ms &&
        at < data_.budget.day_start_ms + kMillisPerDay) {
      spend.day_usd += row.cost_usd;
    }
  }
}

void UsageReport::AddFeedback(const FeedbackEntry& feedback) {
  ScoreSum& sum = feedback_[feedback.request_id];
  sum.sum += feedback.score;
  ++sum.count;
}

void UsageReport::AddShadow(const ShadowEntry& shadow) {
  const int64_t at = shadow.finished_at_ms;
  if (at >= data_.budget.month_start_ms && at < NextUtcMonthStartMs(options_.now_ms)) {
    KeySpend& spend = key_spend_[std::string(kShadowBudgetKey)];
    spend.month_usd += shadow.cost_usd;
    if (at >= data_.budget.day_start_ms && at < data_.budget.day_start_ms + kMillisPerDay) {
      spend.day_usd += shadow.cost_usd;
    }
  }
  if (at < options_.since_ms || at >= options_.until_ms) {
    return;
  }
  ShadowSummary& summary = data_.shadow;
  ++summary.evaluations;
  summary.cost_usd += shadow.cost_usd;
  const bool same = shadow.verdict == "same";
  const bool different = shadow.verdict == "different";
  summary.same += same ? 1 : 0;
  summary.different += different ? 1 : 0;
  summary.unsure += shadow.verdict == "unsure" ? 1 : 0;
  summary.failed += shadow.verdict == "failed" ? 1 : 0;
  if (const std::string_view kind = TaskKindOf(shadow.task); !kind.empty() && (same || different)) {
    TaskRouteMix& mix = route_mix_[std::string(kind)];
    ++mix.shadow_judged;
    mix.shadow_different += different ? 1 : 0;
  }
}

void UsageReport::AddToPeriod(const LedgerEntry& row) {
  const std::string side(SideOf(row));
  ReportTotals& totals = data_.totals;
  Accumulate(row, &totals.all);
  Accumulate(row, &by_side_[side]);
  Accumulate(row, &by_backend_[OrNone(row.backend)]);
  Accumulate(row, &by_model_[OrNone(row.model)]);
  if (side == "cloud") {
    totals.cloud_spend_usd += row.cost_usd;
  } else if (side == "local") {
    totals.electricity_usd += row.cost_usd;
  }
  totals.local_busy_hours += row.local_busy_seconds / kSecondsPerHour;
  haiku_usd_ += row.claude_haiku_usd;
  sonnet_usd_ += row.claude_sonnet_usd;
  opus_usd_ += row.claude_opus_usd;

  if (const std::string_view kind = TaskKindOf(row.task); !kind.empty()) {
    TaskRouteMix& mix = route_mix_[std::string(kind)];
    ++mix.requests;
    if (!row.escalation.empty() && row.escalation != "unchecked") {
      ++mix.checked;
      mix.escalated += row.outcome == AnswerOutcome::kEscalated ? 1 : 0;
    }
    if (const auto found = feedback_.find(row.request_id); found != feedback_.end()) {
      ScoreSum& sum = task_feedback_[std::string(kind)];
      sum.sum += found->second.sum;
      sum.count += found->second.count;
    }
    if (side == "local") {
      ++mix.local;
    } else if (side == "cloud") {
      ++mix.cloud;
      mix.cloud_spend_usd += row.cost_usd;
    }
  }

  OutcomeSummary& outcomes = data_.outcomes;
  switch (row.outcome) {
    case AnswerOutcome::kOk:
      ++outcomes.ok;
      break;
    case AnswerOutcome::kFallback:
      ++outcomes.fallbacks;
      ++fallback_reasons_[row.fallback_reason.empty() ? "(no reason given)"
                                                      : row.fallback_reason];
      break;
    case AnswerOutcome::kEscalated:
      ++outcomes.escalations;
      break;
    case AnswerOutcome::kError:
      ++outcomes.errors;
      ++error_kinds_[row.error_kind.empty() ? "unknown" : row.error_kind];
      break;
    case AnswerOutcome::kCancelled:
      ++outcomes.cancelled;
      break;
  }
  if (row.outcome == AnswerOutcome::kOk ||
      row.outcome == AnswerOutcome::kFallback ||
      row.outcome == AnswerOutcome::kEscalated) {
    ++totals.answered;
  }
  if (!row.escalation.empty()) {
    ++escalation_checks_[row.escalation];
  }
  if (row.outcome == AnswerOutcome::kEscalated) {
    OutcomeSummary::EscalationEffect& effect = escalation_effects_[row.escalation];
    ++effect.escalated;
    effect.measured += row.escalation_outcome.empty() ? 0 : 1;
    effect.changed += row.escalation_outcome == "changed" ? 1 : 0;
  }
  if (!row.review.empty()) {
    ++reviews_[row.review];
  }
  outcomes.local_attempt_usd += row.local_attempt_usd;
  signals_.Add(row);
}

BudgetReport UsageReport::FinishBudget() const {
  BudgetReport budget = data_.budget;
  for (const auto& [key, spend] : key_spend_) {
    budget.month_spent_usd += spend.month_usd;
    budget.day_spent_usd += spend.day_usd;
  }
  const auto add_caps = [&](const std::string& scope,
                            const BudgetLimitConfig& limits, double month_usd,
                            double day_usd) {
    for (const auto& [period, cap, spent] :
         {std::tuple<const char*, double, double>{"month", limits.monthly_usd,
                                                  month_usd},
          {"day", limits.daily_usd, day_usd}}) {
      if (cap > 0) {
        budget.caps.push_back({.scope = scope,
                               .period = period,
                               .spent_usd = spent,
                               .cap_usd = cap,
                               .used_share = spent / cap});
      }
    }
  };
  add_caps("overall", options_.policy.budget, budget.month_spent_usd,
           budget.day_spent_usd);
  // Every listed key, and every key that spent this month under the
  // default per-key cap.
  std::map<std::string, BudgetLimitConfig> keys = options_.policy.key_budgets;
  for (const auto& [key, spend] : key_spend_) {
    keys.emplace(key, options_.policy.key_budget);
  }
  for (const auto& [key, limits] : keys) {
    const auto spend = key_spend_.find(key);
    const KeySpend none;
    const KeySpend& spent = spend == key_spend_.end() ? none : spend->second;
    add_caps(key, limits, spent.month_usd, spent.day_usd);
  }
  return budget;
}

UsageReportData UsageReport::Finish(std::vector<LedgerLoss> losses) && {
  BudgetReport budget = FinishBudget();
  UsageReportData data = std::move(data_);
  data.budget = std::move(budget);

  ReportPeriod& period = data.period;
  period.since_ms = options_.since_ms;
  period.until_ms = options_.until_ms;
  period.counted_until_ms =
      std::max(options_.since_ms, std::min(options_.until_ms, options_.now_ms));
  period.days = static_cast<double>(period.counted_until_ms - period.since_ms) /
                static_cast<double>(kMillisPerDay);

  ReportTotals& totals = data.totals;
  AnswerPricer::Options pricer_options;
  pricer_options.catalog = catalog_;
  pricer_options.costs = options_.costs;
  totals.monthly_hardware_usd =
      AnswerPricer(std::move(pricer_options)).MonthlyHardwareUsd();
  totals.hardware_usd =
      totals.monthly_hardware_usd * period.days / kDaysPerMonth;
  totals.shadow_usd = data.shadow.cost_usd;
  totals.total_cost_usd = totals.all.cost_usd + totals.shadow_usd + totals.hardware_usd;

  data.by_side = CostliestFirst(by_side_);
  data.by_backend = CostliestFirst(by_backend_);
  data.by_model = CostliestFirst(by_model_);

  for (const auto& [tier, claude_usd] :
       {std::pair<const char*, double>{"haiku", haiku_usd_},
        {"sonnet", sonnet_usd_},
        {"opus", opus_usd_}}) {
    TierSavings savings{.tier = tier,
                        .claude_usd = claude_usd,
                        .saved_usd = claude_usd - totals.all.cost_usd - totals.shadow_usd,
                        .saved_share = std::nullopt,
                        .saved_after_hardware_usd = 0};
    if (claude_usd > 0) {
      savings.saved_share = savings.saved_usd / claude_usd;
    }
    savings.saved_after_hardware_usd = savings.saved_usd - totals.hardware_usd;
    data.savings.push_back(std::move(savings));
  }

  for (auto& [kind, mix] : route_mix_) {
    mix.kind = kind;
    if (mix.local + mix.cloud > 0) {
      mix.local_share = static_cast<double>(mix.local) /
                        static_cast<double>(mix.local + mix.cloud);
    }
    if (const TaskPolicy* task = FindTaskPolicy(options_.policy, kind)) {
      mix.policy_route = task->route;
      mix.policy_side = PolicySide(options_.policy, *task);
      mix.policy_cloud_tier = task->cloud_tier;
    }
    if (mix.checked > 0) {
      mix.escalation_rate =
          static_cast<double>(mix.escalated) / static_cast<double>(mix.checked);
    }
    if (mix.shadow_judged > 0) {
      mix.shadow_disagreement = static_cast<double>(mix.shadow_different) /
                                static_cast<double>(mix.shadow_judged);
    }
    if (const auto found = task_feedback_.find(kind); found != task_feedback_.end()) {
      mix.feedback = found->second.count;
      mix.feedback_score = found->second.sum / static_cast<double>(found->second.count);
    }
    mix.recommendation = QualityRecommendation(mix);
    data.route_mix.push_back(std::move(mix));
  }
  std::stable_sort(data.route_mix.begin(), data.route_mix.end(),
                   [](const TaskRouteMix& a, const TaskRouteMix& b) {
                     return a.requests > b.requests;
                   });

  data.outcomes.fallback_reasons =
      MostFrequentFirst(fallback_reasons_, kTopFallbackReasons);
  data.outcomes.error_kinds =
      MostFrequentFirst(error_kinds_, error_kinds_.size());
  data.outcomes.escalation_checks =
      MostFrequentFirst(escalation_checks_, escalation_checks_.size());
  for (const CountedName& check : data.outcomes.escalation_checks) {
    if (const auto effect = escalation_effects_.find(check.name);
        effect != escalation_effects_.end()) {
      data.outcomes.escalation_effects.push_back(effect->second);
      data.outcomes.escalation_effects.back().check = check.name;
    }
  }
  data.outcomes.reviews = MostFrequentFirst(reviews_, reviews_.size());

  for (const LedgerLoss& loss : losses) {
    data.losses.rows += loss.rows;
  }
  data.losses.losses = std::move(losses);

  data.signals = signals_.Find(period.days);
  return data;
}

}  // namespace duet
