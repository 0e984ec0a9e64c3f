// ClaudeSimulator: a faithful local stand-in for the Anthropic API
// (protocols.md §1.16), served by duet's own HTTP server as `duet sim`.
// Tests, benchmarks and the demo use it because these machines cannot reach
// the real API.
//
//   POST /v1/messages[?beta=true]          answers, streamed or not
//   POST /v1/messages/count_tokens         {"input_tokens": N}
//   GET  /v1/models, /v1/models/{id}       the catalogue, paged like the API
//   any other /v1 path                     404 not_found_error
//
// Like the API it checks credentials (x-api-key or Authorization: Bearer;
// 401 authentication_error), requires anthropic-version, validates bodies
// with duet's own Anthropic parser plus tool_use/tool_result pairing, knows
// its models (404 "model: <id>"), refuses prompts over the model's context
// window and sampling parameters a model does not take, enforces per-minute
// rate limits, and sends request-id and anthropic-ratelimit-* headers on
// every answer and request_id in every error body. Answers and token counts
// are deterministic (sim_answer.h); faults and scripted turns are chosen per
// request (sim_turn.h).
//
// Test control endpoints (not part of the API):
//   GET    /_sim/requests   every request received, oldest first:
//                           [{"method","path","query","headers":{..},"body"}]
//   DELETE /_sim/requests   forget them
//   POST   /_sim/script     queue turns (one object or an array); each
//                           /v1/messages request without a directive takes
//                           the next one
//   POST   /_sim/reset      clear requests, script and rate-limit counts
//
// Thread safety: Handle may run concurrently on all I/O threads.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/http/exchange.h"
#include "core/clock.h"
#include "model/chat.h"
#include "net/delay_queue.h"
#include "sim/rate_limits.h"
#include "sim/sim_turn.h"

namespace duet::sim {

struct SimModel {
  std::string id;
  std::string display_name;
  std::string created_at;  // RFC 3339
  int64_t context_window = 200'000;
  int64_t max_output_tokens = 64'000;
  // Newer models: temperature/top_p/top_k other than the defaults -> 400.
  bool fixed_sampling = false;
  // Newer models: thinking.type "enabled" -> 400 (adaptive only).
  bool adaptive_thinking_only = false;
};

// The models the simulator serves by default: current Claude ids and their
// aliases from protocols.md §2.
std::vector<SimModel> DefaultSimModels();

struct RecordedRequest {
  std::string method;
  std::string path;
  std::string query;
  api::http::HeaderList headers;
  std::string body;
};

class ClaudeSimulator final : public api::http::Handler {
 public:
  struct Options {
    // The key clients must send; empty accepts any non-empty key.
    std::string api_key;
    std::vector<SimModel> models = DefaultSimModels();
    RateLimits::Options rate_limits;
    // Requests kept for /_sim/requests; the oldest are dropped beyond it.
    size_t max_recorded_requests = 10'000;
  };

  // `clock` must outlive the simulator.
  ClaudeSimulator(Options options, const Clock* clock);
  ~ClaudeSimulator() override;
  ClaudeSimulator(const ClaudeSimulator&) = delete;
  ClaudeSimulator& operator=(const ClaudeSimulator&) = delete;

  void Handle(std::shared_ptr<api::http::Exchange> exchange) override;
  api::http::Response RejectedRequest(const api::http::Request& request,
                                      const Status& status) override;

  // What /_sim/requests returns, for in-process tests.
  std::vector<RecordedRequest> Recorded() const;
  void EnqueueTurns(std::vector<SimTurn> turns);

 private:
  void HandleMessages(const std::shared_ptr<api::http::Exchange>& exchange,
                      const std::string& request_id);
  void HandleCountTokens(const std::shared_ptr<api::http::Exchange>& exchange,
                         const std::string& request_id);
  api::http::Response HandleControl(const api::http::Request& request,
                                    const std::string& request_id);
  api::http::Response ListModels(const api::http::Request& request,
                                 const std::string& request_id) const;
  const SimModel* FindModel(const std::string& id) const;
  // The error response in the API's shape with the simulator's headers.
  api::http::Response ErrorResponse(const Status& status,
                                    const std::string& request_id) const;
  api::http::HeaderList CommonHeaders(const std::string& request_id) const;
  Status CheckHeaders(const api::http::Request& request) const;
  void Record(const api::http::Request& request);
  std::optional<SimTurn> NextTurn();

  const Options options_;
  const Clock* clock_;
  RateLimits rate_limits_;
  std::unique_ptr<net::DelayQueue> scheduler_;  // delays and slow streams

  mutable std::mutex mutex_;
  std::deque<RecordedRequest> recorded_;  // GUARDED_BY(mutex_)
  std::deque<SimTurn> script_;            // GUARDED_BY(mutex_)
};

}  // namespace duet::sim
