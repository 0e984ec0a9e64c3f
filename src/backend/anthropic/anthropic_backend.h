// AnthropicBackend: Claude through the Anthropic Messages API.
//
// A request for a model in the catalogue is shaped for that model
// (request_shaping.h), written with the wire codec, and sent with streaming
// on; the SSE answer is read back event by event (StreamReader) and each
// event goes to the sink as soon as its bytes arrive, with the upstream's
// own ids and usage. Whether the client asked to stream is the api layer's
// business (it folds the events for non-streaming clients). A model the
// catalogue marks retired is refused with kNotFound before anything is
// sent, and is not listed.
//
// Failures, retries and the circuit breaker work as upstream_call.h
// describes: a failure before the first event becomes one kError event
// with the upstream's error, so the router can fall back and the api layer
// can answer in the client's API shape. While the breaker is open, requests
// fail at once with kUnavailable and no network traffic. After a 429 or 529
// whose retry-after has not yet passed, requests fail at once with
// kResourceExhausted, so the router falls back instead of sending a request
// Claude has already said it will refuse.
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
#include "backend/upstream_call.h"
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
  // The catalogue's models that are not retired.
  std::vector<ModelInfo> ListModels() const override;
  // True for every catalogue model, retired ones too: a request for a
  // retired model reaches this backend, which explains the refusal
  // ("model: <name>: retired; duet does not send requests to it").
  bool Serves(std::string_view model) const override {
    return options_.catalog.Find(model) != nullptr;
  }
  // An estimate: ceil(characters / 3.5) plus 4 per message, plus tool
  // definitions; the API's own count can differ slightly.
  Result<int64_t> CountTokens(const ChatRequest& request) override;
  void Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                std::shared_ptr<const CancelFlag> cancel) override;

  // Unavailable while the breaker is open or a retry-after is pending;
  // tokens_remaining from the latest anthropic-ratelimit-* headers.
  BackendHealth Health() const override;

  RateLimitSnapshot RateLimits() const { return rate_limits_.Snapshot(); }
  CircuitBreaker::State BreakerState() const { return breaker_.state(); }

 private:
  const Options options_;
  const Clock* clock_;
  RateLimitState rate_limits_;
  CircuitBreaker breaker_;
  net::DelayQueue delays_;  // retry backoff
  UpstreamContext upstream_;
  std::string messages_url_;
};

}  // namespace duet::anthropic
