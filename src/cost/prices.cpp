#include "cost/prices.h"

namespace duet {

namespace {
constexpr double kTokensPerPriceUnit = 1e6;  // prices are per million tokens
}  // namespace

TokenPrices PricesOf(const ClaudeModel& model) {
  return TokenPrices{.input = model.input_price,
                     .output = model.output_price,
                     .cache_write = model.cache_write_5m_price,
                     .cache_read = model.cache_read_price};
}

double CostUsd(const Usage& usage, const TokenPrices& prices) {
  return (static_cast<double>(usage.input_tokens) * prices.input +
          static_cast<double>(usage.output_tokens) * prices.output +
          static_cast<double>(usage.cache_creation_input_tokens) * prices.cache_write +
          static_cast<double>(usage.cache_read_input_tokens) * prices.cache_read) /
         kTokensPerPriceUnit;
}

double CostUsd(double input_tokens, double output_tokens, const TokenPrices& prices) {
  return (input_tokens * prices.input + output_tokens * prices.output) /
         kTokensPerPriceUnit;
}

}  // namespace duet
