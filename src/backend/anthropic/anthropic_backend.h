// AnthropicBackend: Claude through the Anthropic Messages API.
//
// A request for a model in the catalogue is shaped for that model
// (request_shaping.h), written with the wire codec, and sent with streaming
// on; the SSE answer is read back event by event (StreamReader) and each
// event goes to the sink as soon as its bytes arrive, with the upstream's
// own ids and usage. Whether the client asked to stream is the api layer's
// business (it folds the events for non-streaming clients).
//
// Failures:
//   - before any event reached the sink, 408/409/429/5xx/529 answers and
//     connection errors are retried up to `max_retries` times, waiting what
//     retry-after-ms / retry-after ask for, else exponential backoff with
//     jitter (0.5 s x 2^n, at most 8 s, scaled by 0.75-1), never past
//     `retry_budget` from the start; x-should-retry: true|false overrides;
//   - then the request ends with one kError event carrying the upstream's
//     error (StatusFromUpstreamError) or the connection failure, so the
//     router can fall back and the api layer can answer in the client's
//     API shape;
//   - after the first event, a failure ends the stream with kError (the api
//     layer turns it into the API's in-stream error event);
//   - server-side failures (connection errors, 5xx, 529, timeouts) count
//     against a circuit breaker; while it is open, requests fail at once
//     with kUnavailable and no network traffic.
//
// The API key goes only into the x-api-key header: never into a log line,
// an error message or an event.
//
// Thread safety: all methods are thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "backend/anthropic/rate_limit_state.h"
#include "backend/backend.h"
#include "backend/circuit_breaker.h"
#include "core/clock.h"
#include "model/claude_catalog.h"
#include "net/delay_queue.h"
#include "net/http_client.h"

namespace duet::anthropic {

class AnthropicBackend final : public Backend {
 public:
  struct Options {
    std::string base_url = "https://api.anthropic.com";
    std::string api_key;
    std::string version = "2023-06-01";
    std::string user_agent = "duet";
    ClaudeCatalog catalog = ClaudeCatalog::BuiltIn();
    net::HttpTimeouts timeouts;
    int max_retries = 2;
    std::chrono::milliseconds retry_budget{20'000};
    CircuitBreaker::Options breaker;
  };

  // `client` and `clock` must outlive the backend.
  AnthropicBackend(Options options, net::HttpClient* client, const Clock* clock);
  ~AnthropicBackend() override;

  std::string_view name() const override { return "anthropic"; }
  std::vector<ModelInfo> ListModels() const override;
  bool Serves(std::string_view model) const override {
    return options_.catalog.Find(model) != nullptr;
  }
  // An estimate: ceil(characters / 3.5) plus 4 per message, plus tool
  // definitions; the API's own count can differ slightly.
  Result<int64_t> CountTokens(const ChatRequest& request) override;
  void Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                std::shared_ptr<const CancelFlag> cancel) override;

  RateLimitSnapshot RateLimits() const { return rate_limits_.Snapshot(); }
  CircuitBreaker::State BreakerState() const { return breaker_.state(); }

  class Call;  // one request, across its retries

 private:
  friend class Call;

  const Options options_;
  net::HttpClient* client_;
  const Clock* clock_;
  RateLimitState rate_limits_;
  CircuitBreaker breaker_;
  net::DelayQueue delays_;  // retry backoff
};

}  // namespace duet::anthropic
