// The server's ledger, metrics and cost wiring (see Serve).
//
// ServerLedger owns the ledger writer thread, the metrics totals, the
// local busy-time meter and the recorder the API handler hands finished
// requests to. It is created before everything that records into it and
// destroyed after, so its destructor writes every row still pending.
//
// Thread safety: the members are thread-safe; construction is not.
#pragma once

#include <memory>
#include <string>

#include "backend/backend.h"
#include "core/clock.h"
#include "core/config.h"
#include "cost/local_busy_meter.h"
#include "ledger/answer_metrics.h"
#include "ledger/answer_recorder.h"
#include "ledger/ledger_writer.h"
#include "route/policy/policy_engine.h"
#include "route/shadow/shadow_result.h"

namespace duet {

class ServerLedger {
 public:
  // Resolves the ledger path (ledger.path, else the per-user default) and
  // starts the writer when ledger.enabled; logs where rows go.
  ServerLedger(const Config& config, const EnvLookup& getenv, const ClaudeCatalog* catalog,
               const Clock* clock);

  // Adds this month's Claude spend from the ledger to `budget`, so budget
  // caps survive restarts (the budget counts Claude models only, as the
  // policy does); shadow evaluations' spend goes in under
  // ShadowEvaluator::kBudgetKey. Returns this UTC month's shadow spend,
  // for the shadow's own cap: 0 with no ledger, or none yet. Fails with
  // kUnavailable, naming the file and why, when the ledger exists but
  // cannot be read (the caller decides whether the caps can do without).
  Result<double> SeedBudget(BudgetTracker* budget) const;

  // Files shadow evaluation results in the ledger (and /metrics).
  ShadowReporter ShadowRecorder();

  AnswerRecorder* recorder() { return &recorder_; }
  LocalBusyMeter* busy_meter() { return &busy_meter_; }
  const std::string& path() const { return path_; }

  // GET /metrics: answer totals, the ledger writer, the local queue and
  // the cloud budget. `local` and `policy` may be null.
  std::string MetricsText(Backend* local, PolicyEngine* policy) const;

 private:
  std::string path_;  // "" when the ledger is off
  const ClaudeCatalog* catalog_;
  const Clock* clock_;
  AnswerMetrics metrics_;
  LocalBusyMeter busy_meter_;
  std::unique_ptr<LedgerWriter> writer_;  // null when the ledger is off
  LedgerRecorder recorder_;
};

}  // namespace duet
