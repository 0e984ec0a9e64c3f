// SignalFinder: the guide's signals (policy.md §6), computed from a
// period's ledger rows, each with the figures behind it. A signal is
// reported only when it applies (the thresholds below).
//
// You're overpaying for Claude when...
//   local_capable_cloud_spend   a share of the cloud spend went to tasks
//                               the policy sends local ("either" counts
//                               when policy.either is local)
//   opus_where_haiku_would_do   Opus answered tasks the policy sends to
//                               Haiku or keeps local (tier from the
//                               Claude catalogue)
//   cloud_bill_exceeds_hardware the cloud bill, projected to a 30-day
//                               month, exceeds the amortized cost of a
//                               local GPU (costs.hardware_usd over
//                               hardware_months, else the guide's
//                               $30-50/month for a $600-1,000 GPU)
//   mostly_simple_queries       most requests are simple Q&A or basic
//                               generation (SimpleQueryKinds()) and some
//                               of those went to the cloud
// You've outgrown local when...
//   outgrown_local              requests needed more than local gave: sent
//                               to Claude for their size (rules
//                               exceeds_local_context, long_context),
//                               refused locally for want of context,
//                               escalated, sent to Claude because the
//                               local queue was full (local_busy), or
//                               answered in the cloud after local failed
//
// Thread safety: none; one thread adds to and reads a finder.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "ledger/ledger_entry.h"
#include "model/claude_catalog.h"

namespace duet {

struct SignalThresholds {
  // local_capable_cloud_spend: at least this share of the cloud spend.
  double local_capable_cloud_share = 0.10;
  // mostly_simple_queries: more than this share of the requests that
  // have a task ("most").
  double simple_query_share = 0.50;
  // outgrown_local: at least this share of all requests.
  double outgrown_local_share = 0.05;
  // The guide's hardware amortization for a $600-1,000 GPU, USD a month
  // (policy.md §4), used when costs.hardware_usd is 0. The bill must
  // exceed the high end, so the claim holds for the whole range.
  double guide_gpu_monthly_low_usd = 30;
  double guide_gpu_monthly_high_usd = 50;
  // The bill is projected from at least this many days, so a period's
  // first hours do not project a month.
  double min_projection_days = 1;
};

// One number behind a signal. Names end in _usd (dollars), _share (a
// fraction, 0.42 = 42%) or _days; the others are counts.
struct SignalFigure {
  std::string name;
  double value = 0;
};

struct UsageSignal {
  std::string id;        // "local_capable_cloud_spend", ... (above)
  std::string kind;      // "overpaying" or "outgrown_local"
  std::string sentence;  // for people, with its numbers
  std::vector<SignalFigure> figures;  // the same numbers, in a fixed order
};

class SignalFinder {
 public:
  // `policy`, `costs` and `catalog` must outlive the finder.
  SignalFinder(const PolicyConfig& policy, const CostsConfig& costs,
               const ClaudeCatalog& catalog, SignalThresholds thresholds);

  // One row of the period.
  void Add(const LedgerEntry& row);

  // The signals that apply, in the order listed at the top. `period_days`:
  // how long the rows were gathered over.
  std::vector<UsageSignal> Find(double period_days) const;

 private:
  std::optional<UsageSignal> LocalCapableCloudSpend() const;
  std::optional<UsageSignal> OpusWhereHaikuWouldDo() const;
  std::optional<UsageSignal> CloudBillExceedsHardware(double period_days) const;
  std::optional<UsageSignal> MostlySimpleQueries() const;
  std::optional<UsageSignal> OutgrownLocal() const;

  const PolicyConfig& policy_;
  const CostsConfig& costs_;
  const ClaudeCatalog& catalog_;
  SignalThresholds thresholds_;

  int64_t requests_ = 0;
  int64_t requests_with_task_ = 0;
  double cloud_spend_usd_ = 0;
  // Cloud rows whose task the policy sends local, and the rules that
  // sent them to the cloud.
  double local_capable_cloud_usd_ = 0;
  int64_t local_capable_cloud_requests_ = 0;
  std::map<std::string, int64_t> local_capable_cloud_rules_;
  // Opus rows, and those whose task the policy sends to Haiku or local.
  double opus_usd_ = 0;
  double opus_misused_usd_ = 0;
  double opus_misused_haiku_usd_ = 0;  // the same tokens at Haiku's prices
  int64_t opus_misused_requests_ = 0;
  // SimpleQueryKinds() rows, and those answered in the cloud.
  int64_t simple_requests_ = 0;
  int64_t simple_cloud_requests_ = 0;
  double simple_cloud_usd_ = 0;
  // outgrown_local: rows with any of the reasons, and each reason.
  int64_t outgrown_requests_ = 0;
  int64_t exceeds_local_context_ = 0;
  int64_t long_context_ = 0;
  int64_t context_refusals_ = 0;
  int64_t escalations_ = 0;
  int64_t local_busy_ = 0;
  int64_t fallbacks_to_cloud_ = 0;
};

}  // namespace duet
