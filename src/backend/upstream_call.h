// UpstreamCall: one request to an HTTP upstream that streams its answer
// (the Anthropic API, an OpenAI-compatible server), across its retries.
// The remote backends differ in how they write requests and read streams;
// this is what they share.
//
// The answer's bytes go through a fresh StreamDecoder per attempt and every
// event reaches the sink as soon as it is decoded, on the HTTP client's
// thread. Before the first event has been delivered, a retryable failure
// (408, 409, 429, 5xx, 529, connection errors and timeouts; the answer's
// x-should-retry: true|false overrides) is retried up to `max_retries`
// times after retry-after-ms / retry-after, or else exponential backoff
// with jitter (0.5 s x 2^n, at most 8 s, scaled by 0.75-1), never past
// `retry_budget` from the start. Then the request ends with one kError
// event: the upstream's own error (wire::StatusFromUpstreamError in
// `error_flavor`'s shape) or the connection failure, prefixed with
// `upstream_name`. After the first event, a failure ends the stream with
// kError and is not retried.
//
// Server-side failures (connection errors, timeouts, 5xx, 529) count
// against `breaker`; answers from a working server count as successes.
//
// Thread safety: Start may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "backend/backend.h"
#include "backend/circuit_breaker.h"
#include "core/clock.h"
#include "net/delay_queue.h"
#include "net/http_client.h"
#include "wire/stream_decoder.h"

namespace duet {

struct UpstreamContext {
  std::string upstream_name;  // "Claude", "ollama": prefixes errors and logs
  ApiFlavor error_flavor = ApiFlavor::kAnthropic;
  net::HttpTimeouts timeouts;
  int max_retries = 2;
  std::chrono::milliseconds retry_budget{20'000};
  // Borrowed; must outlive every call.
  net::HttpClient* client = nullptr;
  net::DelayQueue* delays = nullptr;
  const Clock* clock = nullptr;
  CircuitBreaker* breaker = nullptr;
  // Sees the head of every answer (rate-limit headers); may be empty.
  std::function<void(const net::HttpResponseHead&)> on_head;
  // Makes the decoder for one attempt.
  std::function<std::unique_ptr<wire::StreamDecoder>()> make_decoder;
};

// Sends `request` and delivers the answer to `sink` (ending with exactly
// one terminal event). `context` must outlive the call.
void StartUpstreamCall(const UpstreamContext* context, net::HttpRequest request,
                       std::shared_ptr<EventSink> sink,
                       std::shared_ptr<const CancelFlag> cancel);

}  // namespace duet
