// ApiHandler: duet's HTTP endpoints.
//
//   POST /v1/messages               Anthropic Messages (streaming or not)
//   POST /v1/messages/count_tokens  Anthropic token counting
//   POST /v1/chat/completions       OpenAI Chat Completions (streaming or not)
//   GET  /v1/models, /v1/models/ID  model list, in a shape both SDKs accept
//   GET  /health                    {"status":"ok"}
//
// Each request is parsed at this edge into the canonical ChatRequest and
// handed to one Backend (the Router); answers come back through ChatBridge.
// Every error answers in the API's own shape: paths under /v1/messages and
// requests carrying anthropic-version or x-api-key get Anthropic errors,
// everything else OpenAI errors.
//
// Thread safety: Handle may run concurrently on all I/O threads.
#pragma once

#include <memory>

#include "api/http/exchange.h"
#include "backend/backend.h"
#include "core/clock.h"

namespace duet::api {

class ApiHandler final : public http::Handler {
 public:
  // `backend` and `clock` must outlive the handler.
  ApiHandler(Backend* backend, const Clock* clock);

  void Handle(std::shared_ptr<http::Exchange> exchange) override;
  http::Response RejectedRequest(const http::Request& request,
                                 const Status& status) override;

  // Which error shape a request should get (see the file comment).
  static ApiFlavor FlavorFor(const http::Request& request);

 private:
  void HandleMessages(const std::shared_ptr<http::Exchange>& exchange,
                      const std::string& request_id);
  void HandleCountTokens(const std::shared_ptr<http::Exchange>& exchange,
                         const std::string& request_id);
  void HandleChatCompletions(const std::shared_ptr<http::Exchange>& exchange,
                             const std::string& request_id);
  http::Response ListModels(const std::string& request_id) const;
  http::Response GetModel(const std::string& id, ApiFlavor flavor,
                          const std::string& request_id) const;

  Backend* backend_;
  const Clock* clock_;
};

}  // namespace duet::api
