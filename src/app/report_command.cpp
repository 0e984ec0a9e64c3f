#include "app/report_command.h"

#include <charconv>
#include <filesystem>
#include <optional>
#include <ostream>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/report_output.h"
#include "ledger/ledger_store.h"
#include "ledger/usage_report.h"
#include "ledger/utc_calendar.h"
#include "model/claude_catalog.h"

namespace duet {
namespace {

constexpr int64_t kMaxDays = 36'500;

// `flag`'s value parsed by `parse`, with errors prefixed by the flag.
Result<int64_t> ParseFlag(std::string_view flag, const std::string& text,
                          Result<int64_t> (*parse)(std::string_view)) {
  Result<int64_t> value = parse(text);
  if (!value) {
    return Error(
        InvalidArgument(fmt::format("{}: {}", flag, value.error().message())));
  }
  return value;
}

Result<int64_t> ParseDays(std::string_view text) {
  int64_t days = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, days);
  if (error != std::errc() || stop != end || days < 1 || days > kMaxDays) {
    return Error(InvalidArgument(
        fmt::format("expected a whole number of days from 1 to {}, got '{}'",
                    kMaxDays, text)));
  }
  return days;
}

// The one of --since, --month and --days given, if any; kInvalidArgument
// when several are.
Result<std::string_view> StartFlag(const ReportCommandOptions& options) {
  std::vector<std::string_view> given;
  for (const auto& [flag, value] :
       {std::pair<std::string_view, const std::string*>{"--since",
                                                        &options.since},
        {"--month", &options.month},
        {"--days", &options.days}}) {
    if (!value->empty()) {
      given.push_back(flag);
    }
  }
  if (given.size() > 1) {
    return Error(InvalidArgument(
        fmt::format("{} and {} cannot be used together", given[0], given[1])));
  }
  return given.empty() ? std::string_view() : given.front();
}

}  // namespace

void AddReportOptions(CLI::App* command, ReportCommandOptions* options) {
  // Values are taken as text and checked by ReportPeriodFromFlags, so a bad
  // one gets duet's message and exit code 2, naming the flag.
  command->add_option("--since", options->since,
                      "start at 00:00 UTC on this day (YYYY-MM-DD); the "
                      "period runs to now, or to --until");
  command->add_option("--month", options->month, "one UTC month (YYYY-MM)");
  command->add_option("--days", options->days,
                      "the last N days (N x 24 hours) before now, or before "
                      "--until");
  command->add_option("--until", options->until,
                      "end at 00:00 UTC on this day (YYYY-MM-DD; the day "
                      "itself is not included)");
  command->add_option("--ledger", options->ledger_path,
                      "the ledger file (default: ledger.path, else "
                      "$XDG_DATA_HOME/duet/ledger.db or "
                      "~/.local/share/duet/ledger.db)");
  command->add_flag("--json", options->json, "print the report as JSON");
}

Result<ReportPeriodFlags> ReportPeriodFromFlags(
    const ReportCommandOptions& options, int64_t now_ms) {
  DUET_ASSIGN_OR_RETURN(const std::string_view start, StartFlag(options));
  std::optional<int64_t> until;
  if (!options.until.empty()) {
    if (start == "--month") {
      return Error(
          InvalidArgument("--month and --until cannot be used together"));
    }
    DUET_ASSIGN_OR_RETURN(until,
                          ParseFlag("--until", options.until, ParseUtcDate));
  }
  ReportPeriodFlags period;
  period.until_ms = until.value_or(now_ms);
  if (start == "--month") {
    DUET_ASSIGN_OR_RETURN(period.since_ms,
                          ParseFlag("--month", options.month, ParseUtcMonth));
    period.until_ms = NextUtcMonthStartMs(period.since_ms);
  } else if (start == "--since") {
    DUET_ASSIGN_OR_RETURN(period.since_ms,
                          ParseFlag("--since", options.since, ParseUtcDate));
  } else if (start == "--days") {
    DUET_ASSIGN_OR_RETURN(const int64_t days,
                          ParseFlag("--days", options.days, ParseDays));
    period.since_ms = period.until_ms - days * kMillisPerDay;
  } else {
    period.since_ms = UtcMonthStartMs(now_ms);
  }
  if (period.since_ms >= period.until_ms && (until || start == "--since")) {
    return Error(InvalidArgument(fmt::format(
        "{}: the period from {} to {} UTC is empty{}",
        until ? "--until" : "--since", FormatUtcMinute(period.since_ms),
        FormatUtcMinute(period.until_ms),
        until ? " (--until is exclusive)" : "")));
  }
  return period;
}

int RunReportCommand(const Config& config, const ReportCommandOptions& options,
                     const Clock& clock, const EnvLookup& getenv,
                     std::ostream& out, std::ostream& err) {
  const auto fail = [&err](int exit_code, std::string_view message) {
    err << "duet report: " << message << "\n";
    return exit_code;
  };
  const int64_t now_ms = clock.NowUnixMillis();
  const Result<ReportPeriodFlags> period =
      ReportPeriodFromFlags(options, now_ms);
  if (!period) {
    return fail(2, period.error().message());
  }
  const Result<ClaudeCatalog> catalog =
      ClaudeCatalog::Load(config.anthropic.catalog_file);
  if (!catalog) {
    return fail(2, catalog.error().message());
  }

  std::string path = options.ledger_path;
  if (path.empty()) {
    path = config.ledger.path.empty() ? DefaultLedgerPath(getenv)
                                      : config.ledger.path;
  }
  if (path.empty()) {
    return fail(1,
                "no ledger path: set ledger.path or give --ledger PATH "
                "(neither XDG_DATA_HOME nor HOME is set)");
  }
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) {
    return fail(1, fmt::format("no ledger at {} yet: run `duet serve` first "
                               "(it records every request there), or give "
                               "--ledger PATH",
                               path));
  }
  Result<LedgerStore> store = LedgerStore::Open(path, {.read_only = true});
  if (!store) {
    return fail(1, store.error().message());
  }

  const UsageReportOptions report_options{.since_ms = period->since_ms,
                                          .until_ms = period->until_ms,
                                          .now_ms = now_ms,
                                          .policy = config.policy,
                                          .costs = config.costs,
                                          .catalog = &*catalog,
                                          .thresholds = {}};
  UsageReport report(report_options);
  // Verdicts come after their answers: a week's grace past the period.
  constexpr int64_t kFeedbackGraceMs = 7LL * 86'400'000;
  Result<std::vector<FeedbackEntry>> feedback =
      store->Feedback(period->since_ms, period->until_ms + kFeedbackGraceMs);
  if (!feedback) {
    return fail(1, feedback.error().message());
  }
  for (const FeedbackEntry& verdict : *feedback) {
    report.AddFeedback(verdict);
  }
  for (const auto& [since, until] : ReportReadRanges(report_options)) {
    const Status read = store->ForEach(
        since, until, [&report](const LedgerEntry& row) { report.Add(row); });
    if (!read.ok()) {
      return fail(1, read.message());
    }
    Result<std::vector<ShadowEntry>> shadow = store->Shadow(since, until);
    if (!shadow) {
      return fail(1, shadow.error().message());
    }
    for (const ShadowEntry& evaluation : *shadow) {
      report.AddShadow(evaluation);
    }
  }
  Result<std::vector<LedgerLoss>> losses =
      store->Losses(period->since_ms, period->until_ms);
  if (!losses) {
    return fail(1, losses.error().message());
  }
  const UsageReportData data = std::move(report).Finish(std::move(*losses));
  if (options.json) {
    WriteUsageReportJson(data, path, out);
  } else {
    WriteUsageReportText(data, path, out);
  }
  return 0;
}

}  // namespace duet
