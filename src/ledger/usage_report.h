// UsageReport: what the ledger says about one period, for `duet report`
// (docs/ledger.md, "duet report", explains every figure): totals, spend by
// side, backend and model, savings against sending everything to each
// Claude tier, the route mix per task kind, outcomes, budget use, ledger
// losses, and the guide's signals (policy.md §6; usage_signals.h).
//
// A pure aggregation with no I/O, so tests feed it rows directly:
//
//   UsageReport report(options);
//   store.ForEach(range, [&](const LedgerEntry& row) { report.Add(row); });
//   UsageReportData data = std::move(report).Finish(losses);
//
// Add() takes any row and files it by its started_at_ms: rows in the
// period [since_ms, until_ms) make the report; rows in the UTC month of
// now_ms make the budget section, whatever the period (budgets are caps on
// the current UTC month and day). Rows in neither are ignored, and each row
// must be added once: ReportReadRanges() gives the ranges to read.
//
// A row's "side" is where it was answered (SideOf in report_rows.h):
// "local" or "cloud" by the `local` column of the backend that answered
// (an error counts where it came from); for a row no backend was reached
// for, the policy's side, or "none" when no decision was made. Cloud spend
// is the cost of the cloud rows; budgets count the Claude part of it, as
// the policy does.
//
// Thread safety: none; one thread adds to and finishes a report.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "ledger/ledger_entry.h"
#include "ledger/ledger_store.h"
#include "ledger/report_rows.h"
#include "ledger/usage_signals.h"
#include "model/claude_catalog.h"

namespace duet {

struct UsageReportOptions {
  int64_t since_ms = 0;  // the period, [since_ms, until_ms)
  int64_t until_ms = 0;
  // The report's "now": the budgets' UTC month and day, and where a period
  // that has not ended yet stops counting days.
  int64_t now_ms = 0;
  PolicyConfig policy;  // the task table, Claude tiers and budget caps
  CostsConfig costs;    // hardware amortization
  // Model tiers (for the Opus signal); null = ClaudeCatalog::BuiltIn().
  // Must outlive the report.
  const ClaudeCatalog* catalog = nullptr;
  SignalThresholds thresholds;
};

// The time ranges [since_ms, until_ms) to stream into a report built with
// `options`: the period and the budget month (the UTC month of now_ms),
// merged into one when they overlap or touch, so that every row is read
// once.
std::vector<std::pair<int64_t, int64_t>> ReportReadRanges(
    const UsageReportOptions& options);

// Requests, tokens and money of a group of rows.
struct UsageTotals {
  int64_t requests = 0;
  // The whole prompt: uncached input, cache writes and cache reads.
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;  // thinking included
  double cost_usd = 0;
};

// One side, backend or model and its totals.
struct NamedUsage {
  std::string name;
  UsageTotals usage;
};

struct ReportPeriod {
  int64_t since_ms = 0;
  int64_t until_ms = 0;
  // min(until_ms, now_ms), not before since_ms: where the days stop.
  int64_t counted_until_ms = 0;
  double days = 0;  // counted_until_ms - since_ms, in days
};

struct ReportTotals {
  UsageTotals all;             // every row; cost_usd is the spend
  int64_t answered = 0;        // outcome ok, fallback or escalated
  double cloud_spend_usd = 0;  // rows answered in the cloud
  double electricity_usd = 0;  // rows answered locally (their cost)
  double local_busy_hours = 0;
  double monthly_hardware_usd = 0;  // costs.hardware_usd / hardware_months
  double hardware_usd = 0;          // that x period days / 30
  double shadow_usd = 0;            // shadow evaluations (ShadowSummary)
  double total_cost_usd = 0;        // spend + shadow + hardware
};

// What every row's tokens would have cost on one Claude tier.
struct TierSavings {
  std::string tier;       // "haiku", "sonnet", "opus"
  double claude_usd = 0;  // the sum of the rows' claude_<tier>_usd
  // claude_usd - spend - shadow evaluations (negative: it cost more).
  double saved_usd = 0;
  // saved_usd / claude_usd; nullopt when claude_usd is 0 (tier not priced).
  std::optional<double> saved_share;
  double saved_after_hardware_usd = 0;  // saved_usd - prorated hardware
};

// How one task kind was routed, beside what the policy table says.
struct TaskRouteMix {
  std::string kind;  // "code_review" (the part of `task` after the slash)
  int64_t requests = 0;
  int64_t local = 0;  // answered locally
  int64_t cloud = 0;  // answered in the cloud
  double cloud_spend_usd = 0;
  std::optional<double> local_share;  // local / (local + cloud)
  // The table's entry: "local", "cloud", "either"; "" when the kind is not
  // in policy.tasks (then the others are "" too).
  std::string policy_route;
  std::string policy_side;  // "either" resolved through policy.either
  std::string policy_cloud_tier;
  // How well local answers did (issue 7): answers checked for escalation
  // (passed or failed, not "unchecked"), how many Claude replaced, and
  // the clients' feedback (POST /v1/duet/feedback) on this kind's answers.
  int64_t checked = 0;
  int64_t escalated = 0;
  std::optional<double> escalation_rate;  // escalated / checked
  int64_t feedback = 0;
  std::optional<double> feedback_score;   // mean, 0..1
  // Shadow evaluation ([policy.shadow]) of this kind's local answers:
  // evaluations the judge decided (same or different), how many differed,
  // and different / judged.
  int64_t shadow_judged = 0;
  int64_t shadow_different = 0;
  std::optional<double> shadow_disagreement;
  // What the data suggests for the task table; "" when it is too thin
  // (see QualityRecommendation in usage_report.cpp for the rules).
  std::string recommendation;
};

struct OutcomeSummary {
  int64_t ok = 0;
  int64_t fallbacks = 0;
  int64_t escalations = 0;
  int64_t errors = 0;
  int64_t cancelled = 0;
  // Most frequent first; at most kTopFallbackReasons.
  std::vector<CountedName> fallback_reasons;
  std::vector<CountedName> error_kinds;  // most frequent first, all of them
  // Escalation: how the checked local answers fared ("passed",
  // "unchecked", or the check that failed), most frequent first, and what
  // the local attempts that Claude replaced cost.
  std::vector<CountedName> escalation_checks;
  double local_attempt_usd = 0;
  // Whether escalating helped, per failed check (in escalation_checks'
  // order): escalated answers whose Claude answer was held to the same
  // check, and how many passed it ("changed the outcome").
  struct EscalationEffect {
    std::string check;
    int64_t escalated = 0;
    int64_t measured = 0;  // escalation_outcome recorded
    int64_t changed = 0;
  };
  std::vector<EscalationEffect> escalation_effects;
  // Polish reviews by verdict ("agree", "disagree"...), most frequent first.
  std::vector<CountedName> reviews;
};

// Shadow evaluations that finished in the period.
struct ShadowSummary {
  int64_t evaluations = 0;
  int64_t same = 0;
  int64_t different = 0;
  int64_t unsure = 0;
  int64_t failed = 0;
  double cost_usd = 0;
};

inline constexpr size_t kTopFallbackReasons = 5;

// Cloud spend against one configured cap.
struct BudgetUse {
  std::string scope;   // "overall", or a client key id ("" = anonymous)
  std::string period;  // "month" or "day"
  double spent_usd = 0;
  double cap_usd = 0;
  double used_share = 0;  // spent_usd / cap_usd
};

struct BudgetReport {
  int64_t month_start_ms = 0;  // the UTC month of now_ms
  int64_t day_start_ms = 0;    // its UTC day
  double month_spent_usd = 0;  // cloud spend, all keys
  double day_spent_usd = 0;
  // Overall month, overall day, then each key (by id) month and day; only
  // caps above 0. Keys: every key in policy.key_budgets, and every key seen
  // this month that policy.key_budget (the default per-key cap) covers.
  std::vector<BudgetUse> caps;
};

struct LossSummary {
  int64_t rows = 0;                // rows lost in the period
  std::vector<LedgerLoss> losses;  // oldest first
};

struct UsageReportData {
  ReportPeriod period;
  ReportTotals totals;
  // Costliest first (then by name).
  std::vector<NamedUsage> by_side;
  std::vector<NamedUsage> by_backend;   // "none" for rows nothing answered
  std::vector<NamedUsage> by_model;     // "none" likewise
  std::vector<TierSavings> savings;     // haiku, sonnet, opus
  std::vector<TaskRouteMix> route_mix;  // most requests first (then kind)
  OutcomeSummary outcomes;
  ShadowSummary shadow;
  BudgetReport budget;
  LossSummary losses;
  std::vector<UsageSignal> signals;  // only those that apply
};

class UsageReport {
 public:
  explicit UsageReport(UsageReportOptions options);
  // Not copyable or movable: the signal finder refers to options_.
  UsageReport(const UsageReport&) = delete;
  UsageReport& operator=(const UsageReport&) = delete;

  // Files `row` under the period and/or the budget month (see the top).
  void Add(const LedgerEntry& row);
  // Feedback to attribute to the rows added later (by request id); add it
  // before the rows. Feedback for requests outside the period is ignored.
  void AddFeedback(const FeedbackEntry& feedback);
  // A shadow evaluation, filed by finished_at_ms like Add() files rows:
  // the period's shadow figures, and the budget month's spend (under the
  // key "duet-shadow", as the live budget counts it).
  void AddShadow(const ShadowEntry& shadow);

  // The report. `losses`: the ledger's losses in the period (oldest first).
  UsageReportData Finish(std::vector<LedgerLoss> losses) &&;

 private:
  void AddToPeriod(const LedgerEntry& row);
  BudgetReport FinishBudget() const;

  UsageReportOptions options_;
  const ClaudeCatalog* catalog_;  // options_.catalog, or BuiltIn()
  SignalFinder signals_;          // reads options_ and *catalog_
  UsageReportData data_;
  std::map<std::string, UsageTotals> by_side_, by_backend_, by_model_;
  std::map<std::string, TaskRouteMix> route_mix_;  // by kind
  std::map<std::string, int64_t> fallback_reasons_, error_kinds_, escalation_checks_, reviews_;
  std::map<std::string, OutcomeSummary::EscalationEffect> escalation_effects_;  // by check
  struct ScoreSum {
    double sum = 0;
    int64_t count = 0;
  };
  std::map<std::string, ScoreSum> feedback_;  // by request id
  std::map<std::string, ScoreSum> task_feedback_;  // by task kind
  double haiku_usd_ = 0, sonnet_usd_ = 0, opus_usd_ = 0;
  // The budget month's cloud spend per client key, this month and today.
  struct KeySpend {
    double month_usd = 0;
    double day_usd = 0;
  };
  std::map<std::string, KeySpend> key_spend_;
};

}  // namespace duet
