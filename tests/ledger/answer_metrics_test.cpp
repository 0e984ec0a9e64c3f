#include "ledger/answer_metrics.h"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "ledger/ledger_test_util.h"
#include "ledger/prometheus_text.h"

namespace duet {
namespace {

using testing::SampleEntry;

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

// The value of the sample `series` ("name{labels}"); NaN when absent.
double Value(const std::string& text, const std::string& series) {
  const size_t at = text.find(series + " ");
  return at == std::string::npos ? std::nan("") : std::stod(text.substr(at + series.size() + 1));
}

TEST(AnswerMetricsTest, CountsRequestsTokensCostsAndSavings) {
  AnswerMetrics metrics;
  LedgerEntry cloud = SampleEntry("req_1", 1);  // sonnet, $0.0087, 1.2K+56+78 in
  metrics.Observe(cloud);
  metrics.Observe(cloud);
  LedgerEntry local = SampleEntry("req_2", 2);
  local.side = "local";
  local.backend = "llama";
  local.model = "qwen";
  local.local = true;
  local.cost_usd = 0.0001;
  local.outcome = AnswerOutcome::kFallback;
  metrics.Observe(local);

  std::string text;
  metrics.Render(&text);
  EXPECT_TRUE(Has(text, "# TYPE duet_requests_total counter")) << text;
  EXPECT_TRUE(Has(text,
                  "duet_requests_total{side=\"cloud\",backend=\"anthropic\","
                  "model=\"claude-sonnet-4-6\",task=\"coding/code_review\",outcome=\"ok\"} 2"))
      << text;
  EXPECT_TRUE(Has(text,
                  "duet_requests_total{side=\"local\",backend=\"llama\",model=\"qwen\","
                  "task=\"coding/code_review\",outcome=\"fallback\"} 1"))
      << text;
  // Prompt tokens include cache writes and reads: 1200 + 56 + 78, twice.
  EXPECT_TRUE(Has(text,
                  "duet_input_tokens_total{side=\"cloud\",backend=\"anthropic\","
                  "model=\"claude-sonnet-4-6\"} 2668"))
      << text;
  EXPECT_TRUE(Has(text,
                  "duet_output_tokens_total{side=\"cloud\",backend=\"anthropic\","
                  "model=\"claude-sonnet-4-6\"} 680"))
      << text;
  // Sonnet equivalents: 3 x 0.0087; spend: 2 x 0.0087 + 0.0001.
  EXPECT_NEAR(Value(text, "duet_claude_equivalent_usd_total{tier=\"sonnet\"}"), 0.0261, 1e-12);
  EXPECT_NEAR(Value(text, "duet_savings_usd{tier=\"sonnet\"}"), 0.0086, 1e-12);
}

TEST(AnswerMetricsTest, HistogramsAreCumulativeWithSumAndCount) {
  AnswerMetrics metrics;
  for (int64_t latency_ms : {40, 300, 300, 7'000}) {
    LedgerEntry entry = SampleEntry("req", 1);
    entry.latency_ms = latency_ms;
    entry.ttft_ms = latency_ms == 7'000 ? -1 : 20;  // one answer had no output
    metrics.Observe(entry);
  }
  std::string text;
  metrics.Render(&text);
  const std::string bucket = "duet_request_duration_seconds_bucket{side=\"cloud\",le=";
  EXPECT_TRUE(Has(text, bucket + "\"0.05\"} 1")) << text;
  EXPECT_TRUE(Has(text, bucket + "\"0.25\"} 1")) << text;
  EXPECT_TRUE(Has(text, bucket + "\"0.5\"} 3")) << text;
  EXPECT_TRUE(Has(text, bucket + "\"5\"} 3")) << text;
  EXPECT_TRUE(Has(text, bucket + "\"10\"} 4")) << text;
  EXPECT_TRUE(Has(text, bucket + "\"+Inf\"} 4")) << text;
  EXPECT_NEAR(Value(text, "duet_request_duration_seconds_sum{side=\"cloud\"}"), 7.64, 1e-9);
  EXPECT_TRUE(Has(text, "duet_request_duration_seconds_count{side=\"cloud\"} 4")) << text;
  EXPECT_TRUE(Has(text, "duet_time_to_first_token_seconds_count{side=\"cloud\"} 3")) << text;
}

TEST(PrometheusTextTest, LabelValuesAreEscaped) {
  std::string text;
  AppendSample(&text, "m", {{"model", "a\"b\\c\nd"}}, 1.5);
  EXPECT_EQ(text, "m{model=\"a\\\"b\\\\c\\nd\"} 1.5\n");
}

}  // namespace
}  // namespace duet
