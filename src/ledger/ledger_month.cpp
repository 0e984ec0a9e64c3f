#include "ledger/ledger_month.h"

#include <algorithm>
#include <filesystem>

#include "ledger/ledger_store.h"

namespace duet {
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

}  // namespace

Result<LedgerMonth> ReadLedgerMonth(const std::string& path, int64_t now_ms) {
  std::error_code error;
  if (path.empty() || !std::filesystem::exists(path, error)) {
    return Error(NotFound("no ledger at " + (path.empty() ? "(no path)" : path) +
                          " yet: run duet serve first"));
  }
  DUET_ASSIGN_OR_RETURN(LedgerStore store, LedgerStore::Open(path, {.read_only = true}));
  const auto window = static_cast<int64_t>(kDaysPerMonth) * kMillisPerDay;
  const int64_t since = now_ms - window;
  LedgerMonth month;
  int64_t first_ms = now_ms;
  DUET_RETURN_IF_ERROR(store.ForEach(since, now_ms + 1, [&](const LedgerEntry& entry) {
    ++month.requests;
    first_ms = std::min(first_ms, entry.started_at_ms);
    month.usage.input_tokens += static_cast<double>(entry.usage.prompt_tokens());
    month.usage.output_tokens += static_cast<double>(entry.usage.output_tokens);
    month.actual_cost_usd += entry.cost_usd;
    month.cloud_cost_usd += entry.local ? 0 : entry.cost_usd;
  }));
  if (month.requests == 0) {
    return Error(NotFound("the ledger at " + path + " has no requests in the last 30 days"));
  }
  month.days_covered =
      std::max(1.0, static_cast<double>(now_ms - first_ms) / static_cast<double>(kMillisPerDay));
  const double scale = kDaysPerMonth / std::min(kDaysPerMonth, month.days_covered);
  month.usage.input_tokens *= scale;
  month.usage.output_tokens *= scale;
  return month;
}

}  // namespace duet
