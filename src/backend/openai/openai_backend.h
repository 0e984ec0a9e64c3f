// OpenAICompatibleBackend: any server speaking POST /v1/chat/completions
// with streaming (Ollama, llama-server, vLLM, LM Studio, hosted open-model
// providers), one per [upstreams.NAME].
//
// Requests are written with the OpenAI wire codec and always streamed with
// stream_options.include_usage, then read back chunk by chunk
// (wire::openai::StreamReader), so an Anthropic client (Claude Code, the
// Anthropic SDKs) can be answered by these models with tools, thinking,
// stop reasons and usage translated. Retries, the circuit breaker and
// error translation are upstream_call.h's.
//
// A request's logprobs / top_logprobs are forwarded, and the per-token
// logprobs the server streams back ride on the canonical text deltas, so
// an OpenAI client gets them as if it had asked the server itself (what
// they measure is the server's business: most report the model's own
// distribution). No AnswerConfidence is reported: report_confidence is
// not forwarded, since top-N lists cannot give a distribution's entropy.
//
// Thread safety: all methods are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/circuit_breaker.h"
#include "backend/upstream_call.h"
#include "core/clock.h"
#include "net/delay_queue.h"
#include "net/http_client.h"

namespace duet::openai {

class OpenAICompatibleBackend final : public Backend {
 public:
  struct Options {
    std::string name = "openai";  // the backend's name in logs and headers
    // "http://host:11434" or "http://host:11434/v1"; /v1/chat/completions
    // (or /chat/completions after a /v1) is appended.
    std::string base_url;
    std::string api_key;  // sent as a bearer token when not empty
    std::vector<std::string> models;
    int64_t context_window = 0;
    std::string user_agent = "duet";
    net::HttpTimeouts timeouts;
    int max_retries = 2;
    std::chrono::milliseconds retry_budget{20'000};
    CircuitBreaker::Options breaker;
    // A server on a private network the user controls: sensitive requests
    // may go to it. Loopback base URLs are private without saying so.
    bool private_network = false;
  };

  // `client` and `clock` must outlive the backend.
  OpenAICompatibleBackend(Options options, net::HttpClient* client,
                          const Clock* clock);

  std::string_view name() const override { return options_.name; }
  // kLocal for loopback base URLs and private_network servers.
  Locality locality() const override { return locality_; }
  // Unavailable while the circuit breaker is open.
  BackendHealth Health() const override;
  std::vector<ModelInfo> ListModels() const override;
  // An estimate: ceil(characters / 4) plus 4 per message.
  Result<int64_t> CountTokens(const ChatRequest& request) override;
  void Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                std::shared_ptr<const CancelFlag> cancel) override;

 private:
  const Options options_;
  const Locality locality_;
  CircuitBreaker breaker_;
  net::DelayQueue delays_;
  UpstreamContext upstream_;
  std::string completions_url_;
};

// The chat completions URL for a base URL as users write them.
std::string ChatCompletionsUrl(std::string base_url);

}  // namespace duet::openai
