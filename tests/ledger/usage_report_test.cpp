// UsageReport over hand-built rows. Every expected figure is worked out by
// hand in the test from the rows' own numbers, never copied from output.
#include "ledger/usage_report.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ledger/ledger_test_util.h"
#include "ledger/usage_report_test_util.h"

namespace duet {
namespace {

using ::testing::ElementsAre;
using testing::At;
using testing::Cloud;
using testing::ExpectUsage;
using testing::Local;
using testing::MarchOptions;
using testing::Report;

// ---- Totals and spend by side, backend and model -------------------------

TEST(UsageReportTest, SumsPerSideBackendAndModel) {
  LedgerEntry local_a = Local("chat/general_qa", 0.002);
  local_a.usage = {.input_tokens = 600,
                   .output_tokens = 500,
                   .cache_creation_input_tokens = 0,
                   .cache_read_input_tokens = 400,
                   .thinking_tokens = 0};
  local_a.local_busy_seconds = 36;
  LedgerEntry local_b = Local("writing/first_draft", 0.004);
  local_b.usage.input_tokens = 2000;
  local_b.usage.output_tokens = 1000;
  local_b.local_busy_seconds = 72;
  LedgerEntry sonnet = Cloud("coding/code_review", 0.06);
  sonnet.usage = {.input_tokens = 8000,
                  .output_tokens = 2000,
                  .cache_creation_input_tokens = 1000,
                  .cache_read_input_tokens = 1000,
                  .thinking_tokens = 300};
  LedgerEntry haiku = Cloud("chat/general_qa", 0.009, "claude-haiku-4-5");
  haiku.usage.input_tokens = 4000;
  haiku.usage.output_tokens = 1000;
  // A hosted open model through an upstream: not local, priced.
  LedgerEntry upstream = Cloud("chat/general_qa", 0.001, "llama3.3-70b");
  upstream.backend = "hosted";
  upstream.usage.input_tokens = 100;
  upstream.usage.output_tokens = 100;
  // Refused before routing: no side, no backend.
  LedgerEntry refused;
  refused.started_at_ms = At(2026, 3, 3);
  refused.outcome = AnswerOutcome::kError;
  refused.error_kind = "invalid_argument";

  const UsageReportData data = Report(
      MarchOptions(), {local_a, local_b, sonnet, haiku, upstream, refused});

  const ReportTotals& totals = data.totals;
  EXPECT_EQ(totals.all.requests, 6);
  EXPECT_EQ(totals.answered, 5);
  // 1,000 + 2,000 + 10,000 + 4,000 + 100 prompt tokens.
  EXPECT_EQ(totals.all.input_tokens, 17'100);
  EXPECT_EQ(totals.all.output_tokens, 500 + 1000 + 2000 + 1000 + 100);
  EXPECT_NEAR(totals.all.cost_usd, 0.076, 1e-12);
  EXPECT_NEAR(totals.cloud_spend_usd, 0.06 + 0.009 + 0.001, 1e-12);
  EXPECT_NEAR(totals.electricity_usd, 0.006, 1e-12);
  EXPECT_NEAR(totals.local_busy_hours, (36.0 + 72.0) / 3600, 1e-12);

  ASSERT_EQ(data.by_side.size(), 3u);
  ExpectUsage(data.by_side[0], "cloud", 3, 14'100, 3'100, 0.07);
  ExpectUsage(data.by_side[1], "local", 2, 3'000, 1'500, 0.006);
  ExpectUsage(data.by_side[2], "none", 1, 0, 0, 0);

  ASSERT_EQ(data.by_backend.size(), 4u);
  ExpectUsage(data.by_backend[0], "anthropic", 2, 14'000, 3'000, 0.069);
  ExpectUsage(data.by_backend[1], "llama", 2, 3'000, 1'500, 0.006);
  ExpectUsage(data.by_backend[2], "hosted", 1, 100, 100, 0.001);
  ExpectUsage(data.by_backend[3], "none", 1, 0, 0, 0);

  ASSERT_EQ(data.by_model.size(), 5u);
  ExpectUsage(data.by_model[0], "claude-sonnet-4-6", 1, 10'000, 2'000, 0.06);
  ExpectUsage(data.by_model[1], "claude-haiku-4-5", 1, 4'000, 1'000, 0.009);
  ExpectUsage(data.by_model[2], "qwen3-32b", 2, 3'000, 1'500, 0.006);
  ExpectUsage(data.by_model[3], "llama3.3-70b", 1, 100, 100, 0.001);
  ExpectUsage(data.by_model[4], "none", 1, 0, 0, 0);
}

TEST(UsageReportTest, AFallbackCountsWhereItWasAnswered) {
  // The policy chose the cloud, the cloud failed, the local model answered:
  // its cost is electricity and it is a local answer.
  LedgerEntry fallback = Local("coding/code_review", 0.003);
  fallback.side = "cloud";
  fallback.outcome = AnswerOutcome::kFallback;
  fallback.fallback_reason = "anthropic: Overloaded";
  const UsageReportData data = Report(MarchOptions(), {fallback});
  ASSERT_EQ(data.by_side.size(), 1u);
  EXPECT_EQ(data.by_side[0].name, "local");
  EXPECT_NEAR(data.totals.electricity_usd, 0.003, 1e-12);
  EXPECT_EQ(data.totals.cloud_spend_usd, 0);
  ASSERT_EQ(data.route_mix.size(), 1u);
  EXPECT_EQ(data.route_mix[0].local, 1);
}

// ---- Savings and hardware -------------------------------------------------

TEST(UsageReportTest, SavingsAgainstEachTierWithAndWithoutHardware) {
  UsageReportOptions options = MarchOptions();
  options.costs.hardware_usd = 900;
  options.costs.hardware_months = 30;  // $30 a month
  LedgerEntry local = Local("chat/general_qa", 0.01);
  local.claude_haiku_usd = 0.10;
  local.claude_sonnet_usd = 0.40;
  local.claude_opus_usd = 2.00;
  LedgerEntry cloud = Cloud("coding/code_review", 0.30);
  cloud.claude_haiku_usd = 0.08;
  cloud.claude_sonnet_usd = 0.30;
  cloud.claude_opus_usd = 1.50;

  const UsageReportData data = Report(options, {local, cloud});

  // Spend $0.31; 15 days of $30 a month = $15 of hardware.
  EXPECT_DOUBLE_EQ(data.period.days, 15);
  EXPECT_DOUBLE_EQ(data.totals.monthly_hardware_usd, 30);
  EXPECT_DOUBLE_EQ(data.totals.hardware_usd, 15);
  EXPECT_NEAR(data.totals.total_cost_usd, 15.31, 1e-9);
  ASSERT_EQ(data.savings.size(), 3u);
  const TierSavings& haiku = data.savings[0];
  EXPECT_EQ(haiku.tier, "haiku");
  EXPECT_NEAR(haiku.claude_usd, 0.18, 1e-12);
  EXPECT_NEAR(haiku.saved_usd, 0.18 - 0.31, 1e-12);  // local cost more
  EXPECT_NEAR(*haiku.saved_share, -0.13 / 0.18, 1e-9);
  const TierSavings& sonnet = data.savings[1];
  EXPECT_EQ(sonnet.tier, "sonnet");
  EXPECT_NEAR(sonnet.claude_usd, 0.70, 1e-12);
  EXPECT_NEAR(sonnet.saved_usd, 0.39, 1e-12);
  EXPECT_NEAR(*sonnet.saved_share, 0.39 / 0.70, 1e-9);
  EXPECT_NEAR(sonnet.saved_after_hardware_usd, 0.39 - 15, 1e-9);
  const TierSavings& opus = data.savings[2];
  EXPECT_EQ(opus.tier, "opus");
  EXPECT_NEAR(opus.claude_usd, 3.50, 1e-12);
  EXPECT_NEAR(opus.saved_usd, 3.19, 1e-12);
  EXPECT_NEAR(*opus.saved_share, 3.19 / 3.50, 1e-9);
}

TEST(UsageReportTest, AnUnpricedTierHasNoSavingsShare) {
  const UsageReportData data =
      Report(MarchOptions(), {Local("chat/general_qa", 0.01)});
  ASSERT_EQ(data.savings.size(), 3u);
  for (const TierSavings& tier : data.savings) {
    EXPECT_EQ(tier.claude_usd, 0) << tier.tier;
    EXPECT_FALSE(tier.saved_share.has_value()) << tier.tier;
  }
}

TEST(UsageReportTest, HardwareIsProratedToTheDaysCounted) {
  UsageReportOptions options;
  options.costs.hardware_usd = 1200;
  options.costs.hardware_months = 24;  // $50 a month
  // A past month: all 28 days of February 2026.
  options.since_ms = At(2026, 2, 1);
  options.until_ms = At(2026, 3, 1);
  options.now_ms = At(2026, 3, 16);
  UsageReportData data = Report(options, {});
  EXPECT_DOUBLE_EQ(data.period.days, 28);
  EXPECT_EQ(data.period.counted_until_ms, At(2026, 3, 1));
  EXPECT_NEAR(data.totals.hardware_usd, 50.0 * 28 / 30, 1e-9);

  // The current month, to March 10th at noon: 9.5 days.
  options.since_ms = At(2026, 3, 1);
  options.until_ms = At(2026, 4, 1);
  options.now_ms = At(2026, 3, 10, 12);
  data = Report(options, {});
  EXPECT_DOUBLE_EQ(data.period.days, 9.5);
  EXPECT_EQ(data.period.counted_until_ms, At(2026, 3, 10, 12));
  EXPECT_NEAR(data.totals.hardware_usd, 50.0 * 9.5 / 30, 1e-9);

  // A month that has not started counts no days; no hardware, no cost.
  options.since_ms = At(2026, 5, 1);
  options.until_ms = At(2026, 6, 1);
  data = Report(options, {});
  EXPECT_EQ(data.period.days, 0);
  EXPECT_EQ(data.totals.hardware_usd, 0);
  options.costs.hardware_usd = 0;
  data = Report(MarchOptions(), {});
  EXPECT_EQ(data.totals.monthly_hardware_usd, 0);
}

// ---- The period ------------------------------------------------------------

TEST(UsageReportTest, ThePeriodIncludesItsStartAndExcludesItsEnd) {
  const UsageReportOptions options = MarchOptions();
  const UsageReportData data =
      Report(options, {Local("chat/general_qa", 1, options.since_ms - 1),
                       Local("chat/general_qa", 2, options.since_ms),
                       Local("chat/general_qa", 4, options.until_ms - 1),
                       Local("chat/general_qa", 8, options.until_ms)});
  EXPECT_EQ(data.totals.all.requests, 2);
  EXPECT_DOUBLE_EQ(data.totals.all.cost_usd, 2 + 4);
}

TEST(UsageReportTest, ReadRangesCoverThePeriodAndTheBudgetMonthOnce) {
  UsageReportOptions options = MarchOptions();
  // Month to date: the budget month holds the period.
  EXPECT_THAT(ReportReadRanges(options),
              ElementsAre(std::pair(At(2026, 3, 1), At(2026, 4, 1))));
  // February touches March: one range.
  options.since_ms = At(2026, 2, 1);
  options.until_ms = At(2026, 3, 1);
  EXPECT_THAT(ReportReadRanges(options),
              ElementsAre(std::pair(At(2026, 2, 1), At(2026, 4, 1))));
  // January does not: two, so February is never read.
  options.since_ms = At(2026, 1, 1);
  options.until_ms = At(2026, 2, 1);
  EXPECT_THAT(ReportReadRanges(options),
              ElementsAre(std::pair(At(2026, 1, 1), At(2026, 2, 1)),
                          std::pair(At(2026, 3, 1), At(2026, 4, 1))));
}

// ---- Route mix
// ---------------------------------------------------------------

TEST(UsageReportTest, RouteMixPerTaskKindBesideThePolicy) {
  const LedgerEntry no_task = Local("", 0);  // not in the mix
  const UsageReportData data = Report(
      MarchOptions(),
      {Cloud("coding/code_review", 0.05), Cloud("coding/code_review", 0.07),
       Local("coding/code_review", 0.001), Local("chat/general_qa", 0.001),
       Local("chat/general_qa", 0.001), Local("chat/general_qa", 0.001),
       Cloud("coding/explain_code", 0.02), Local("other/mystery", 0), no_task});

  ASSERT_EQ(data.route_mix.size(), 4u);
  // Most requests first; ties by kind.
  const TaskRouteMix& review = data.route_mix[0];
  EXPECT_EQ(review.kind, "code_review");
  EXPECT_EQ(review.requests, 3);
  EXPECT_EQ(review.local, 1);
  EXPECT_EQ(review.cloud, 2);
  EXPECT_NEAR(*review.local_share, 1.0 / 3, 1e-12);
  EXPECT_NEAR(review.cloud_spend_usd, 0.12, 1e-12);
  EXPECT_EQ(review.policy_route, "cloud");
  EXPECT_EQ(review.policy_side, "cloud");
  EXPECT_EQ(review.policy_cloud_tier, "sonnet");

  const TaskRouteMix& qa = data.route_mix[1];
  EXPECT_EQ(qa.kind, "general_qa");
  EXPECT_EQ(qa.requests, 3);
  EXPECT_EQ(qa.cloud, 0);
  EXPECT_DOUBLE_EQ(*qa.local_share, 1);
  EXPECT_EQ(qa.cloud_spend_usd, 0);
  EXPECT_EQ(qa.policy_route, "local");
  EXPECT_EQ(qa.policy_side, "local");

  const TaskRouteMix& explain = data.route_mix[2];
  EXPECT_EQ(explain.kind, "explain_code");
  EXPECT_DOUBLE_EQ(*explain.local_share, 0);
  EXPECT_EQ(explain.policy_route, "either");
  EXPECT_EQ(explain.policy_side, "local");  // policy.either's default

  const TaskRouteMix& mystery = data.route_mix[3];
  EXPECT_EQ(mystery.kind, "mystery");
  EXPECT_EQ(mystery.policy_route, "");
  EXPECT_EQ(mystery.policy_side, "");
}

// ---- Outcomes
// ------------------------------------------------------------------

TEST(UsageReportTest, OutcomesWithTopFallbackReasonsAndErrorKinds) {
  std::vector<LedgerEntry> rows = {Local("chat/general_qa", 0)};
  const auto add = [&rows](AnswerOutcome outcome, const std::string& detail,
                           int times) {
    for (int i = 0; i < times; ++i) {
      LedgerEntry row = Local("chat/general_qa", 0);
      row.outcome = outcome;
      (outcome == AnswerOutcome::kFallback ? row.fallback_reason
                                           : row.error_kind) = detail;
      rows.push_back(row);
    }
  };
  add(AnswerOutcome::kFallback, "anthropic: Overloaded", 3);
  add(AnswerOutcome::kFallback, "anthropic: 529", 2);
  add(AnswerOutcome::kFallback, "", 1);
  for (const char* reason : {"e", "d", "c", "b"}) {
    add(AnswerOutcome::kFallback, reason, 1);
  }
  add(AnswerOutcome::kEscalated, "", 1);
  add(AnswerOutcome::kError, "invalid_argument", 2);
  add(AnswerOutcome::kError, "unavailable", 1);
  add(AnswerOutcome::kError, "", 1);
  add(AnswerOutcome::kCancelled, "cancelled", 2);

  const UsageReportData data = Report(MarchOptions(), rows);
  const OutcomeSummary& outcomes = data.outcomes;
  EXPECT_EQ(outcomes.ok, 1);
  EXPECT_EQ(outcomes.fallbacks, 3 + 2 + 1 + 4);
  EXPECT_EQ(outcomes.escalations, 1);
  EXPECT_EQ(outcomes.errors, 4);
  EXPECT_EQ(outcomes.cancelled, 2);
  EXPECT_EQ(data.totals.answered, 1 + 10 + 1);
  // Five at most, most frequent first, equal counts by name.
  ASSERT_EQ(outcomes.fallback_reasons.size(), kTopFallbackReasons);
  EXPECT_EQ(outcomes.fallback_reasons[0].name, "anthropic: Overloaded");
  EXPECT_EQ(outcomes.fallback_reasons[0].count, 3);
  EXPECT_EQ(outcomes.fallback_reasons[1].name, "anthropic: 529");
  EXPECT_EQ(outcomes.fallback_reasons[1].count, 2);
  EXPECT_EQ(outcomes.fallback_reasons[2].name, "(no reason given)");
  EXPECT_EQ(outcomes.fallback_reasons[3].name, "b");
  EXPECT_EQ(outcomes.fallback_reasons[4].name, "c");
  ASSERT_EQ(outcomes.error_kinds.size(), 3u);
  EXPECT_EQ(outcomes.error_kinds[0].name, "invalid_argument");
  EXPECT_EQ(outcomes.error_kinds[0].count, 2);
  EXPECT_EQ(outcomes.error_kinds[1].name, "unavailable");
  EXPECT_EQ(outcomes.error_kinds[2].name, "unknown");
}

TEST(UsageReportTest, EscalationChecksAndTheCostOfReplacedLocalAttempts) {
  std::vector<LedgerEntry> rows;
  for (const char* escalation : {"passed", "passed", "passed", "unchecked", "repetition",
                                 "repetition", "empty", ""}) {
    LedgerEntry row = Local("writing/first_draft", 0.0001);
    row.escalation = escalation;
    if (std::string_view(escalation) == "repetition" || std::string_view(escalation) == "empty") {
      row = Cloud("writing/first_draft", 0.002);
      row.escalation = escalation;
      row.outcome = AnswerOutcome::kEscalated;
      row.local_attempt_usd = 0.00025;
    }
    rows.push_back(row);
  }
  const OutcomeSummary outcomes = Report(MarchOptions(), rows).outcomes;
  EXPECT_EQ(outcomes.escalations, 3);
  EXPECT_NEAR(outcomes.local_attempt_usd, 3 * 0.00025, 1e-12);
  ASSERT_EQ(outcomes.escalation_checks.size(), 4u);  // "" is not a candidate
  EXPECT_EQ(outcomes.escalation_checks[0].name, "passed");
  EXPECT_EQ(outcomes.escalation_checks[0].count, 3);
  EXPECT_EQ(outcomes.escalation_checks[1].name, "repetition");
  EXPECT_EQ(outcomes.escalation_checks[1].count, 2);
  EXPECT_EQ(outcomes.escalation_checks[2].name, "empty");
  EXPECT_EQ(outcomes.escalation_checks[3].name, "unchecked");
}

TEST(UsageReportTest, EscalationAndFeedbackPerTaskWithRecommendations) {
  UsageReport report(MarchOptions());
  // Feedback arrives before the rows are streamed (the command reads it
  // first); two verdicts on one summarization answer, one on a draft.
  report.AddFeedback({"req_sum_0", At(2026, 3, 5), "", 0.0, ""});
  report.AddFeedback({"req_sum_0", At(2026, 3, 5), "", 0.5, ""});
  report.AddFeedback({"req_draft_3", At(2026, 3, 5), "", 1.0, ""});
  report.AddFeedback({"req_elsewhere", At(2026, 3, 5), "", 0.0, ""});  // no such row
  // first_draft: 30 checked, 10 escalated (33%); summarization: 40
  // checked, 1 escalated (2.5%); general_qa: 5 checked (too few to judge).
  const auto add = [&report](const std::string& task, const std::string& prefix, int checked,
                             int escalated) {
    for (int i = 0; i < checked; ++i) {
      LedgerEntry row = i < escalated ? Cloud(task, 0.001) : Local(task, 0.0001);
      row.request_id = prefix + std::to_string(i);
      row.escalation = i < escalated ? "repetition" : "passed";
      row.outcome = i < escalated ? AnswerOutcome::kEscalated : AnswerOutcome::kOk;
      report.Add(row);
    }
  };
  add("writing/first_draft", "req_draft_", 30, 10);
  add("analysis/summarization", "req_sum_", 40, 1);
  add("chat/general_qa", "req_qa_", 5, 5);
  LedgerEntry unchecked = Local("writing/first_draft", 0.0001);
  unchecked.escalation = "unchecked";
  report.Add(unchecked);
  const UsageReportData data = std::move(report).Finish({});
  std::map<std::string, TaskRouteMix> mix;
  for (const TaskRouteMix& task : data.route_mix) {
    mix[task.kind] = task;
  }
  EXPECT_EQ(mix["first_draft"].checked, 30);  // "unchecked" is not checked
  EXPECT_EQ(mix["first_draft"].escalated, 10);
  EXPECT_NEAR(*mix["first_draft"].escalation_rate, 1.0 / 3, 1e-12);
  EXPECT_EQ(mix["first_draft"].feedback, 1);
  EXPECT_EQ(*mix["first_draft"].feedback_score, 1.0);
  EXPECT_EQ(mix["first_draft"].recommendation,
            "33% of 30 checked local answers were escalated: route first_draft to Claude "
            "(policy.tasks.first_draft.route = \"cloud\")");
  EXPECT_EQ(mix["summarization"].feedback, 2);
  EXPECT_EQ(*mix["summarization"].feedback_score, 0.25);
  EXPECT_EQ(mix["summarization"].recommendation,
            "3% escalations over 40 checked answers: keep summarization local");
  EXPECT_EQ(mix["general_qa"].checked, 5);
  EXPECT_EQ(mix["general_qa"].recommendation, "");  // too few to judge
}

ShadowEntry Shadowed(const std::string& task, const std::string& verdict, double cost_usd,
                     int64_t at = At(2026, 3, 3)) {
  return ShadowEntry{.request_id = "req_local",
                     .finished_at_ms = at,
                     .task = task,
                     .local_model = "qwen3-32b",
                     .claude_model = "claude-haiku-4-5",
                     .input_tokens = 1000,
                     .output_tokens = 500,
                     .cost_usd = cost_usd,
                     .judge = "qwen3-32b",
                     .verdict = verdict,
                     .detail = ""};
}

TEST(UsageReportTest, ShadowDisagreementPerTaskAndWhatItSuggests) {
  UsageReportOptions options = MarchOptions();
  options.policy.budget.monthly_usd = 10;
  UsageReport report(options);
  // first_draft: 25 judged, 11 differ (44%); summarization: 30 judged, 2
  // differ (7%), plus verdicts that count for neither.
  for (int i = 0; i < 25; ++i) {
    report.AddShadow(Shadowed("writing/first_draft", i < 11 ? "different" : "same", 0.01));
  }
  for (int i = 0; i < 30; ++i) {
    report.AddShadow(Shadowed("analysis/summarization", i < 2 ? "different" : "same", 0.01));
  }
  report.AddShadow(Shadowed("analysis/summarization", "unsure", 0.01));
  report.AddShadow(Shadowed("analysis/summarization", "failed", 0));
  report.AddShadow(Shadowed("writing/first_draft", "same", 0.5, At(2026, 2, 20)));  // before
  for (const std::string task : {"writing/first_draft", "analysis/summarization"}) {
    report.Add(Local(task, 0.0001));
  }
  report.Add(Cloud("writing/first_draft", 1.0));
  const UsageReportData data = std::move(report).Finish({});

  EXPECT_EQ(data.shadow.evaluations, 57);
  EXPECT_EQ(data.shadow.same, 42);
  EXPECT_EQ(data.shadow.different, 13);
  EXPECT_EQ(data.shadow.unsure, 1);
  EXPECT_EQ(data.shadow.failed, 1);
  EXPECT_NEAR(data.shadow.cost_usd, 0.56, 1e-9);
  std::map<std::string, TaskRouteMix> mix;
  for (const TaskRouteMix& task : data.route_mix) {
    mix[task.kind] = task;
  }
  EXPECT_EQ(mix["first_draft"].shadow_judged, 25);
  EXPECT_EQ(mix["first_draft"].shadow_different, 11);
  EXPECT_NEAR(*mix["first_draft"].shadow_disagreement, 0.44, 1e-12);
  EXPECT_EQ(mix["first_draft"].recommendation,
            "first_draft served locally: 44% of 25 shadow answers differ materially from "
            "Claude's: route first_draft to Claude (policy.tasks.first_draft.route = "
            "\"cloud\")");
  EXPECT_EQ(mix["summarization"].shadow_judged, 30);
  EXPECT_EQ(mix["summarization"].recommendation,
            "7% shadow disagreement over 30 judged answers: keep summarization local");
  // Shadow spend is a cost of running duet: in the total, against savings,
  // and in the month's Claude spend the budget caps.
  EXPECT_NEAR(data.totals.shadow_usd, 0.56, 1e-9);
  EXPECT_NEAR(data.totals.total_cost_usd, data.totals.all.cost_usd + 0.56, 1e-9);
  for (const TierSavings& tier : data.savings) {
    EXPECT_NEAR(tier.saved_usd, tier.claude_usd - data.totals.all.cost_usd - 0.56, 1e-9);
  }
  EXPECT_NEAR(data.budget.month_spent_usd, 1.0 + 0.56, 1e-9);
}

TEST(UsageReportTest, WhetherEscalatingHelpedPerCheckAndPolishReviews) {
  std::vector<LedgerEntry> rows;
  const auto escalated = [&rows](const std::string& check, const std::string& outcome) {
    LedgerEntry row = Cloud("writing/first_draft", 0.002);
    row.escalation = check;
    row.outcome = AnswerOutcome::kEscalated;
    row.escalation_outcome = outcome;
    rows.push_back(row);
  };
  escalated("repetition", "changed");
  escalated("repetition", "changed");
  escalated("repetition", "unchanged");
  escalated("refusal", "unchanged");
  escalated("self_check", "");  // not measurable
  for (const char* review : {"agree", "agree", "disagree"}) {
    LedgerEntry row = Cloud("writing/first_draft", 0.003);
    row.workflow = "polish";
    row.review = review;
    rows.push_back(row);
  }
  const OutcomeSummary outcomes = Report(MarchOptions(), rows).outcomes;
  ASSERT_EQ(outcomes.escalation_effects.size(), 3u);  // in escalation_checks' order
  const OutcomeSummary::EscalationEffect& repetition = outcomes.escalation_effects[0];
  EXPECT_EQ(repetition.check, "repetition");
  EXPECT_EQ(repetition.escalated, 3);
  EXPECT_EQ(repetition.measured, 3);
  EXPECT_EQ(repetition.changed, 2);
  std::map<std::string, OutcomeSummary::EscalationEffect> by_check;
  for (const auto& effect : outcomes.escalation_effects) {
    by_check[effect.check] = effect;
  }
  EXPECT_EQ(by_check["refusal"].changed, 0);
  EXPECT_EQ(by_check["refusal"].measured, 1);
  EXPECT_EQ(by_check["self_check"].escalated, 1);
  EXPECT_EQ(by_check["self_check"].measured, 0);
  ASSERT_EQ(outcomes.reviews.size(), 2u);
  EXPECT_EQ(outcomes.reviews[0].name, "agree");
  EXPECT_EQ(outcomes.reviews[0].count, 2);
  EXPECT_EQ(outcomes.reviews[1].name, "disagree");
}

// ---- Budget
// ----------------------------------------------------------------------

TEST(UsageReportTest, BudgetUseCountsTheCurrentMonthAndDayWhateverThePeriod) {
  UsageReportOptions options;
  // The report is about February; "now" is March 16th at noon.
  options.since_ms = At(2026, 2, 1);
  options.until_ms = At(2026, 3, 1);
  options.now_ms = At(2026, 3, 16, 12);
  options.policy.budget = {.monthly_usd = 10, .daily_usd = 1};
  options.policy.key_budget = {.monthly_usd = 2, .daily_usd = 0.5};
  options.policy.key_budgets["key-aaaaaaaaaaaa"] = {.monthly_usd = 5,
                                                    .daily_usd = 0};
  const auto cloud = [](const std::string& key, double usd, int64_t at) {
    LedgerEntry row = Cloud("coding/code_review", usd, "claude-sonnet-4-6", at);
    row.client_key = key;
    return row;
  };
  LedgerEntry local_today = Local("chat/general_qa", 0.01, At(2026, 3, 16, 3));
  local_today.client_key = "key-bbbbbbbbbbbb";
  // A hosted open model is cloud spend but not Claude's: budgets skip it.
  LedgerEntry hosted_today = cloud("key-aaaaaaaaaaaa", 7.00, At(2026, 3, 16, 4));
  hosted_today.backend = "together";
  hosted_today.model = "qwen2.5-72b-instruct";
  const UsageReportData data = Report(
      options,
      {cloud("key-aaaaaaaaaaaa", 2.00, At(2026, 2, 28)),  // February
       cloud("key-aaaaaaaaaaaa", 3.00, At(2026, 3, 2)),
       cloud("", 1.00, At(2026, 3, 10)),
       cloud("key-aaaaaaaaaaaa", 0.40, At(2026, 3, 16, 1)),
       cloud("key-bbbbbbbbbbbb", 0.20, At(2026, 3, 16, 2)), local_today, hosted_today});

  // The period holds only February's row.
  EXPECT_EQ(data.totals.all.requests, 1);
  EXPECT_DOUBLE_EQ(data.totals.all.cost_usd, 2.00);

  const BudgetReport& budget = data.budget;
  EXPECT_EQ(budget.month_start_ms, At(2026, 3, 1));
  EXPECT_EQ(budget.day_start_ms, At(2026, 3, 16));
  EXPECT_NEAR(budget.month_spent_usd, 3.00 + 1.00 + 0.40 + 0.20, 1e-12);
  EXPECT_NEAR(budget.day_spent_usd, 0.40 + 0.20, 1e-12);
  struct Expected {
    std::string scope;
    std::string period;
    double spent;
    double cap;
  };
  const std::vector<Expected> expected = {
      {"overall", "month", 4.60, 10},
      {"overall", "day", 0.60, 1},
      {"", "month", 1.00, 2},  // anonymous clients: the default per-key caps
      {"", "day", 0, 0.5},
      {"key-aaaaaaaaaaaa", "month", 3.40, 5},  // its own caps; no daily one
      {"key-bbbbbbbbbbbb", "month", 0.20, 2},
      {"key-bbbbbbbbbbbb", "day", 0.20, 0.5},
  };
  ASSERT_EQ(budget.caps.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const BudgetUse& use = budget.caps[i];
    EXPECT_EQ(use.scope, expected[i].scope) << i;
    EXPECT_EQ(use.period, expected[i].period) << i;
    EXPECT_NEAR(use.spent_usd, expected[i].spent, 1e-12) << i;
    EXPECT_DOUBLE_EQ(use.cap_usd, expected[i].cap) << i;
    EXPECT_NEAR(use.used_share, expected[i].spent / expected[i].cap, 1e-12)
        << i;
  }
}

TEST(UsageReportTest, NoCapsMeansNoBudgetRowsButStillTheSpend) {
  const UsageReportData data =
      Report(MarchOptions(), {Cloud("coding/code_review", 0.25)});
  EXPECT_TRUE(data.budget.caps.empty());
  EXPECT_DOUBLE_EQ(data.budget.month_spent_usd, 0.25);
  EXPECT_DOUBLE_EQ(data.budget.day_spent_usd, 0);  // March 2nd, not today
}

// ---- Losses
// -------------------------------------------------------------------

TEST(UsageReportTest, LossesAreSummed) {
  const UsageReportData data =
      Report(MarchOptions(), {},
             {{.at_ms = At(2026, 3, 3), .rows = 10, .reason = "disk full"},
              {.at_ms = At(2026, 3, 5), .rows = 5, .reason = "locked"}});
  EXPECT_EQ(data.losses.rows, 15);
  ASSERT_EQ(data.losses.losses.size(), 2u);
  EXPECT_EQ(data.losses.losses[1].reason, "locked");
}

}  // namespace
}  // namespace duet
