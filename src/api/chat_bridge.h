// ChatBridge: connects a backend's event stream to one HTTP exchange.
//
// It is the EventSink the backend writes to. Streaming requests: the HTTP
// status is decided by the first event — an error before any output becomes
// a proper HTTP error response; otherwise a 200 SSE stream starts and every
// event is rendered and flushed as it arrives, and a later error becomes the
// API's in-stream error event. Non-streaming requests: events are folded by
// a ResponseAccumulator and the whole answer is sent at the end.
//
// Thread safety: OnEvent follows the EventSink contract (one event at a time,
// from any thread).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "api/answer_renderer.h"
#include "api/answer_tracker.h"
#include "api/http/exchange.h"
#include "backend/backend.h"
#include "model/accumulator.h"

namespace duet::api {

class ChatBridge final : public EventSink {
 public:
  // With `recording`, the finished request is handed to its recorder
  // (see AnswerTracker). Taken by reference to an rvalue, like the ledger
  // entry all the way to the writer's queue: a LedgerEntry is some 40
  // fields, and each move of one showed per request.
  ChatBridge(std::shared_ptr<http::Exchange> exchange,
             std::unique_ptr<AnswerRenderer> renderer, bool stream,
             std::string request_id,
             std::optional<AnswerRecording>&& recording = std::nullopt);

  void OnEvent(ChatEvent&& event) override;
  // True until the client is sent anything: for a non-streamed answer,
  // until the answer is complete.
  bool CanRestart() const override { return !started_ && !finished_; }
  void Restart() override;

 private:
  void SendError(const Status& status);
  http::Response Head(int status, std::string content_type) const;
  void AddRouteHeaders(http::HeaderList* headers) const;

  std::shared_ptr<http::Exchange> exchange_;
  std::unique_ptr<AnswerRenderer> renderer_;
  bool stream_;
  std::string request_id_;
  bool started_ = false;   // the SSE head was sent
  bool finished_ = false;  // the response is complete
  RouteNote route_;  // from kMessageStart (or a refusal), sent as x-duet-* headers
  ResponseAccumulator accumulator_;
  std::string scratch_;  // reused render buffer
  std::optional<AnswerTracker> tracker_;
};

// Response headers every API response carries: request-id (Anthropic) and
// x-request-id (OpenAI), both set to `request_id`.
http::HeaderList RequestIdHeaders(const std::string& request_id);

// A complete JSON error response in `api`'s shape.
http::Response ErrorResponse(const Status& status, ApiFlavor api,
                             const std::string& request_id);

}  // namespace duet::api
