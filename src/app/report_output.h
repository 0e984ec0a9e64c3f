// How `duet report` shows a UsageReportData: titled sections of aligned
// plain-text tables for people (readable at 80 columns, no colours), or
// one ordered JSON object for scripts. Both hold the same figures; money
// is rounded to the cent only in the text (FormatUsd), JSON keeps it to
// the millionth of a dollar.
//
// Text sections, each starting with a line "== <title>": Totals, Spend by
// side, Spend by backend, Spend by model, Savings against Claude, Route mix
// by task, Outcomes, Budget, Ledger losses, Signals.
//
// JSON keys, in order: ledger, period, totals, by_side, by_backend,
// by_model, savings, route_mix, outcomes, budget, losses, signals
// (docs/ledger.md lists their members).
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <iosfwd>
#include <string>

#include "ledger/usage_report.h"

namespace duet {

// `ledger_path` is printed as the report's source.
void WriteUsageReportText(const UsageReportData& report,
                          const std::string& ledger_path, std::ostream& out);
void WriteUsageReportJson(const UsageReportData& report,
                          const std::string& ledger_path, std::ostream& out);

}  // namespace duet
