// The user's own month, read from the ledger: what `duet plan
// --from-ledger` plans.
//
// It sums the last 30 days of rows (prompt tokens — fresh, cache writes
// and cache reads — and output tokens) and, when the ledger holds fewer
// days than that, scales them to 30 days from the days it does cover (at
// least one), saying so. What those requests actually cost is kept beside
// the projection.
//
// Thread safety: a plain function over its own read-only connection.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "cost/planner.h"

namespace duet {

struct LedgerMonth {
  MonthlyUsage usage;          // projected to 30 days
  int64_t requests = 0;        // rows in the window
  double days_covered = 0;     // from the first row (or 30 days ago) to now
  double actual_cost_usd = 0;  // what those rows cost, unprojected
  double cloud_cost_usd = 0;   // ...of which cloud answers
};

// The last 30 days before `now_ms` in the ledger at `path`. kNotFound when
// there is no ledger file or no row in the window.
Result<LedgerMonth> ReadLedgerMonth(const std::string& path, int64_t now_ms);

}  // namespace duet
