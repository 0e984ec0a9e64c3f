#include "ledger/usage_signals.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "cost/money.h"
#include "cost/planner.h"
#include "ledger/report_rows.h"

namespace duet {
namespace {

constexpr const char* kOverpaying = "overpaying";
constexpr const char* kOutgrownLocal = "outgrown_local";

// A count as a SignalFigure value.
double Count(int64_t count) { return static_cast<double>(count); }

double ShareOf(double part, double whole) {
  return whole > 0 ? part / whole : 0;
}

// "1 request", "2 requests".
std::string Requests(int64_t count) {
  return fmt::format("{} request{}", count, count == 1 ? "" : "s");
}

std::string Percent(double share) {
  return fmt::format("{:.0f}%", share * 100);
}

// "explicit_model 8, long_context 4": most frequent first.
std::string CountsText(const std::map<std::string, int64_t>& counts) {
  std::string text;
  for (const CountedName& counted : MostFrequentFirst(counts, counts.size())) {
    text += fmt::format("{}{} {}", text.empty() ? "" : ", ",
                        counted.name.empty() ? "(no rule)" : counted.name,
                        counted.count);
  }
  return text;
}

}  // namespace

SignalFinder::SignalFinder(const PolicyConfig& policy, const CostsConfig& costs,
                           const ClaudeCatalog& catalog,
                           SignalThresholds thresholds)
    : policy_(policy),
      costs_(costs),
      catalog_(catalog),
      thresholds_(thresholds) {}

void SignalFinder::Add(const LedgerEntry& row) {
  ++requests_;
  const bool cloud = SideOf(row) == "cloud";
  if (cloud) {
    cloud_spend_usd_ += row.cost_usd;
  }
  const std::string_view kind = TaskKindOf(row.task);
  if (!kind.empty()) {
    ++requests_with_task_;
  }
  const TaskPolicy* task = FindTaskPolicy(policy_, kind);
  const bool policy_keeps_local =
      task != nullptr && PolicySide(policy_, *task) == "local";

  if (cloud && policy_keeps_local) {
    local_capable_cloud_usd_ += row.cost_usd;
    ++local_capable_cloud_requests_;
    ++local_capable_cloud_rules_[row.rule];
  }

  const ClaudeModel* model = cloud ? catalog_.Find(row.model) : nullptr;
  if (model != nullptr && model->tier == "opus") {
    opus_usd_ += row.cost_usd;
    if (task != nullptr &&
        (policy_keeps_local || task->cloud_tier == "haiku")) {
      opus_misused_usd_ += row.cost_usd;
      opus_misused_haiku_usd_ += row.claude_haiku_usd;
      ++opus_misused_requests_;
    }
  }

  if (SimpleQueryKinds().contains(kind)) {
    ++simple_requests_;
    if (cloud) {
      ++simple_cloud_requests_;
      simple_cloud_usd_ += row.cost_usd;
    }
  }

  const bool exceeds_local_context = row.rule == "exceeds_local_context";
  const bool long_context = row.rule == "long_context";
  const bool context_refusal = IsLocalContextRefusal(row);
  const bool escalated = row.outcome == AnswerOutcome::kEscalated;
  const bool local_busy = cloud && row.rule == "local_busy";
  const bool fallback_to_cloud =
      cloud && row.outcome == AnswerOutcome::kFallback;
  exceeds_local_context_ += exceeds_local_context ? 1 : 0;
  long_context_ += long_context ? 1 : 0;
  context_refusals_ += context_refusal ? 1 : 0;
  escalations_ += escalated ? 1 : 0;
  local_busy_ += local_busy ? 1 : 0;
  fallbacks_to_cloud_ += fallback_to_cloud ? 1 : 0;
  if (exceeds_local_context || long_context || context_refusal || escalated ||
      local_busy || fallback_to_cloud) {
    ++outgrown_requests_;
  }
}

std::vector<UsageSignal> SignalFinder::Find(double period_days) const {
  std::vector<UsageSignal> signals;
  for (std::optional<UsageSignal> signal :
       {LocalCapableCloudSpend(), OpusWhereHaikuWouldDo(),
        CloudBillExceedsHardware(period_days), MostlySimpleQueries(),
        OutgrownLocal()}) {
    if (signal) {
      signals.push_back(std::move(*signal));
    }
  }
  return signals;
}

std::optional<UsageSignal> SignalFinder::LocalCapableCloudSpend() const {
  const double share = ShareOf(local_capable_cloud_usd_, cloud_spend_usd_);
  if (local_capable_cloud_usd_ <= 0 ||
      share < thresholds_.local_capable_cloud_share) {
    return std::nullopt;
  }
  return UsageSignal{
      .id = "local_capable_cloud_spend",
      .kind = kOverpaying,
      .sentence = fmt::format(
          "{} of your cloud spend went to tasks the policy rates "
          "local-capable: {} of {}, {} (sent to the cloud by: {})",
          Percent(share), FormatUsd(local_capable_cloud_usd_),
          FormatUsd(cloud_spend_usd_), Requests(local_capable_cloud_requests_),
          CountsText(local_capable_cloud_rules_)),
      .figures = {{"share", share},
                  {"local_capable_cloud_usd", local_capable_cloud_usd_},
                  {"cloud_spend_usd", cloud_spend_usd_},
                  {"requests", Count(local_capable_cloud_requests_)}}};
}

std::optional<UsageSignal> SignalFinder::OpusWhereHaikuWouldDo() const {
  if (opus_misused_usd_ <= 0) {
    return std::nullopt;
  }
  std::string sentence = fmt::format(
      "Opus used where Haiku would do: {} of Opus spend ({}) on tasks the "
      "policy sends to Haiku or keeps local",
      FormatUsd(opus_misused_usd_), Requests(opus_misused_requests_));
  if (opus_misused_haiku_usd_ > 0) {
    sentence += fmt::format("; Haiku would have charged {}",
                            FormatUsd(opus_misused_haiku_usd_));
  }
  return UsageSignal{.id = "opus_where_haiku_would_do",
                     .kind = kOverpaying,
                     .sentence = std::move(sentence),
                     .figures = {{"opus_on_haiku_tasks_usd", opus_misused_usd_},
                                 {"requests", Count(opus_misused_requests_)},
                                 {"haiku_usd", opus_misused_haiku_usd_},
                                 {"opus_spend_usd", opus_usd_}}};
}

std::optional<UsageSignal> SignalFinder::CloudBillExceedsHardware(
    double period_days) const {
  const double days = std::max(period_days, thresholds_.min_projection_days);
  const double projected = cloud_spend_usd_ / days * kDaysPerMonth;
  const bool own_hardware =
      costs_.hardware_usd > 0 && costs_.hardware_months > 0;
  const double hardware_monthly =
      own_hardware
          ? costs_.hardware_usd / static_cast<double>(costs_.hardware_months)
          : thresholds_.guide_gpu_monthly_high_usd;
  if (cloud_spend_usd_ <= 0 || projected <= hardware_monthly) {
    return std::nullopt;
  }
  UsageSignal signal{.id = "cloud_bill_exceeds_hardware",
                     .kind = kOverpaying,
                     .sentence = "",
                     .figures = {{"projected_monthly_cloud_usd", projected},
                                 {"cloud_spend_usd", cloud_spend_usd_},
                                 {"period_days", period_days}}};
  if (own_hardware) {
    signal.sentence = fmt::format(
        "your cloud bill (projected {}/month) exceeds the amortized cost of "
        "a local GPU ({}/month: costs.hardware_usd {} over {} months)",
        FormatUsd(projected), FormatUsd(hardware_monthly),
        FormatUsd(costs_.hardware_usd), costs_.hardware_months);
    signal.figures.push_back({"monthly_hardware_usd", hardware_monthly});
  } else {
    signal.sentence = fmt::format(
        "your cloud bill (projected {}/month) exceeds the amortized cost of "
        "a local GPU ({}/month, the guide's figure for a $600–$1,000 GPU; "
        "set costs.hardware_usd for yours)",
        FormatUsd(projected),
        FormatUsdRange(thresholds_.guide_gpu_monthly_low_usd,
                       thresholds_.guide_gpu_monthly_high_usd));
    signal.figures.push_back(
        {"guide_gpu_monthly_low_usd", thresholds_.guide_gpu_monthly_low_usd});
    signal.figures.push_back(
        {"guide_gpu_monthly_high_usd", thresholds_.guide_gpu_monthly_high_usd});
  }
  return signal;
}

std::optional<UsageSignal> SignalFinder::MostlySimpleQueries() const {
  const double share =
      ShareOf(Count(simple_requests_), Count(requests_with_task_));
  if (share <= thresholds_.simple_query_share || simple_cloud_requests_ == 0) {
    return std::nullopt;
  }
  return UsageSignal{
      .id = "mostly_simple_queries",
      .kind = kOverpaying,
      .sentence = fmt::format(
          "most queries are simple Q&A or basic generation: {} of requests "
          "({} of {}) were general Q&A, personal assistant, customer "
          "support, first drafts or brainstorming, and {} of them went to "
          "the cloud for {}",
          Percent(share), simple_requests_, requests_with_task_,
          simple_cloud_requests_, FormatUsd(simple_cloud_usd_)),
      .figures = {{"share", share},
                  {"simple_requests", Count(simple_requests_)},
                  {"requests_with_task", Count(requests_with_task_)},
                  {"simple_cloud_requests", Count(simple_cloud_requests_)},
                  {"simple_cloud_usd", simple_cloud_usd_}}};
}

std::optional<UsageSignal> SignalFinder::OutgrownLocal() const {
  const double share = ShareOf(Count(outgrown_requests_), Count(requests_));
  if (outgrown_requests_ == 0 || share < thresholds_.outgrown_local_share) {
    return std::nullopt;
  }
  const std::pair<const char*, int64_t> reasons[] = {
      {"over the local context window", exceeds_local_context_},
      {"over the long-context threshold", long_context_},
      {"refused locally for want of context", context_refusals_},
      {"escalated to Claude", escalations_},
      {"sent to Claude with the local queue full", local_busy_},
      {"answered in the cloud after local failed", fallbacks_to_cloud_}};
  std::string reasons_text;
  for (const auto& [what, count] : reasons) {
    if (count > 0) {
      reasons_text +=
          fmt::format("{}{} {}", reasons_text.empty() ? "" : ", ", count, what);
    }
  }
  return UsageSignal{
      .id = "outgrown_local",
      .kind = kOutgrownLocal,
      .sentence = fmt::format(
          "you may have outgrown local for some work: {} of requests ({} of "
          "{}) needed more than local gave: {}",
          Percent(share), outgrown_requests_, requests_, reasons_text),
      .figures = {{"share", share},
                  {"outgrown_requests", Count(outgrown_requests_)},
                  {"requests", Count(requests_)},
                  {"exceeds_local_context", Count(exceeds_local_context_)},
                  {"long_context", Count(long_context_)},
                  {"context_refusals", Count(context_refusals_)},
                  {"escalations", Count(escalations_)},
                  {"local_busy", Count(local_busy_)},
                  {"fallbacks_to_cloud", Count(fallbacks_to_cloud_)}}};
}

}  // namespace duet
