#include "cost/prices.h"

#include <gtest/gtest.h>

namespace duet {
namespace {

TEST(PricesTest, ClaudeListPricesFromTheCatalogue) {
  const ClaudeModel* sonnet = ClaudeCatalog::BuiltIn().Find("claude-sonnet-4-5");
  ASSERT_NE(sonnet, nullptr);
  const TokenPrices prices = PricesOf(*sonnet);
  EXPECT_EQ(prices, (TokenPrices{.input = 3, .output = 15, .cache_write = 3.75,
                                 .cache_read = 0.30}));
}

TEST(PricesTest, EveryKindOfTokenAtItsOwnPrice) {
  const TokenPrices prices{.input = 3, .output = 15, .cache_write = 3.75, .cache_read = 0.3};
  // 1,000 fresh input tokens: $0.003; 2,000 output: $0.03; 10,000 cache
  // writes: $0.0375; 100,000 cache reads: $0.03.
  const Usage usage{.input_tokens = 1000,
                    .output_tokens = 2000,
                    .cache_creation_input_tokens = 10'000,
                    .cache_read_input_tokens = 100'000,
                    .thinking_tokens = 500};  // part of output, not extra
  EXPECT_NEAR(CostUsd(usage, prices), 0.003 + 0.03 + 0.0375 + 0.03, 1e-12);
  EXPECT_EQ(CostUsd(Usage{}, prices), 0.0);
}

TEST(PricesTest, MonthlyTokensTimesPrice) {
  // The guide's light personal use on Sonnet: 1.5M in, 1.5M out = $27.
  EXPECT_NEAR(CostUsd(1.5e6, 1.5e6, TokenPrices{.input = 3, .output = 15}), 27.0, 1e-9);
  // Heavy usage: 10M in, 2M out = $60.
  EXPECT_NEAR(CostUsd(10e6, 2e6, TokenPrices{.input = 3, .output = 15}), 60.0, 1e-9);
}

}  // namespace
}  // namespace duet
