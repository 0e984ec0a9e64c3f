// `duet report`: the savings report over the ledger (UsageReport;
// docs/ledger.md, "duet report").
//
//   duet report                        the current UTC month to date
//   duet report --month 2026-02        one UTC month
//   duet report --since 2026-02-10 [--until 2026-02-20]
//   duet report --days 7 [--until 2026-02-20]   the 7 x 24 hours before
//                                      --until (default: now)
//   ... --json                         the same as one ordered JSON object
//   ... --ledger PATH                  another ledger file
//
// Dates are UTC; --until is exclusive (the period ends at 00:00 UTC that
// day). The ledger is --ledger, else ledger.path, else the default path
// (DefaultLedgerPath); it is opened read-only, never created or migrated.
//
// Thread safety: call from main only.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace duet {

// The flags as typed ("" = not given), so that errors can name the flag
// and quote the value.
struct ReportCommandOptions {
  std::string since;  // YYYY-MM-DD
  std::string month;  // YYYY-MM
  std::string days;   // a whole number of days, 1 to 36500
  std::string until;  // YYYY-MM-DD, exclusive
  std::string ledger_path;
  bool json = false;
};

// Adds the flags above to `command` (`duet report`), writing into
// `options`, which must outlive parsing.
void AddReportOptions(CLI::App* command, ReportCommandOptions* options);

// The period [since_ms, until_ms) the flags name, at `now_ms`.
struct ReportPeriodFlags {
  int64_t since_ms = 0;
  int64_t until_ms = 0;
};

// kInvalidArgument naming the flag for a malformed value, for flags that
// cannot be used together (--since, --month and --days; --month and
// --until), and for a period that ends before it starts.
Result<ReportPeriodFlags> ReportPeriodFromFlags(
    const ReportCommandOptions& options, int64_t now_ms);

// Prints the report to `out`. Returns the exit code: 0; 1 after a message
// on `err` when there is no ledger at the path yet or it cannot be read;
// 2 for a bad flag or an unreadable Claude catalogue
// (anthropic.catalog_file). `clock` gives "now"; `getenv` finds the
// default ledger path.
int RunReportCommand(const Config& config, const ReportCommandOptions& options,
                     const Clock& clock, const EnvLookup& getenv,
                     std::ostream& out, std::ostream& err);

}  // namespace duet
