#include "api/chat_bridge.h"

#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "wire/error_response.h"

namespace duet::api {

http::HeaderList RequestIdHeaders(const std::string& request_id) {
  return {{"request-id", request_id}, {"x-request-id", request_id}};
}

http::Response ErrorResponse(const Status& status, ApiFlavor api,
                             const std::string& request_id) {
  http::Response response;
  response.status = wire::HttpStatusFor(status.code(), api);
  response.headers = RequestIdHeaders(request_id);
  response.body = wire::ErrorBody(status, api, request_id);
  if (status.code() == ErrorCode::kResourceExhausted ||
      status.code() == ErrorCode::kUnavailable) {
    // Tell SDK clients that retrying is the right move.
    response.headers.emplace_back("x-should-retry", "true");
  }
  return response;
}

ChatBridge::ChatBridge(std::shared_ptr<http::Exchange> exchange,
                       std::unique_ptr<AnswerRenderer> renderer, bool stream,
                       std::string request_id,
                       std::optional<AnswerRecording>&& recording)
    : exchange_(std::move(exchange)),
      renderer_(std::move(renderer)),
      stream_(stream),
      request_id_(std::move(request_id)) {
  if (recording) {
    tracker_.emplace(std::move(*recording));
  }
}

namespace {

// Header values must stay one line of printable ASCII whatever an upstream
// put in its error message.
std::string HeaderSafe(std::string_view text) {
  std::string out(text.substr(0, 300));
  for (char& c : out) {
    if (c < 0x20 || c >= 0x7f) {
      c = ' ';
    }
  }
  return out;
}

}  // namespace

http::Response ChatBridge::Head(int status, std::string content_type) const {
  http::Response head;
  head.status = status;
  head.content_type = std::move(content_type);
  // Room for the request ids and every route header: the list never regrows.
  head.headers.reserve(16);
  head.headers.emplace_back("request-id", request_id_);
  head.headers.emplace_back("x-request-id", request_id_);
  AddRouteHeaders(&head.headers);
  return head;
}

void ChatBridge::AddRouteHeaders(http::HeaderList* headers) const {
  if (!route_.backend.empty()) {
    headers->emplace_back("x-duet-backend", HeaderSafe(route_.backend));
  }
  if (!route_.fallback_reason.empty()) {
    headers->emplace_back("x-duet-fallback", HeaderSafe(route_.fallback_reason));
  }
  if (!route_.side.empty()) {
    headers->emplace_back("x-duet-side", route_.side);
    headers->emplace_back("x-duet-task", HeaderSafe(route_.task));
    headers->emplace_back("x-duet-rule", HeaderSafe(route_.rule));
    headers->emplace_back("x-duet-sensitive", route_.sensitive ? "yes" : "no");
    headers->emplace_back("x-duet-reason", HeaderSafe(route_.explanation));
  }
  if (!route_.workflow.empty()) {
    headers->emplace_back("x-duet-workflow", HeaderSafe(route_.workflow));
  }
  if (!route_.escalation.empty()) {
    headers->emplace_back("x-duet-escalation", HeaderSafe(route_.escalation));
  }
  if (!route_.escalation_reason.empty()) {
    headers->emplace_back("x-duet-escalation-reason", HeaderSafe(route_.escalation_reason));
  }
  if (!route_.local_attempt_model.empty()) {
    // The local step of an escalation or a polish: who drafted, how much.
    headers->emplace_back(
        "x-duet-local-attempt",
        HeaderSafe(fmt::format("{}; {} output tokens; {:.2f} s", route_.local_attempt_model,
                               route_.local_attempt_usage.output_tokens,
                               route_.local_attempt_seconds)));
  }
  if (!route_.review.empty()) {
    headers->emplace_back("x-duet-review", HeaderSafe(route_.review));
  }
  if (!route_.review_note.empty()) {
    headers->emplace_back("x-duet-review-note", HeaderSafe(route_.review_note));
  }
}

void ChatBridge::SendError(const Status& status) {
  finished_ = true;
  spdlog::debug("{} answered with an error: {}", request_id_, status.ToString());
  if (tracker_) {
    tracker_->Fail(status);
  }
  http::Response response = ErrorResponse(status, renderer_->flavor(), request_id_);
  AddRouteHeaders(&response.headers);
  exchange_->Respond(std::move(response));
}

void ChatBridge::Restart() {
  accumulator_ = ResponseAccumulator();
  route_ = RouteNote();
  if (tracker_) {
    tracker_->Restart();
  }
}

void ChatBridge::OnEvent(ChatEvent&& event) {
  if (finished_) {
    return;
  }
  if (event.kind == ChatEvent::Kind::kError &&
      event.error.code() == ErrorCode::kCancelled &&
      exchange_->shutting_down()) {
    // The client is still there; tell it why its answer stops.
    event.error = Unavailable("duet is shutting down; retry the request");
  }
  if (event.kind == ChatEvent::Kind::kMessageStart ||
      (event.kind == ChatEvent::Kind::kError && route_.backend.empty() &&
       route_.side.empty())) {
    route_ = event.route();
  }
  if (tracker_) {
    tracker_->Observe(event);
  }
  if (!stream_) {
    Status status = accumulator_.Add(event);
    if (!status.ok()) {
      SendError(status);
      return;
    }
    if (accumulator_.complete()) {
      finished_ = true;
      http::Response response = Head(200, "application/json");
      response.body = renderer_->RenderResponse(accumulator_.response());
      exchange_->Respond(std::move(response));
    }
    return;
  }
  if (!started_) {
    if (event.kind == ChatEvent::Kind::kError) {
      SendError(event.error);
      return;
    }
    started_ = true;
    exchange_->BeginStream(Head(200, "text/event-stream; charset=utf-8"));
  }
  scratch_.clear();
  renderer_->AppendStreamEvent(event, &scratch_);
  if (!scratch_.empty()) {
    exchange_->Stream(scratch_);
  }
  if (event.terminal()) {
    finished_ = true;
    exchange_->EndStream();
  }
}

}  // namespace duet::api
