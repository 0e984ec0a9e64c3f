#include "cost/answer_pricer.h"

#include <utility>

namespace duet {
namespace {

constexpr double kSecondsPerHour = 3600;
constexpr double kWattsPerKilowatt = 1000;

}  // namespace

AnswerPricer::AnswerPricer(Options options)
    : options_(std::move(options)),
      catalog_(options_.catalog != nullptr ? options_.catalog : &ClaudeCatalog::BuiltIn()) {
  const auto prices_of_tier = [&](const std::string& tier) {
    const auto it = options_.claude_models.find(tier);
    const ClaudeModel* model =
        it == options_.claude_models.end() ? nullptr : catalog_->Find(it->second);
    return model != nullptr ? PricesOf(*model) : TokenPrices{};
  };
  haiku_ = prices_of_tier("haiku");
  sonnet_ = prices_of_tier("sonnet");
  opus_ = prices_of_tier("opus");
}

double AnswerPricer::ActualUsd(std::string_view backend, std::string_view model, bool local,
                               const Usage& usage, double local_busy_seconds) const {
  if (const ClaudeModel* claude = catalog_->Find(model); claude != nullptr) {
    return CostUsd(usage, PricesOf(*claude));
  }
  for (const UpstreamConfig& upstream : options_.upstreams) {
    if (upstream.name != backend ||
        (upstream.input_price == 0 && upstream.output_price == 0)) {
      continue;
    }
    return CostUsd(usage, TokenPrices{.input = upstream.input_price,
                                      .output = upstream.output_price,
                                      .cache_write = upstream.input_price,
                                      .cache_read = upstream.input_price});
  }
  return local ? ElectricityUsd(local_busy_seconds) : 0;
}

ClaudeTierCosts AnswerPricer::TierCosts(const Usage& usage) const {
  return ClaudeTierCosts{.haiku = CostUsd(usage, haiku_),
                         .sonnet = CostUsd(usage, sonnet_),
                         .opus = CostUsd(usage, opus_)};
}

double AnswerPricer::ElectricityUsd(double busy_seconds) const {
  const double kilowatt_hours =
      busy_seconds / kSecondsPerHour * options_.costs.local_watts / kWattsPerKilowatt;
  return kilowatt_hours * options_.costs.electricity_usd_per_kwh;
}

double AnswerPricer::MonthlyHardwareUsd() const {
  if (options_.costs.hardware_usd <= 0 || options_.costs.hardware_months <= 0) {
    return 0;
  }
  return options_.costs.hardware_usd / static_cast<double>(options_.costs.hardware_months);
}

}  // namespace duet
