// Token prices and what a set of tokens costs at them.
//
// Prices are USD per million tokens, as the catalogues write them
// (config/claude-models.toml, [upstreams.*] input_price/output_price).
// Costs are USD as doubles: the ledger sums thousands of sub-cent amounts,
// and every figure shown to a user is rounded only when printed.
#pragma once

#include "model/chat.h"
#include "model/claude_catalog.h"

namespace duet {

struct TokenPrices {
  double input = 0;
  double output = 0;
  double cache_write = 0;  // prompt-cache writes (Anthropic's 5-minute rate)
  double cache_read = 0;
  friend bool operator==(const TokenPrices&, const TokenPrices&) = default;
};

// A Claude model's list prices. Cache writes are priced at the 5-minute
// rate: the canonical Usage does not split 5-minute from 1-hour writes.
TokenPrices PricesOf(const ClaudeModel& model);

// Input, output and cache tokens of `usage` at `prices`, in USD.
// Thinking tokens are part of output_tokens and priced as output.
double CostUsd(const Usage& usage, const TokenPrices& prices);

// Plain input/output token counts at `prices`, in USD (the planner's
// "tokens per month x price").
double CostUsd(double input_tokens, double output_tokens, const TokenPrices& prices);

}  // namespace duet
