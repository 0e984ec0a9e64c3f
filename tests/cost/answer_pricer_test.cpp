#include "cost/answer_pricer.h"

#include <gtest/gtest.h>

namespace duet {
namespace {

AnswerPricer::Options DefaultOptions() {
  AnswerPricer::Options options;
  options.claude_models = PolicyConfig().claude_models;
  return options;
}

TEST(AnswerPricerTest, ClaudeAnswersCostTheirListPrice) {
  const AnswerPricer pricer(DefaultOptions());
  // Sonnet 4.5: $3 in, $15 out, $3.75 cache write, $0.30 cache read per MTok.
  const Usage usage{.input_tokens = 2'000,
                    .output_tokens = 1'000,
                    .cache_creation_input_tokens = 4'000,
                    .cache_read_input_tokens = 10'000};
  EXPECT_NEAR(pricer.ActualUsd("anthropic", "claude-sonnet-4-5-20250929", false, usage, 0),
              0.006 + 0.015 + 0.015 + 0.003, 1e-12);
}

TEST(AnswerPricerTest, EveryTierPricesTheSameTokens) {
  const AnswerPricer pricer(DefaultOptions());
  const Usage usage{.input_tokens = 1'000'000, .output_tokens = 100'000};
  const ClaudeTierCosts tiers = pricer.TierCosts(usage);
  // The default policy: claude-haiku-4-5 ($1/$5), claude-sonnet-4-6
  // ($3/$15), claude-opus-4-6 ($5/$25).
  EXPECT_NEAR(tiers.haiku, 1.0 + 0.5, 1e-9);
  EXPECT_NEAR(tiers.sonnet, 3.0 + 1.5, 1e-9);
  EXPECT_NEAR(tiers.opus, 5.0 + 2.5, 1e-9);

  AnswerPricer::Options no_opus = DefaultOptions();
  no_opus.claude_models.erase("opus");
  EXPECT_EQ(AnswerPricer(no_opus).TierCosts(usage).opus, 0.0);
}

TEST(AnswerPricerTest, LocalAnswersCostTheirElectricity) {
  AnswerPricer::Options options = DefaultOptions();
  options.costs.local_watts = 400;
  options.costs.electricity_usd_per_kwh = 0.30;
  const AnswerPricer pricer(options);
  // 90 s at 400 W = 0.01 kWh = $0.003.
  EXPECT_NEAR(pricer.ActualUsd("llama", "qwen", true, Usage{.output_tokens = 50}, 90), 0.003,
              1e-12);
  EXPECT_NEAR(pricer.ElectricityUsd(3600), 0.12, 1e-12);
}

TEST(AnswerPricerTest, UpstreamsCostTheirOwnPricesAndUnpricedRemotesNothing) {
  AnswerPricer::Options options = DefaultOptions();
  UpstreamConfig hosted;
  hosted.name = "together";
  hosted.input_price = 0.20;
  hosted.output_price = 0.60;
  UpstreamConfig lan_box;
  lan_box.name = "gpu-box";
  options.upstreams = {hosted, lan_box};
  const AnswerPricer pricer(options);
  const Usage usage{.input_tokens = 1'000'000, .output_tokens = 1'000'000,
                    .cache_read_input_tokens = 500'000};
  EXPECT_NEAR(pricer.ActualUsd("together", "qwen2.5-72b", false, usage, 0),
              0.20 + 0.60 + 0.10, 1e-9);
  EXPECT_EQ(pricer.ActualUsd("gpu-box", "llama3.1:8b", false, usage, 12), 0.0);
  // An unpriced server on this machine costs its electricity.
  EXPECT_GT(pricer.ActualUsd("gpu-box", "llama3.1:8b", true, usage, 12), 0.0);
}

TEST(AnswerPricerTest, HardwareIsAMonthlyCost) {
  AnswerPricer::Options options = DefaultOptions();
  EXPECT_EQ(AnswerPricer(options).MonthlyHardwareUsd(), 0.0);
  options.costs.hardware_usd = 1'000;
  options.costs.hardware_months = 20;
  EXPECT_DOUBLE_EQ(AnswerPricer(options).MonthlyHardwareUsd(), 50.0);
}

}  // namespace
}  // namespace duet
