// AnswerMetrics: running totals of every recorded answer, for GET /metrics.
//
// Observe() is called with each priced LedgerEntry (by LedgerRecorder);
// Render() writes Prometheus text: requests by side, backend, model, task
// and outcome; tokens and cost by side, backend and model; what the same
// tokens would have cost on each Claude tier and the savings against it;
// latency and time-to-first-token histograms by side. Gauges that belong to
// other parts (queue depth, budget, the ledger writer) are appended by the
// caller with prometheus_text.h.
//
// Thread safety: all methods are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "ledger/ledger_entry.h"

namespace duet {

class AnswerMetrics {
 public:
  void Observe(const LedgerEntry& entry);
  // Feedback with `score` in [0, 1]: 0.5 and above counts as "up".
  void ObserveFeedback(double score);
  void ObserveShadow(const ShadowEntry& shadow);
  void Render(std::string* out) const;

 private:
  // Upper bounds in seconds; the last bucket is +Inf.
  static constexpr std::array<double, 12> kBuckets = {0.05, 0.1, 0.25, 0.5, 1,  2.5,
                                                      5,    10,  30,   60,  120, 300};
  struct Histogram {
    std::array<int64_t, kBuckets.size()> counts{};  // cumulative when rendered
    int64_t total = 0;
    double sum = 0;
    void Add(double seconds);
  };
  struct Totals {
    int64_t input_tokens = 0;  // the whole prompt, cached parts included
    int64_t output_tokens = 0;
    double cost_usd = 0;
  };
  using RequestKey = std::tuple<std::string, std::string, std::string, std::string,
                                std::string>;  // side, backend, model, task, outcome
  using ModelKey = std::tuple<std::string, std::string, std::string>;  // side, backend, model

  // Transparent comparisons (std::less<>): Observe looks a request up by
  // views of its entry's fields and copies them into a key only for a
  // combination not seen before.
  mutable std::mutex mutex_;
  std::map<RequestKey, int64_t, std::less<>> requests_;
  std::map<ModelKey, Totals, std::less<>> totals_;
  double cost_usd_ = 0;
  double claude_haiku_usd_ = 0;
  double claude_sonnet_usd_ = 0;
  double claude_opus_usd_ = 0;
  std::map<std::string, Histogram, std::less<>> latency_;  // by side
  std::map<std::string, Histogram, std::less<>> ttft_;     // by side
  int64_t feedback_up_ = 0;
  int64_t feedback_down_ = 0;
  std::map<std::pair<std::string, std::string>, int64_t> shadow_;  // task, verdict
  double shadow_cost_usd_ = 0;
};

}  // namespace duet
