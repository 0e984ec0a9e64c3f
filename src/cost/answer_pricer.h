// AnswerPricer: what one answer cost, and what Claude would have charged
// for the same tokens.
//
//   Claude model                 its list prices (config/claude-models.toml),
//                                cache writes and reads included
//   priced [upstreams.NAME]      the upstream's input_price / output_price
//                                (cached prompt tokens at the input price)
//   local answer, no price list  electricity: its busy seconds x
//                                costs.local_watts x costs.electricity_usd_per_kwh
//   unpriced remote server       0
//
// Hardware amortization is a monthly cost (MonthlyHardwareUsd), not a
// per-answer one: it is owed whether or not the machine answers.
//
// Thread safety: immutable after construction.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "cost/prices.h"
#include "model/chat.h"
#include "model/claude_catalog.h"

namespace duet {

// The same tokens on each Claude tier the guide names; 0 for a tier the
// policy does not map to a known model.
struct ClaudeTierCosts {
  double haiku = 0;
  double sonnet = 0;
  double opus = 0;
};

class AnswerPricer {
 public:
  struct Options {
    const ClaudeCatalog* catalog = nullptr;  // null = ClaudeCatalog::BuiltIn()
    // Tier name ("haiku", "sonnet", "opus") -> Claude model id
    // (PolicyConfig::claude_models).
    std::map<std::string, std::string> claude_models;
    std::vector<UpstreamConfig> upstreams;
    CostsConfig costs;
  };

  explicit AnswerPricer(Options options);

  // `backend` names who answered, `model` the model id that answered,
  // `local` whether it runs on this machine, `local_busy_seconds` its
  // share of the machine's busy time.
  double ActualUsd(std::string_view backend, std::string_view model, bool local,
                   const Usage& usage, double local_busy_seconds) const;
  ClaudeTierCosts TierCosts(const Usage& usage) const;
  // Electricity for `busy_seconds` of local generation.
  double ElectricityUsd(double busy_seconds) const;
  // costs.hardware_usd / costs.hardware_months (0 without hardware).
  double MonthlyHardwareUsd() const;

 private:
  Options options_;
  const ClaudeCatalog* catalog_;
  TokenPrices haiku_{}, sonnet_{}, opus_{};  // zero when not configured
};

}  // namespace duet
