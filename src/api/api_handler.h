// ApiHandler: duet's HTTP endpoints.
//
//   POST /v1/messages               Anthropic Messages (streaming or not)
//   POST /v1/messages/count_tokens  Anthropic token counting
//   POST /v1/chat/completions       OpenAI Chat Completions (streaming or not)
//   GET  /v1/models, /v1/models/ID  model list, in a shape both SDKs accept
//   GET  /health                    {"status":"ok"}
//   GET  /metrics                   Prometheus text (when a provider is set)
//   POST /v1/duet/feedback          a client's verdict on an answer (with a
//                                   recorder; wire/feedback_request.h)
//
// Each request is parsed at this edge into the canonical ChatRequest and
// handed to one Backend (the Router); answers come back through ChatBridge.
// Every error answers in the API's own shape: paths under /v1/messages and
// requests carrying anthropic-version or x-api-key get Anthropic errors,
// everything else OpenAI errors.
//
// Thread safety: Handle may run concurrently on all I/O threads.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/answer_tracker.h"
#include "api/http/exchange.h"
#include "backend/backend.h"
#include "core/clock.h"

namespace duet::api {

class ApiHandler final : public http::Handler {
 public:
  struct Options {
    // Every chat request (answered, refused or malformed) is handed to
    // this recorder; null records nothing.
    AnswerRecorder* recorder = nullptr;
    // Shares local busy time between concurrent local answers; may be null.
    LocalBusyMeter* busy_meter = nullptr;
    // Keep the request body and the answer's text (ledger.store_content);
    // the recorder drops them for sensitive requests.
    bool store_content = false;
    // The body of GET /metrics; empty: no such endpoint.
    std::function<std::string()> metrics_text;
  };

  // `backend`, `clock` and the options' pointers must outlive the handler.
  ApiHandler(Backend* backend, const Clock* clock, Options options);
  ApiHandler(Backend* backend, const Clock* clock)
      : ApiHandler(backend, clock, Options()) {}

  void Handle(std::shared_ptr<http::Exchange> exchange) override;
  http::Response RejectedRequest(const http::Request& request,
                                 const Status& status) override;

  // Which error shape a request should get (see the file comment).
  static ApiFlavor FlavorFor(const http::Request& request);

 private:
  void HandleMessages(const std::shared_ptr<http::Exchange>& exchange,
                      const std::string& request_id);
  void HandleFeedback(const std::shared_ptr<http::Exchange>& exchange, ApiFlavor flavor,
                      const std::string& request_id);
  void HandleCountTokens(const std::shared_ptr<http::Exchange>& exchange,
                         const std::string& request_id);
  void HandleChatCompletions(const std::shared_ptr<http::Exchange>& exchange,
                             const std::string& request_id);
  // The recording for a chat request that just arrived; nullopt without a
  // recorder.
  std::optional<AnswerRecording> StartRecording(
      const std::shared_ptr<http::Exchange>& exchange, const std::string& request_id,
      const std::string& client_key, ApiFlavor api,
      std::chrono::steady_clock::time_point arrived) const;
  // Records a request refused before it reached the router.
  void RecordRefusal(std::optional<AnswerRecording> recording, const Status& status) const;
  http::Response ListModels(const std::string& request_id) const;
  http::Response GetModel(const std::string& id, ApiFlavor flavor,
                          const std::string& request_id) const;

  Backend* backend_;
  const Clock* clock_;
  Options options_;
};

}  // namespace duet::api
