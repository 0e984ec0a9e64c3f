// `duet plan`: what a month of tokens would cost on Claude (the guide's
// prices and today's, batched or not), on hosted open models, on the
// configured upstreams and on the local machine, and when local hardware
// pays for itself (src/cost/planner.h; docs/costs.md).
//
//   duet plan                                   the guide's four scenarios
//   duet plan --queries-per-day N [--input-tokens N --output-tokens N]
//   duet plan --queries-per-month N [--input-tokens N --output-tokens N]
//   duet plan --input-mtok X --output-mtok Y    monthly totals, in millions
//   duet plan --from-ledger [--ledger PATH]     your last 30 days in the ledger
//   ... --hardware-usd X                        break-even for this hardware
//   ... --json                                  the same as ordered JSON
//
// --input-tokens and --output-tokens are averages per query (500 each
// when not given); a month is 30 days. Without --hardware-usd (or
// costs.hardware_usd) break-even is shown for the guide's hardware.
// --from-ledger reads the last 30 days of the ledger (ledger.path, else
// the per-user default; --ledger overrides), projected to 30 days when the
// ledger is younger (src/ledger/ledger_month.h).
//
// Thread safety: call from main only.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/status.h"
#include "cost/guide.h"

namespace CLI {
class App;
}  // namespace CLI

namespace duet {

// The flags as typed ("" = not given), so that errors can name the flag
// and quote the value.
struct PlanCommandOptions {
  std::string queries_per_day;
  std::string queries_per_month;
  std::string input_tokens;   // per query
  std::string output_tokens;  // per query
  std::string input_mtok;     // a month, millions
  std::string output_mtok;
  std::string hardware_usd;  // overrides costs.hardware_usd
  bool from_ledger = false;
  std::string ledger_path;   // overrides ledger.path
  bool json = false;
};

// Adds the flags above to `command` (`duet plan`), writing into `options`,
// which must outlive parsing.
void AddPlanOptions(CLI::App* command, PlanCommandOptions* options);

// Average tokens per query when --input-tokens / --output-tokens are not
// given: the guide's "~500 tokens".
inline constexpr double kDefaultTokensPerQuery = 500;

// The usage the flags describe, named "your usage"; nullopt when they
// describe none (plan the guide's scenarios). kInvalidArgument naming the
// flag for a value that is not a number >= 0, and for flags that conflict
// or need another.
Result<std::optional<UsageScenario>> UsageFromFlags(
    const PlanCommandOptions& options);

// Prints the plan to `out`. Returns the exit code: 0, 1 when
// --from-ledger finds no ledger or no request in it, or 2 after a
// message on `err` for a bad flag, an unreadable Claude catalogue
// (anthropic.catalog_file) or a policy.claude_models / [costs] value the
// planner cannot use.
int RunPlanCommand(const Config& config, const PlanCommandOptions& options,
                   std::ostream& out, std::ostream& err);

}  // namespace duet
