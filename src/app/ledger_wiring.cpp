#include "app/ledger_wiring.h"

#include <filesystem>
#include <system_error>

#include <spdlog/spdlog.h>

#include "ledger/ledger_store.h"
#include "ledger/prometheus_text.h"
#include "ledger/utc_calendar.h"
#include "route/shadow/shadow_evaluator.h"

namespace duet {
namespace {


std::string LedgerPath(const Config& config, const EnvLookup& getenv) {
  if (!config.ledger.enabled) {
    return "";
  }
  return config.ledger.path.empty() ? DefaultLedgerPath(getenv) : config.ledger.path;
}

AnswerPricer::Options PricingOf(const Config& config, const ClaudeCatalog* catalog) {
  AnswerPricer::Options options;
  options.catalog = catalog;
  options.claude_models = config.policy.claude_models;
  options.upstreams = config.upstreams;
  options.costs = config.costs;
  return options;
}

std::unique_ptr<LedgerWriter> StartWriter(const std::string& path, const Config& config) {
  if (path.empty()) {
    return nullptr;
  }
  return std::make_unique<LedgerWriter>(
      path, LedgerWriter::Options{.flush_interval_ms = config.ledger.flush_interval_ms,
                                  .max_pending = config.ledger.max_pending});
}

}  // namespace

ServerLedger::ServerLedger(const Config& config, const EnvLookup& getenv,
                           const ClaudeCatalog* catalog, const Clock* clock)
    : path_(LedgerPath(config, getenv)),
      catalog_(catalog),
      clock_(clock),
      busy_meter_(clock),
      writer_(StartWriter(path_, config)),
      recorder_(AnswerPricer(PricingOf(config, catalog)), writer_.get(), &metrics_,
                config.ledger.store_content) {
  if (!config.ledger.enabled) {
    spdlog::info("ledger: off (ledger.enabled = false)");
  } else if (path_.empty()) {
    spdlog::warn("ledger: off: no ledger.path and no HOME to put one in");
  } else {
    spdlog::info("ledger: recording answers in {}", path_);
  }
}

Result<double> ServerLedger::SeedBudget(BudgetTracker* budget) const {
  std::error_code error;
  if (path_.empty() || !std::filesystem::exists(path_, error)) {
    return 0.0;  // no ledger, or none yet: nothing was spent
  }
  const auto unreadable = [&](const Status& why) {
    return Error(Unavailable("ledger: cannot read this month's spend from " + path_ + ": " +
                             why.message()));
  };
  // More than a month back: the tracker ignores what is not this month's.
  const int64_t since = clock_->NowUnixMillis() - 32 * kMillisPerDay;
  // Read-only first, so that a file this user may only read still counts.
  // That open refuses a file from an older duet: it is then opened for
  // writing and migrated, here or by the writer, whichever comes first
  // (else the budget would start from nothing after an upgrade). The wait
  // covers the other one's migration of a large file.
  Result<LedgerStore> store = LedgerStore::Open(path_, {.read_only = true});
  if (!store) {
    store = LedgerStore::Open(path_, {.busy_timeout_ms = 30'000});
  }
  if (!store) {
    return unreadable(store.error());
  }
  Result<std::vector<DailySpend>> spend = store->CloudSpendSince(since);
  Result<std::vector<DailySpend>> shadow = store->ShadowSpendSince(since);
  if (!spend || !shadow) {
    return unreadable(spend ? shadow.error() : spend.error());
  }
  for (const DailySpend& day : *spend) {
    if (catalog_->Find(day.model) != nullptr) {
      budget->RecordSpend(day.client_key, day.cost_usd, day.day_start_unix_seconds);
    }
  }
  double shadow_this_month = 0;
  const int64_t month_start_ms = UtcMonthStartMs(clock_->NowUnixMillis());
  for (const DailySpend& day : *shadow) {
    budget->RecordSpend(ShadowEvaluator::kBudgetKey, day.cost_usd, day.day_start_unix_seconds);
    if (day.day_start_unix_seconds * 1000 >= month_start_ms) {
      shadow_this_month += day.cost_usd;
    }
  }
  return shadow_this_month;
}

ShadowReporter ServerLedger::ShadowRecorder() {
  return [recorder = &recorder_](ShadowResult result) {
    recorder->RecordShadow(ShadowEntry{.request_id = std::move(result.request_id),
                                       .finished_at_ms = result.finished_unix_ms,
                                       .task = std::move(result.task),
                                       .local_model = std::move(result.local_model),
                                       .claude_model = std::move(result.claude_model),
                                       .input_tokens = result.claude_usage.prompt_tokens(),
                                       .output_tokens = result.claude_usage.output_tokens,
                                       .cost_usd = result.cost_usd,
                                       .judge = std::move(result.judge),
                                       .verdict = std::move(result.verdict),
                                       .detail = std::move(result.detail)});
  };
}

std::string ServerLedger::MetricsText(Backend* local, PolicyEngine* policy) const {
  std::string out;
  metrics_.Render(&out);
  if (writer_) {
    const LedgerWriter::Stats stats = writer_->stats();
    AppendMetricHeader(&out, "duet_ledger_rows_written_total", "Ledger rows committed.",
                       "counter");
    AppendSample(&out, "duet_ledger_rows_written_total", {},
                 static_cast<double>(stats.written));
    AppendMetricHeader(&out, "duet_ledger_rows_lost_total",
                       "Ledger rows dropped because they could not be written.", "counter");
    AppendSample(&out, "duet_ledger_rows_lost_total", {}, static_cast<double>(stats.lost));
    AppendMetricHeader(&out, "duet_ledger_rows_pending", "Ledger rows waiting to be written.",
                       "gauge");
    AppendSample(&out, "duet_ledger_rows_pending", {}, static_cast<double>(stats.pending));
    AppendMetricHeader(&out, "duet_ledger_write_lag_seconds",
                       "How long the last written batch's oldest row waited.", "gauge");
    AppendSample(&out, "duet_ledger_write_lag_seconds", {},
                 static_cast<double>(stats.last_lag_ms) / 1000);
  }
  if (local != nullptr) {
    const BackendHealth health = local->Health();
    AppendMetricHeader(&out, "duet_local_running", "Requests the local engine is answering.",
                       "gauge");
    AppendSample(&out, "duet_local_running", {}, static_cast<double>(health.running));
    AppendMetricHeader(&out, "duet_local_queue_depth",
                       "Requests waiting for a local slot.", "gauge");
    AppendSample(&out, "duet_local_queue_depth", {}, static_cast<double>(health.queued));
  }
  if (policy != nullptr) {
    const BudgetTracker::UsageSnapshot budget = policy->budget().Snapshot("");
    AppendMetricHeader(&out, "duet_budget_spent_usd",
                       "Cloud spend in the current period (all keys), USD.", "gauge");
    AppendSample(&out, "duet_budget_spent_usd", {{"period", "daily"}},
                 budget.overall_daily.spent_usd);
    AppendSample(&out, "duet_budget_spent_usd", {{"period", "monthly"}},
                 budget.overall_monthly.spent_usd);
    AppendMetricHeader(&out, "duet_budget_remaining_usd",
                       "Cloud budget left in the current period, USD (capped periods only).",
                       "gauge");
    for (const auto& [period, usage] :
         {std::pair{"daily", budget.overall_daily}, std::pair{"monthly", budget.overall_monthly}}) {
      if (usage.limit_usd > 0) {
        AppendSample(&out, "duet_budget_remaining_usd", {{"period", period}},
                     usage.limit_usd - usage.spent_usd - usage.reserved_usd);
      }
    }
  }
  return out;
}

}  // namespace duet
