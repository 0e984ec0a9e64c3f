// The guide's signals (policy.md §6) as UsageReport finds them in
// hand-built rows; every expected figure is worked out from the rows.
#include "ledger/usage_signals.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ledger/usage_report_test_util.h"

namespace duet {
namespace {

using ::testing::HasSubstr;
using testing::At;
using testing::Cloud;
using testing::Figure;
using testing::FindSignal;
using testing::Local;
using testing::MarchOptions;
using testing::Report;

// ---- Signals
// ---------------------------------------------------------------------

TEST(UsageSignalsTest, CloudSpendOnLocalCapableTasks) {
  LedgerEntry busy = Cloud("chat/general_qa", 0.30, "claude-haiku-4-5");
  busy.rule = "local_busy";
  LedgerEntry named = Cloud("writing/first_draft", 0.10);
  named.rule = "explicit_model";
  const UsageReportData data =
      Report(MarchOptions(), {busy, named, Cloud("coding/code_review", 0.60),
                              Local("chat/general_qa", 0.01)});
  const UsageSignal* signal = FindSignal(data, "local_capable_cloud_spend");
  ASSERT_NE(signal, nullptr);
  EXPECT_EQ(signal->kind, "overpaying");
  // $0.40 of $1.00 of cloud spend.
  EXPECT_NEAR(Figure(*signal, "share"), 0.40, 1e-12);
  EXPECT_NEAR(Figure(*signal, "local_capable_cloud_usd"), 0.40, 1e-12);
  EXPECT_NEAR(Figure(*signal, "cloud_spend_usd"), 1.00, 1e-12);
  EXPECT_EQ(Figure(*signal, "requests"), 2);
  EXPECT_THAT(signal->sentence,
              HasSubstr("40% of your cloud spend went to tasks the policy "
                        "rates local-capable: $0.40 of $1"));
  EXPECT_THAT(signal->sentence, HasSubstr("local_busy 1"));
  EXPECT_THAT(signal->sentence, HasSubstr("explicit_model 1"));
}

TEST(UsageSignalsTest,
     CloudSpendOnLocalCapableTasksBelowTheThresholdOrEitherToCloud) {
  // $0.05 of $1.00: 5%, under the 10% threshold.
  UsageReportData data = Report(
      MarchOptions(),
      {Cloud("chat/general_qa", 0.05), Cloud("coding/code_review", 0.95)});
  EXPECT_EQ(FindSignal(data, "local_capable_cloud_spend"), nullptr);

  // "either" tasks count only while policy.either is local.
  UsageReportOptions options = MarchOptions();
  data = Report(options, {Cloud("coding/explain_code", 0.50),
                          Cloud("coding/code_review", 0.50)});
  ASSERT_NE(FindSignal(data, "local_capable_cloud_spend"), nullptr);
  options.policy.either = "cloud";
  data = Report(options, {Cloud("coding/explain_code", 0.50),
                          Cloud("coding/code_review", 0.50)});
  EXPECT_EQ(FindSignal(data, "local_capable_cloud_spend"), nullptr);
}

TEST(UsageSignalsTest, OpusWhereHaikuWouldDo) {
  UsageReportOptions options = MarchOptions();
  options.policy.tasks["quick_lookup"] = TaskPolicy{.route = "cloud",
                                                    .local_role = "general",
                                                    .cloud_tier = "haiku",
                                                    .thinking = false};
  LedgerEntry on_local_task = Cloud("chat/general_qa", 1.50, "claude-opus-4-6");
  on_local_task.claude_haiku_usd = 0.08;
  LedgerEntry on_haiku_task =
      Cloud("misc/quick_lookup", 0.50, "claude-opus-4-6");
  on_haiku_task.claude_haiku_usd = 0.03;
  // Opus on a task the table sends to Sonnet: not this signal.
  LedgerEntry on_sonnet_task =
      Cloud("coding/code_review", 2.00, "claude-opus-4-6");
  const UsageReportData data =
      Report(options, {on_local_task, on_haiku_task, on_sonnet_task});
  const UsageSignal* signal = FindSignal(data, "opus_where_haiku_would_do");
  ASSERT_NE(signal, nullptr);
  EXPECT_NEAR(Figure(*signal, "opus_on_haiku_tasks_usd"), 2.00, 1e-12);
  EXPECT_EQ(Figure(*signal, "requests"), 2);
  EXPECT_NEAR(Figure(*signal, "haiku_usd"), 0.11, 1e-12);
  EXPECT_NEAR(Figure(*signal, "opus_spend_usd"), 4.00, 1e-12);
  EXPECT_THAT(signal->sentence,
              HasSubstr("Opus used where Haiku would do: $2 of Opus spend "
                        "(2 requests)"));
  EXPECT_THAT(signal->sentence, HasSubstr("Haiku would have charged $0.11"));

  const UsageReportData sonnet_only = Report(options, {on_sonnet_task});
  EXPECT_EQ(FindSignal(sonnet_only, "opus_where_haiku_would_do"), nullptr);
}

TEST(UsageSignalsTest, CloudBillAgainstTheGuidesGpu) {
  // Ten days; $20 of cloud spend projects to $60 a month, over the
  // guide's $30-50.
  UsageReportOptions options = MarchOptions();
  options.now_ms = At(2026, 3, 11);
  UsageReportData data = Report(options, {Cloud("coding/code_review", 20)});
  const UsageSignal* signal = FindSignal(data, "cloud_bill_exceeds_hardware");
  ASSERT_NE(signal, nullptr);
  EXPECT_NEAR(Figure(*signal, "projected_monthly_cloud_usd"), 60, 1e-9);
  EXPECT_EQ(Figure(*signal, "guide_gpu_monthly_low_usd"), 30);
  EXPECT_EQ(Figure(*signal, "guide_gpu_monthly_high_usd"), 50);
  EXPECT_THAT(signal->sentence, HasSubstr("projected $60/month"));
  EXPECT_THAT(signal->sentence, HasSubstr("$30–$50/month"));
  // $15 projects to $45: inside the guide's range, so not claimed.
  data = Report(options, {Cloud("coding/code_review", 15)});
  EXPECT_EQ(FindSignal(data, "cloud_bill_exceeds_hardware"), nullptr);
}

TEST(UsageSignalsTest, CloudBillAgainstYourOwnHardware) {
  UsageReportOptions options = MarchOptions();
  options.now_ms = At(2026, 3, 11);
  options.costs.hardware_usd = 1200;
  options.costs.hardware_months = 24;  // $50 a month
  UsageReportData data = Report(options, {Cloud("coding/code_review", 20)});
  const UsageSignal* signal = FindSignal(data, "cloud_bill_exceeds_hardware");
  ASSERT_NE(signal, nullptr);
  EXPECT_EQ(Figure(*signal, "monthly_hardware_usd"), 50);
  EXPECT_THAT(signal->sentence, HasSubstr("($50/month: costs.hardware_usd "
                                          "$1,200 over 24 months)"));
  options.costs.hardware_usd = 2400;  // $100 a month
  data = Report(options, {Cloud("coding/code_review", 20)});
  EXPECT_EQ(FindSignal(data, "cloud_bill_exceeds_hardware"), nullptr);
}

TEST(UsageSignalsTest, AFewHoursAreNotProjectedAsAMonth) {
  // Six hours and $2: projected from one day, $60, not from a quarter day.
  UsageReportOptions options = MarchOptions();
  options.now_ms = At(2026, 3, 1, 6);
  const UsageReportData data = Report(
      options,
      {Cloud("coding/code_review", 2, "claude-sonnet-4-6", At(2026, 3, 1, 1))});
  const UsageSignal* signal = FindSignal(data, "cloud_bill_exceeds_hardware");
  ASSERT_NE(signal, nullptr);
  EXPECT_NEAR(Figure(*signal, "projected_monthly_cloud_usd"), 60, 1e-9);
  EXPECT_DOUBLE_EQ(Figure(*signal, "period_days"), 0.25);
}

TEST(UsageSignalsTest, MostlySimpleQueries) {
  std::vector<LedgerEntry> rows = {
      Local("chat/general_qa", 0),       Local("chat/general_qa", 0),
      Local("writing/first_draft", 0),   Cloud("writing/brainstorming", 0.02),
      Cloud("coding/code_review", 0.50), Cloud("coding/code_review", 0.50)};
  UsageReportData data = Report(MarchOptions(), rows);
  const UsageSignal* signal = FindSignal(data, "mostly_simple_queries");
  ASSERT_NE(signal, nullptr);
  EXPECT_NEAR(Figure(*signal, "share"), 4.0 / 6, 1e-12);
  EXPECT_EQ(Figure(*signal, "simple_requests"), 4);
  EXPECT_EQ(Figure(*signal, "requests_with_task"), 6);
  EXPECT_EQ(Figure(*signal, "simple_cloud_requests"), 1);
  EXPECT_NEAR(Figure(*signal, "simple_cloud_usd"), 0.02, 1e-12);
  EXPECT_THAT(signal->sentence, HasSubstr("67% of requests (4 of 6)"));

  // All simple queries answered locally: nothing overpaid.
  rows[3] = Local("writing/brainstorming", 0);
  data = Report(MarchOptions(), rows);
  EXPECT_EQ(FindSignal(data, "mostly_simple_queries"), nullptr);
  // Exactly half is not "most".
  rows[3] = Cloud("writing/brainstorming", 0.02);
  rows[2] = Cloud("coding/debug_complex", 0.10);
  data = Report(MarchOptions(), rows);
  EXPECT_EQ(FindSignal(data, "mostly_simple_queries"), nullptr);
}

TEST(UsageSignalsTest, OutgrownLocal) {
  std::vector<LedgerEntry> rows;
  const auto cloud_by_rule = [](const std::string& rule) {
    LedgerEntry row = Cloud("analysis/summarization", 0.01);
    row.rule = rule;
    return row;
  };
  rows.push_back(cloud_by_rule("exceeds_local_context"));
  rows.push_back(cloud_by_rule("long_context"));
  rows.push_back(cloud_by_rule("local_busy"));
  LedgerEntry refusal = Local("analysis/summarization", 0);
  refusal.outcome = AnswerOutcome::kError;
  refusal.error_kind = "invalid_argument";
  refusal.error_message =
      "prompt is too long: 5000 tokens > 4095 maximum (the context window of "
      "qwen is 4096 tokens)";
  rows.push_back(refusal);
  LedgerEntry escalated = Cloud("analysis/summarization", 0.02);
  escalated.outcome = AnswerOutcome::kEscalated;
  rows.push_back(escalated);
  LedgerEntry cloud_fallback = Cloud("analysis/summarization", 0.02);
  cloud_fallback.outcome = AnswerOutcome::kFallback;
  rows.push_back(cloud_fallback);
  // Not signs of outgrowing local: an invalid request, and the local model
  // standing in for a failed cloud call.
  LedgerEntry malformed = Local("analysis/summarization", 0);
  malformed.outcome = AnswerOutcome::kError;
  malformed.error_kind = "invalid_argument";
  malformed.error_message = "messages: field required";
  rows.push_back(malformed);
  LedgerEntry local_fallback = Local("analysis/summarization", 0);
  local_fallback.outcome = AnswerOutcome::kFallback;
  rows.push_back(local_fallback);
  while (rows.size() < 20) {
    rows.push_back(Local("chat/general_qa", 0));
  }

  UsageReportData data = Report(MarchOptions(), rows);
  const UsageSignal* signal = FindSignal(data, "outgrown_local");
  ASSERT_NE(signal, nullptr);
  EXPECT_EQ(signal->kind, "outgrown_local");
  EXPECT_NEAR(Figure(*signal, "share"), 6.0 / 20, 1e-12);
  EXPECT_EQ(Figure(*signal, "outgrown_requests"), 6);
  EXPECT_EQ(Figure(*signal, "requests"), 20);
  for (const char* reason :
       {"exceeds_local_context", "long_context", "context_refusals",
        "escalations", "local_busy", "fallbacks_to_cloud"}) {
    EXPECT_EQ(Figure(*signal, reason), 1) << reason;
  }
  EXPECT_THAT(signal->sentence, HasSubstr("30% of requests (6 of 20)"));
  EXPECT_THAT(signal->sentence,
              HasSubstr("1 refused locally for want of context"));

  // One of 40 (2.5%) is under the 5% threshold.
  rows.resize(20);
  for (LedgerEntry& row : rows) {
    row = Local("chat/general_qa", 0);
  }
  rows[0] = cloud_by_rule("long_context");
  rows.resize(40, Local("chat/general_qa", 0));
  data = Report(MarchOptions(), rows);
  EXPECT_EQ(FindSignal(data, "outgrown_local"), nullptr);
}

TEST(UsageSignalsTest, AQuietPeriodHasNoSignals) {
  const UsageReportData data =
      Report(MarchOptions(), {Local("chat/general_qa", 0.001),
                              Local("coding/code_completion", 0.001),
                              Cloud("coding/code_review", 0.05)});
  EXPECT_TRUE(data.signals.empty());
}

}  // namespace
}  // namespace duet
