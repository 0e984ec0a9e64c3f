#include "ledger/answer_metrics.h"

#include <fmt/format.h>

#include "ledger/prometheus_text.h"

namespace duet {
namespace {

// The side label: the policy's side, else where the answer ran.
std::string_view SideOf(const LedgerEntry& entry) {
  if (!entry.side.empty()) {
    return entry.side;
  }
  if (entry.backend.empty()) {
    return "none";
  }
  return entry.local ? "local" : "cloud";
}

std::string BoundText(double seconds) { return fmt::format("{}", seconds); }

// map[key], where `key` (views) is copied into the map only when new.
template <typename Map, typename Key>
typename Map::mapped_type& Slot(Map& map, const Key& key) {
  auto it = map.find(key);
  if (it == map.end()) {
    it = map.emplace(typename Map::key_type(key), typename Map::mapped_type{}).first;
  }
  return it->second;
}

}  // namespace

void AnswerMetrics::Histogram::Add(double seconds) {
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++counts[i];
      break;
    }
  }
  ++total;
  sum += seconds;
}

void AnswerMetrics::Observe(const LedgerEntry& entry) {
  using View = std::string_view;
  const View side = SideOf(entry);
  std::lock_guard lock(mutex_);
  ++Slot(requests_, std::tuple<View, View, View, View, View>(
                        side, entry.backend, entry.model, entry.task,
                        AnswerOutcomeName(entry.outcome)));
  Totals& totals = Slot(totals_, std::tuple<View, View, View>(side, entry.backend, entry.model));
  totals.input_tokens += entry.usage.prompt_tokens();
  totals.output_tokens += entry.usage.output_tokens;
  totals.cost_usd += entry.cost_usd;
  cost_usd_ += entry.cost_usd;
  claude_haiku_usd_ += entry.claude_haiku_usd;
  claude_sonnet_usd_ += entry.claude_sonnet_usd;
  claude_opus_usd_ += entry.claude_opus_usd;
  Slot(latency_, side).Add(static_cast<double>(entry.latency_ms) / 1000);
  if (entry.ttft_ms >= 0) {
    Slot(ttft_, side).Add(static_cast<double>(entry.ttft_ms) / 1000);
  }
}

void AnswerMetrics::ObserveFeedback(double score) {
  std::lock_guard lock(mutex_);
  ++(score >= 0.5 ? feedback_up_ : feedback_down_);
}

void AnswerMetrics::ObserveShadow(const ShadowEntry& shadow) {
  std::lock_guard lock(mutex_);
  ++shadow_[{shadow.task, shadow.verdict}];
  shadow_cost_usd_ += shadow.cost_usd;
}

void AnswerMetrics::Render(std::string* out) const {
  std::lock_guard lock(mutex_);
  AppendMetricHeader(out, "duet_requests_total",
                     "Requests, by side, backend, model, task kind and outcome.", "counter");
  for (const auto& [key, count] : requests_) {
    const auto& [side, backend, model, task, outcome] = key;
    AppendSample(out, "duet_requests_total",
                 {{"side", side}, {"backend", backend}, {"model", model}, {"task", task},
                  {"outcome", outcome}},
                 static_cast<double>(count));
  }
  const auto per_model = [&](std::string_view name, std::string_view help, auto value) {
    AppendMetricHeader(out, name, help, "counter");
    for (const auto& [key, totals] : totals_) {
      const auto& [side, backend, model] = key;
      AppendSample(out, name, {{"side", side}, {"backend", backend}, {"model", model}},
                   value(totals));
    }
  };
  per_model("duet_input_tokens_total", "Prompt tokens (cached ones included).",
            [](const Totals& t) { return static_cast<double>(t.input_tokens); });
  per_model("duet_output_tokens_total", "Output tokens.",
            [](const Totals& t) { return static_cast<double>(t.output_tokens); });
  per_model("duet_cost_usd_total",
            "What answers cost (cloud list prices, local electricity), USD.",
            [](const Totals& t) { return t.cost_usd; });

  const std::pair<std::string_view, double> tiers[] = {
      {"haiku", claude_haiku_usd_}, {"sonnet", claude_sonnet_usd_}, {"opus", claude_opus_usd_}};
  AppendMetricHeader(out, "duet_claude_equivalent_usd_total",
                     "What the same tokens would have cost on each Claude tier, USD.",
                     "counter");
  for (const auto& [tier, usd] : tiers) {
    AppendSample(out, "duet_claude_equivalent_usd_total", {{"tier", tier}}, usd);
  }
  AppendMetricHeader(out, "duet_savings_usd",
                     "Claude-tier equivalent minus actual cost, USD (negative: duet cost more).",
                     "gauge");
  for (const auto& [tier, usd] : tiers) {
    AppendSample(out, "duet_savings_usd", {{"tier", tier}}, usd - cost_usd_);
  }

  const auto histograms = [&](std::string_view name, std::string_view help,
                              const std::map<std::string, Histogram, std::less<>>& by_side) {
    AppendMetricHeader(out, name, help, "histogram");
    const std::string bucket = std::string(name) + "_bucket";
    for (const auto& [side, histogram] : by_side) {
      int64_t cumulative = 0;
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += histogram.counts[i];
        const std::string le = BoundText(kBuckets[i]);
        AppendSample(out, bucket, {{"side", side}, {"le", le}},
                     static_cast<double>(cumulative));
      }
      AppendSample(out, bucket, {{"side", side}, {"le", "+Inf"}},
                   static_cast<double>(histogram.total));
      AppendSample(out, std::string(name) + "_sum", {{"side", side}}, histogram.sum);
      AppendSample(out, std::string(name) + "_count", {{"side", side}},
                   static_cast<double>(histogram.total));
    }
  };
  AppendMetricHeader(out, "duet_feedback_total",
                     "Client feedback on answers (POST /v1/duet/feedback).", "counter");
  AppendSample(out, "duet_feedback_total", {{"verdict", "up"}},
               static_cast<double>(feedback_up_));
  AppendSample(out, "duet_feedback_total", {{"verdict", "down"}},
               static_cast<double>(feedback_down_));
  AppendMetricHeader(out, "duet_shadow_evaluations_total",
                     "Shadow evaluations ([policy.shadow]), by task kind and the judge's "
                     "verdict.",
                     "counter");
  for (const auto& [key, count] : shadow_) {
    AppendSample(out, "duet_shadow_evaluations_total",
                 {{"task", key.first}, {"verdict", key.second}}, static_cast<double>(count));
  }
  AppendMetricHeader(out, "duet_shadow_cost_usd_total",
                     "What shadow evaluations cost at Claude's list prices.", "counter");
  AppendSample(out, "duet_shadow_cost_usd_total", {}, shadow_cost_usd_);

  histograms("duet_request_duration_seconds", "From arrival to the answer's last byte.",
             latency_);
  histograms("duet_time_to_first_token_seconds", "From arrival to the first output.", ttft_);
}

}  // namespace duet
