// Shared by the UsageReport and usage-signal tests: a March 2026 report
// period and hand-built ledger rows.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ledger/ledger_test_util.h"
#include "ledger/usage_report.h"

namespace duet::testing {

inline constexpr int64_t kHourMs = 3'600'000;

// 00:00 UTC on that day, plus `hours`.
inline int64_t At(int year, unsigned month, unsigned day, double hours = 0) {
  return UtcMidnightMs(year, month, day) +
         static_cast<int64_t>(hours * kHourMs);
}

// A period report for March 2026 seen on March 16th at 00:00: 15 days
// counted so far.
inline UsageReportOptions MarchOptions() {
  UsageReportOptions options;
  options.since_ms = At(2026, 3, 1);
  options.until_ms = At(2026, 4, 1);
  options.now_ms = At(2026, 3, 16);
  return options;
}

inline LedgerEntry Local(const std::string& task, double cost_usd,
                  int64_t at = At(2026, 3, 2)) {
  LedgerEntry row;
  row.request_id = "local";
  row.started_at_ms = at;
  row.side = "local";
  row.task = task;
  row.rule = "task";
  row.backend = "llama";
  row.model = "qwen3-32b";
  row.local = true;
  row.cost_usd = cost_usd;
  return row;
}

inline LedgerEntry Cloud(const std::string& task, double cost_usd,
                  const std::string& model = "claude-sonnet-4-6",
                  int64_t at = At(2026, 3, 2)) {
  LedgerEntry row = Local(task, cost_usd, at);
  row.request_id = "cloud";
  row.side = "cloud";
  row.backend = "anthropic";
  row.model = model;
  row.local = false;
  return row;
}

inline UsageReportData Report(const UsageReportOptions& options,
                       const std::vector<LedgerEntry>& rows,
                       std::vector<LedgerLoss> losses = {}) {
  UsageReport report(options);
  for (const LedgerEntry& row : rows) {
    report.Add(row);
  }
  return std::move(report).Finish(std::move(losses));
}

inline const UsageSignal* FindSignal(const UsageReportData& data,
                              const std::string& id) {
  for (const UsageSignal& signal : data.signals) {
    if (signal.id == id) {
      return &signal;
    }
  }
  return nullptr;
}

inline double Figure(const UsageSignal& signal, const std::string& name) {
  for (const SignalFigure& figure : signal.figures) {
    if (figure.name == name) {
      return figure.value;
    }
  }
  ADD_FAILURE() << signal.id << " has no figure " << name;
  return -1;
}

inline void ExpectUsage(const NamedUsage& group, const std::string& name,
                 int64_t requests, int64_t input, int64_t output,
                 double cost_usd) {
  EXPECT_EQ(group.name, name);
  EXPECT_EQ(group.usage.requests, requests) << name;
  EXPECT_EQ(group.usage.input_tokens, input) << name;
  EXPECT_EQ(group.usage.output_tokens, output) << name;
  EXPECT_NEAR(group.usage.cost_usd, cost_usd, 1e-12) << name;
}

}  // namespace duet::testing
