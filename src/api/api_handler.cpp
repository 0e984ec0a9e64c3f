#include "api/api_handler.h"

#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "api/chat_bridge.h"
#include "api/client_key.h"
#include "core/ids.h"
#include "core/json_writer.h"
#include "wire/anthropic/messages_request.h"
#include "wire/feedback_request.h"
#include "wire/openai/chat_request.h"

namespace duet::api {
namespace {

constexpr std::string_view kMessagesPath = "/v1/messages";
constexpr std::string_view kCountTokensPath = "/v1/messages/count_tokens";
constexpr std::string_view kChatCompletionsPath = "/v1/chat/completions";
constexpr std::string_view kModelsPath = "/v1/models";
constexpr std::string_view kHealthPath = "/health";
constexpr std::string_view kMetricsPath = "/metrics";
constexpr std::string_view kFeedbackPath = "/v1/duet/feedback";

std::string_view TrimTrailingSlash(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') {
    path.remove_suffix(1);
  }
  return path;
}

// Routing wishes a client states in headers:
//   x-duet-fallback: never   answer from the chosen backend or fail; no
//                            fallback to a local model
//   x-duet-route: local|cloud|auto
//                            force a side (sensitive data still stays local)
//   x-duet-workflow: polish  a local draft, improved by Claude
// and who the client is (`client_key`: ClientKeyIdOf the request, an id of
// its API key, never the key), and the request's id. kInvalidArgument for
// a value duet does not know.
Status ApplyRouteHeaders(const http::Request& request, const std::string& request_id,
                         std::string client_key, ChatRequest* chat) {
  chat->route_hints.request_id = request_id;
  const std::string_view fallback = request.Header("x-duet-fallback");
  if (fallback == "never" || fallback == "off" || fallback == "false") {
    chat->route_hints.allow_fallback = false;
  }
  const std::string_view side = request.Header("x-duet-route");
  if (side == "local" || side == "cloud") {
    chat->route_hints.forced_side = std::string(side);
  } else if (!side.empty() && side != "auto") {
    return InvalidArgument("x-duet-route: expected local, cloud or auto");
  }
  chat->route_hints.client_key = std::move(client_key);
  const std::string_view workflow = request.Header("x-duet-workflow");
  if (workflow == "polish") {
    chat->route_hints.workflow = "polish";
  } else if (!workflow.empty()) {
    return InvalidArgument("x-duet-workflow: expected polish");
  }
  return Status::Ok();
}

std::vector<std::string> SplitBetas(std::string_view header) {
  std::vector<std::string> betas;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    while (!item.empty() && item.front() == ' ') {
      item.remove_prefix(1);
    }
    while (!item.empty() && item.back() == ' ') {
      item.remove_suffix(1);
    }
    if (!item.empty()) {
      betas.emplace_back(item);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    header.remove_prefix(comma + 1);
  }
  return betas;
}

http::Response JsonResponse(std::string body, const std::string& request_id) {
  http::Response response;
  response.headers = RequestIdHeaders(request_id);
  response.body = std::move(body);
  return response;
}

// One model object carrying both SDKs' fields: OpenAI reads id, object,
// created, owned_by; Anthropic reads type, id, display_name, created_at.
void WriteModel(JsonWriter& w, const ModelInfo& model) {
  w.BeginObject();
  w.Field("id", model.id);
  w.Field("object", "model");
  w.Field("type", "model");
  w.Field("created", model.created_unix);
  w.Field("owned_by", model.owned_by);
  w.Field("display_name",
          model.display_name.empty() ? model.id : model.display_name);
  const std::time_t created = static_cast<std::time_t>(model.created_unix);
  char timestamp[32];
  std::tm utc{};
  gmtime_r(&created, &utc);
  std::strftime(timestamp, sizeof(timestamp), "%Y-%m-%dT%H:%M:%SZ", &utc);
  w.Field("created_at", timestamp);
  if (model.context_window > 0) {
    w.Field("max_input_tokens", model.context_window);
  }
  if (model.max_output_tokens > 0) {
    w.Field("max_tokens", model.max_output_tokens);
  }
  w.EndObject();
}

}  // namespace

ApiHandler::ApiHandler(Backend* backend, const Clock* clock, Options options)
    : backend_(backend), clock_(clock), options_(std::move(options)) {}

std::optional<AnswerRecording> ApiHandler::StartRecording(
    const std::shared_ptr<http::Exchange>& exchange, const std::string& request_id,
    const std::string& client_key, ApiFlavor api,
    std::chrono::steady_clock::time_point arrived) const {
  if (options_.recorder == nullptr) {
    return std::nullopt;
  }
  std::optional<AnswerRecording> started;  // made in place: returned unmoved
  AnswerRecording& recording = started.emplace();
  recording.recorder = options_.recorder;
  recording.busy_meter = options_.busy_meter;
  recording.clock = clock_;
  recording.arrived = arrived;
  recording.capture_answer = options_.store_content;
  LedgerEntry& entry = recording.entry;
  entry.request_id = request_id;
  entry.started_at_ms = clock_->NowUnixMillis();
  entry.client_key = client_key;
  entry.api = api == ApiFlavor::kAnthropic ? "anthropic" : "openai";
  if (options_.store_content) {
    entry.prompt = exchange->request().body;
  }
  return started;
}

void ApiHandler::RecordRefusal(std::optional<AnswerRecording> recording,
                               const Status& status) const {
  if (recording) {
    AnswerTracker(std::move(*recording)).Fail(status);
  }
}

ApiFlavor ApiHandler::FlavorFor(const http::Request& request) {
  const std::string_view path = request.path;
  if (path.substr(0, kMessagesPath.size()) == kMessagesPath) {
    return ApiFlavor::kAnthropic;
  }
  if (path.substr(0, kChatCompletionsPath.size()) == kChatCompletionsPath) {
    return ApiFlavor::kOpenAI;
  }
  if (!request.Header("anthropic-version").empty() ||
      !request.Header("x-api-key").empty()) {
    return ApiFlavor::kAnthropic;
  }
  return ApiFlavor::kOpenAI;
}

http::Response ApiHandler::RejectedRequest(const http::Request& request,
                                           const Status& status) {
  return ErrorResponse(status, FlavorFor(request), NewId("req_"));
}

void ApiHandler::Handle(std::shared_ptr<http::Exchange> exchange) {
  const http::Request& request = exchange->request();
  const std::string request_id = NewId("req_");
  const std::string_view path = TrimTrailingSlash(request.path);
  const ApiFlavor flavor = FlavorFor(request);

  const auto require_method = [&](std::string_view method) {
    if (request.method == method) {
      return true;
    }
    http::Response response = ErrorResponse(
        InvalidArgument("method " + request.method + " is not allowed on " +
                        std::string(path) + "; use " + std::string(method)),
        flavor, request_id);
    response.status = 405;
    response.headers.emplace_back("Allow", std::string(method));
    exchange->Respond(std::move(response));
    return false;
  };

  if (path == kMessagesPath) {
    if (require_method("POST")) {
      HandleMessages(exchange, request_id);
    }
  } else if (path == kCountTokensPath) {
    if (require_method("POST")) {
      HandleCountTokens(exchange, request_id);
    }
  } else if (path == kChatCompletionsPath) {
    if (require_method("POST")) {
      HandleChatCompletions(exchange, request_id);
    }
  } else if (path == kModelsPath) {
    if (require_method("GET")) {
      exchange->Respond(ListModels(request_id));
    }
  } else if (path.substr(0, kModelsPath.size() + 1) ==
             std::string(kModelsPath) + "/") {
    if (require_method("GET")) {
      exchange->Respond(GetModel(
          std::string(path.substr(kModelsPath.size() + 1)), flavor, request_id));
    }
  } else if (path == kFeedbackPath && options_.recorder != nullptr) {
    if (require_method("POST")) {
      HandleFeedback(exchange, flavor, request_id);
    }
  } else if (path == kMetricsPath && options_.metrics_text) {
    if (require_method("GET")) {
      http::Response response;
      response.headers = RequestIdHeaders(request_id);
      response.content_type = "text/plain; version=0.0.4; charset=utf-8";
      response.body = options_.metrics_text();
      exchange->Respond(std::move(response));
    }
  } else if (path == kHealthPath) {
    if (require_method("GET")) {
      exchange->Respond(JsonResponse(R"({"status":"ok"})", request_id));
    }
  } else {
    exchange->Respond(ErrorResponse(
        NotFound("no endpoint " + request.method + " " + request.path),
        flavor, request_id));
  }
}

void ApiHandler::HandleFeedback(const std::shared_ptr<http::Exchange>& exchange,
                                ApiFlavor flavor, const std::string& request_id) {
  Result<wire::FeedbackRequest> parsed =
      wire::ParseFeedbackRequest(exchange->request().body);
  if (!parsed) {
    exchange->Respond(ErrorResponse(parsed.error(), flavor, request_id));
    return;
  }
  options_.recorder->RecordFeedback(FeedbackEntry{
      .request_id = parsed->request_id,
      .at_ms = clock_->NowUnixMillis(),
      .client_key = ClientKeyIdOf(exchange->request()),
      .score = parsed->score,
      .comment = std::move(parsed->comment)});
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Field("request_id", parsed->request_id);
  w.Key("score");
  w.Double(parsed->score);
  w.Field("recorded", true);
  w.EndObject();
  exchange->Respond(JsonResponse(std::move(body), request_id));
}

void ApiHandler::HandleMessages(const std::shared_ptr<http::Exchange>& exchange,
                                const std::string& request_id) {
  const std::chrono::steady_clock::time_point arrived = clock_->SteadyNow();
  std::string client_key = ClientKeyIdOf(exchange->request());  // hashed once
  std::optional<AnswerRecording> recording =
      StartRecording(exchange, request_id, client_key, ApiFlavor::kAnthropic, arrived);
  Result<ChatRequest> parsed =
      wire::anthropic::ParseMessagesRequest(exchange->request().body);
  if (!parsed) {
    spdlog::debug("{} refused: {}", request_id, parsed.error().ToString());
    RecordRefusal(std::move(recording), parsed.error());
    exchange->Respond(
        ErrorResponse(parsed.error(), ApiFlavor::kAnthropic, request_id));
    return;
  }
  ChatRequest& chat = *parsed;
  chat.anthropic_betas =
      SplitBetas(exchange->request().Header("anthropic-beta"));
  if (Status headers = ApplyRouteHeaders(exchange->request(), request_id,
                                         std::move(client_key), &chat);
      !headers.ok()) {
    RecordRefusal(std::move(recording), headers);
    exchange->Respond(ErrorResponse(headers, ApiFlavor::kAnthropic, request_id));
    return;
  }
  if (recording) {
    recording->entry.requested_model = chat.model;
    recording->entry.stream = chat.stream;
  }
  auto bridge = std::make_shared<ChatBridge>(exchange, MakeAnthropicRenderer(),
                                             chat.stream, request_id, std::move(recording));
  backend_->Generate(std::move(chat), std::move(bridge),
                     exchange->cancel_flag());
}

void ApiHandler::HandleCountTokens(
    const std::shared_ptr<http::Exchange>& exchange,
    const std::string& request_id) {
  Result<ChatRequest> parsed = wire::anthropic::ParseMessagesRequest(
      exchange->request().body, {.require_max_tokens = false});
  Result<int64_t> tokens =
      parsed ? backend_->CountTokens(*parsed) : Error(parsed.error());
  if (!tokens) {
    exchange->Respond(
        ErrorResponse(tokens.error(), ApiFlavor::kAnthropic, request_id));
    return;
  }
  exchange->Respond(JsonResponse(
      R"({"input_tokens":)" + std::to_string(*tokens) + "}", request_id));
}

void ApiHandler::HandleChatCompletions(
    const std::shared_ptr<http::Exchange>& exchange,
    const std::string& request_id) {
  const std::chrono::steady_clock::time_point arrived = clock_->SteadyNow();
  std::string client_key = ClientKeyIdOf(exchange->request());  // hashed once
  std::optional<AnswerRecording> recording =
      StartRecording(exchange, request_id, client_key, ApiFlavor::kOpenAI, arrived);
  Result<ChatRequest> parsed =
      wire::openai::ParseChatCompletionRequest(exchange->request().body);
  if (!parsed) {
    spdlog::debug("{} refused: {}", request_id, parsed.error().ToString());
    RecordRefusal(std::move(recording), parsed.error());
    exchange->Respond(
        ErrorResponse(parsed.error(), ApiFlavor::kOpenAI, request_id));
    return;
  }
  ChatRequest& chat = *parsed;
  if (Status headers = ApplyRouteHeaders(exchange->request(), request_id,
                                         std::move(client_key), &chat);
      !headers.ok()) {
    RecordRefusal(std::move(recording), headers);
    exchange->Respond(ErrorResponse(headers, ApiFlavor::kOpenAI, request_id));
    return;
  }
  if (recording) {
    recording->entry.requested_model = chat.model;
    recording->entry.stream = chat.stream;
  }
  auto bridge = std::make_shared<ChatBridge>(
      exchange,
      MakeOpenAIRenderer(chat.model, clock_->NowUnixSeconds(),
                         chat.stream_include_usage),
      chat.stream, request_id, std::move(recording));
  backend_->Generate(std::move(chat), std::move(bridge),
                     exchange->cancel_flag());
}

http::Response ApiHandler::ListModels(const std::string& request_id) const {
  const std::vector<ModelInfo> models = backend_->ListModels();
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Field("object", "list");
  w.Key("data");
  w.BeginArray();
  for (const ModelInfo& model : models) {
    WriteModel(w, model);
  }
  w.EndArray();
  w.Field("has_more", false);
  w.Key("first_id");
  models.empty() ? w.Null() : w.String(models.front().id);
  w.Key("last_id");
  models.empty() ? w.Null() : w.String(models.back().id);
  w.EndObject();
  return JsonResponse(std::move(body), request_id);
}

http::Response ApiHandler::GetModel(const std::string& id, ApiFlavor flavor,
                                    const std::string& request_id) const {
  for (const ModelInfo& model : backend_->ListModels()) {
    if (model.id == id) {
      std::string body;
      JsonWriter w(&body);
      WriteModel(w, model);
      return JsonResponse(std::move(body), request_id);
    }
  }
  return ErrorResponse(NotFound("model: " + id), flavor, request_id);
}

}  // namespace duet::api
