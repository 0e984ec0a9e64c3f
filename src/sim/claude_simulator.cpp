#include "sim/claude_simulator.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "sim/sim_answer.h"
#include "wire/anthropic/messages_request.h"
#include "wire/anthropic/messages_response.h"
#include "wire/anthropic/messages_stream.h"
#include "wire/error_response.h"
#include "wire/upstream_error.h"

namespace duet::sim {

namespace http = api::http;
using Json = nlohmann::ordered_json;

std::vector<SimModel> DefaultSimModels() {
  const std::vector<SimModel> snapshots = {
      {"claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-01T00:00:00Z",
       200'000, 64'000},
      {"claude-sonnet-4-5-20250929", "Claude Sonnet 4.5",
       "2025-09-29T00:00:00Z", 200'000, 64'000},
      {"claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-01T00:00:00Z",
       200'000, 64'000},
      {"claude-opus-4-6", "Claude Opus 4.6", "2026-02-05T00:00:00Z",
       1'000'000, 128'000},
      {"claude-sonnet-4-6", "Claude Sonnet 4.6", "2026-02-17T00:00:00Z",
       1'000'000, 128'000},
      {"claude-opus-4-7", "Claude Opus 4.7", "2026-04-16T00:00:00Z", 1'000'000,
       128'000, false, true},
      {"claude-opus-4-8", "Claude Opus 4.8", "2026-05-28T00:00:00Z", 1'000'000,
       128'000, false, true},
      {"claude-sonnet-5", "Claude Sonnet 5", "2026-06-30T00:00:00Z", 1'000'000,
       128'000, true, true},
      {"claude-opus-5", "Claude Opus 5", "2026-07-24T00:00:00Z", 1'000'000,
       128'000, true, true},
      {"claude-opus-5-5", "Claude Opus 5.5", "2026-09-01T00:00:00Z", 1'000'000,
       128'000, true, true},
      {"claude-sonnet-5-5", "Claude Sonnet 5.5", "2026-09-01T00:00:00Z",
       1'000'000, 128'000, true, true},
      {"claude-haiku-5-5", "Claude Haiku 5.5", "2026-10-01T00:00:00Z", 1'000'000,
       128'000, true, true},
  };
  std::vector<SimModel> models = snapshots;
  // Aliases answer like their snapshot.
  const std::pair<const char*, const char*> aliases[] = {
      {"claude-haiku-4-5", "claude-haiku-4-5-20251001"},
      {"claude-sonnet-4-5", "claude-sonnet-4-5-20250929"},
      {"claude-opus-4-5", "claude-opus-4-5-20251101"},
  };
  for (const auto& [alias, snapshot] : aliases) {
    for (const SimModel& model : snapshots) {
      if (model.id == snapshot) {
        SimModel copy = model;
        copy.id = alias;
        models.push_back(copy);
      }
    }
  }
  return models;
}

namespace {

// A streamed answer in progress: its SSE events, sent one per step.
struct StreamJob {
  std::shared_ptr<http::Exchange> exchange;
  std::vector<std::string> events;
  size_t next = 0;
  std::chrono::milliseconds delay{0};
  bool abort_at_end = false;  // drop the connection instead of ending
};

std::vector<std::string> RenderEvents(const std::vector<ChatEvent>& events) {
  wire::anthropic::StreamWriter writer;
  std::vector<std::string> rendered;
  for (const ChatEvent& event : events) {
    std::string bytes;
    writer.Append(event, &bytes);
    if (!bytes.empty()) {
      rendered.push_back(std::move(bytes));
    }
  }
  return rendered;
}

Status CheckToolPairing(const ChatRequest& request) {
  for (size_t i = 0; i + 1 < request.messages.size(); ++i) {
    const Message& message = request.messages[i];
    if (message.role != Role::kAssistant) {
      continue;
    }
    std::set<std::string> answered;
    for (const ContentBlock& block : request.messages[i + 1].content) {
      if (block.type == BlockType::kToolResult) {
        answered.insert(block.tool_use_id);
      }
    }
    for (const ContentBlock& block : message.content) {
      if (block.type == BlockType::kToolUse &&
          (request.messages[i + 1].role != Role::kUser ||
           !answered.contains(block.tool_id))) {
        return InvalidArgument(fmt::format(
            "messages.{}: `tool_use` ids were found without `tool_result` "
            "blocks immediately after: {}. Each `tool_use` block must have a "
            "corresponding `tool_result` block in the next message.",
            i + 1, block.tool_id));
      }
    }
  }
  return Status::Ok();
}

Status CheckModelLimits(const ChatRequest& request, const SimModel& model) {
  if (request.max_tokens && *request.max_tokens > model.max_output_tokens) {
    return InvalidArgument(fmt::format(
        "max_tokens: {} > {}, which is the maximum allowed number of output "
        "tokens for {}",
        *request.max_tokens, model.max_output_tokens, model.id));
  }
  if (model.fixed_sampling) {
    const SamplingParams& s = request.sampling;
    if ((s.temperature && *s.temperature != 1.0) || s.top_p || s.top_k) {
      return InvalidArgument(
          fmt::format("{}: temperature, top_p and top_k cannot be set for "
                      "this model",
                      model.id));
    }
  }
  if (model.adaptive_thinking_only && request.thinking &&
      request.thinking->mode == ThinkingConfig::Mode::kEnabled) {
    return InvalidArgument(
        "thinking.type.enabled: not supported for this model; use "
        "thinking.type.adaptive and output_config.effort");
  }
  return Status::Ok();
}

Status FaultStatus(const SimTurn& turn) {
  switch (turn.fault) {
    case Fault::kRateLimit:
      return Status(ErrorCode::kResourceExhausted,
                    "This request would exceed your organization's rate "
                    "limit. Please see the response headers for current "
                    "usage.");
    case Fault::kOverloaded:
      return Status(ErrorCode::kUnavailable, "Overloaded");
    case Fault::kApiError:
      return Internal("Internal server error");
    case Fault::kTooLarge:
      return Status(ErrorCode::kPayloadTooLarge,
                    "Request exceeds the maximum allowed number of bytes.");
    case Fault::kTimeout:
      return Status(ErrorCode::kDeadlineExceeded, "Request timed out");
    default:
      return Status::Ok();
  }
}

void AddRetryHeaders(const SimTurn& turn, http::HeaderList* headers) {
  if (turn.retry_after_seconds) {
    headers->emplace_back("retry-after",
                          fmt::format("{}", *turn.retry_after_seconds));
  }
  if (turn.retry_after_ms) {
    headers->emplace_back("retry-after-ms", std::to_string(*turn.retry_after_ms));
  }
}

// Sends the job's next event (all of them when there is no delay), then
// ends the stream.
void Continue(const std::shared_ptr<StreamJob>& job,
              const std::function<void(std::chrono::milliseconds,
                                       std::function<void()>)>& after) {
  while (job->next < job->events.size()) {
    job->exchange->Stream(std::move(job->events[job->next++]));
    if (job->delay.count() > 0 && job->next < job->events.size()) {
      after(job->delay, [job, after] { Continue(job, after); });
      return;
    }
  }
  if (job->abort_at_end) {
    job->exchange->Abort();
  } else {
    job->exchange->EndStream();
  }
}

}  // namespace

ClaudeSimulator::ClaudeSimulator(Options options, const Clock* clock)
    : options_(std::move(options)),
      clock_(clock),
      rate_limits_(options_.rate_limits, clock),
      scheduler_(std::make_unique<net::DelayQueue>()) {}

ClaudeSimulator::~ClaudeSimulator() = default;

http::HeaderList ClaudeSimulator::CommonHeaders(
    const std::string& request_id) const {
  http::HeaderList headers = {{"request-id", request_id},
                              {"anthropic-organization-id",
                               "00000000-0000-4000-8000-00000000d0e7"}};
  for (auto& header : rate_limits_.Headers()) {
    headers.push_back(std::move(header));
  }
  return headers;
}

http::Response ClaudeSimulator::ErrorResponse(
    const Status& status, const std::string& request_id) const {
  http::Response response;
  response.status = wire::HttpStatusFor(status.code(), ApiFlavor::kAnthropic);
  response.headers = CommonHeaders(request_id);
  response.body = wire::AnthropicErrorBody(status, request_id);
  return response;
}

http::Response ClaudeSimulator::RejectedRequest(const http::Request&,
                                                const Status& status) {
  return ErrorResponse(status, NewId("req_"));
}

Status ClaudeSimulator::CheckHeaders(const http::Request& request) const {
  std::string_view key = request.Header("x-api-key");
  if (key.empty()) {
    std::string_view auth = request.Header("authorization");
    if (auth.substr(0, 7) == "Bearer ") {
      key = auth.substr(7);
    }
  }
  if (key.empty()) {
    return Status(ErrorCode::kUnauthenticated, "x-api-key header is required");
  }
  if (!options_.api_key.empty() && key != options_.api_key) {
    return Status(ErrorCode::kUnauthenticated, "invalid x-api-key");
  }
  if (request.Header("anthropic-version").empty()) {
    return InvalidArgument("anthropic-version: header is required");
  }
  return Status::Ok();
}

void ClaudeSimulator::Record(const http::Request& request) {
  std::lock_guard lock(mutex_);
  recorded_.push_back({request.method, request.path, request.query,
                       request.headers, request.body});
  while (recorded_.size() > options_.max_recorded_requests) {
    recorded_.pop_front();
  }
}

std::vector<RecordedRequest> ClaudeSimulator::Recorded() const {
  std::lock_guard lock(mutex_);
  return {recorded_.begin(), recorded_.end()};
}

void ClaudeSimulator::EnqueueTurns(std::vector<SimTurn> turns) {
  std::lock_guard lock(mutex_);
  for (SimTurn& turn : turns) {
    script_.push_back(std::move(turn));
  }
}

std::optional<SimTurn> ClaudeSimulator::NextTurn() {
  std::lock_guard lock(mutex_);
  if (script_.empty()) {
    return std::nullopt;
  }
  SimTurn turn = std::move(script_.front());
  script_.pop_front();
  return turn;
}

const SimModel* ClaudeSimulator::FindModel(const std::string& id) const {
  for (const SimModel& model : options_.models) {
    if (model.id == id) {
      return &model;
    }
  }
  return nullptr;
}

void ClaudeSimulator::Handle(std::shared_ptr<http::Exchange> exchange) {
  const http::Request& request = exchange->request();
  const std::string request_id = NewId("req_");
  if (request.path.starts_with("/_sim/")) {
    exchange->Respond(HandleControl(request, request_id));
    return;
  }
  Record(request);
  if (request.path.starts_with("/v1/")) {
    if (Status status = CheckHeaders(request); !status.ok()) {
      exchange->Respond(ErrorResponse(status, request_id));
      return;
    }
  }
  if (request.method == "POST" && request.path == "/v1/messages") {
    HandleMessages(exchange, request_id);
  } else if (request.method == "POST" &&
             request.path == "/v1/messages/count_tokens") {
    HandleCountTokens(exchange, request_id);
  } else if (request.method == "GET" && (request.path == "/v1/models" ||
                                         request.path.starts_with("/v1/models/"))) {
    exchange->Respond(ListModels(request, request_id));
  } else {
    exchange->Respond(ErrorResponse(NotFound("Not found"), request_id));
  }
}

void ClaudeSimulator::HandleMessages(
    const std::shared_ptr<http::Exchange>& exchange,
    const std::string& request_id) {
  Result<ChatRequest> parsed =
      wire::anthropic::ParseMessagesRequest(exchange->request().body);
  if (!parsed) {
    exchange->Respond(ErrorResponse(parsed.error(), request_id));
    return;
  }
  ChatRequest& request = *parsed;
  Result<std::optional<SimTurn>> directive = TakeDirective(&request);
  if (!directive) {
    exchange->Respond(ErrorResponse(directive.error(), request_id));
    return;
  }
  const SimTurn turn = directive->has_value() ? std::move(**directive)
                                               : NextTurn().value_or(SimTurn());
  const SimModel* model = FindModel(request.model);
  if (model == nullptr) {
    exchange->Respond(ErrorResponse(NotFound("model: " + request.model), request_id));
    return;
  }
  for (Status status : {CheckModelLimits(request, *model), CheckToolPairing(request)}) {
    if (!status.ok()) {
      exchange->Respond(ErrorResponse(status, request_id));
      return;
    }
  }
  const int64_t input_tokens = CountInputTokens(request);
  if (input_tokens > model->context_window) {
    exchange->Respond(ErrorResponse(
        InvalidArgument(fmt::format("prompt is too long: {} tokens > {} maximum",
                                    input_tokens, model->context_window)),
        request_id));
    return;
  }
  const RateLimits::Admission admission = rate_limits_.Admit(input_tokens);
  if (!admission.allowed) {
    http::Response response = ErrorResponse(
        Status(ErrorCode::kResourceExhausted,
               "This request would exceed the rate limit for your "
               "organization. Please see the response headers for current "
               "usage."),
        request_id);
    response.headers.emplace_back("retry-after",
                                  std::to_string(admission.retry_after_seconds));
    exchange->Respond(std::move(response));
    return;
  }

  auto after = [this](std::chrono::milliseconds delay, std::function<void()> task) {
    scheduler_->After(delay, std::move(task));
  };
  if (Status fault = FaultStatus(turn); !fault.ok()) {
    http::Response response = ErrorResponse(fault, request_id);
    AddRetryHeaders(turn, &response.headers);
    auto send = [exchange, response = std::move(response)]() mutable {
      exchange->Respond(std::move(response));
    };
    if (turn.first_byte_delay.count() > 0) {
      after(turn.first_byte_delay, std::move(send));
    } else {
      send();
    }
    return;
  }

  const ChatResponse answer = BuildAnswer(request, turn, NewId("msg_"));
  rate_limits_.AddOutput(answer.usage.output_tokens);
  std::function<void()> start;
  if (turn.fault == Fault::kDrop && !request.stream) {
    start = [exchange] { exchange->Abort(); };
  } else if (!request.stream) {
    http::Response response;
    response.headers = CommonHeaders(request_id);
    response.body = wire::anthropic::WriteMessage(answer);
    start = [exchange, response = std::move(response)]() mutable {
      exchange->Respond(std::move(response));
    };
  } else {
    auto job = std::make_shared<StreamJob>();
    job->exchange = exchange;
    job->events = RenderEvents(StreamEvents(answer));
    job->delay = turn.delay;
    if (turn.fault == Fault::kStreamError || turn.fault == Fault::kDrop) {
      const size_t keep = std::min(job->events.size() - 1,
                                   static_cast<size_t>(turn.after_events));
      job->events.resize(keep);
      if (turn.fault == Fault::kStreamError) {
        Status status(wire::ErrorCodeForAnthropicType(turn.error_type,
                                                      ErrorCode::kUnavailable),
                      turn.error_type == "overloaded_error" ? "Overloaded"
                                                            : "Stream failed");
        std::string bytes;
        wire::anthropic::StreamWriter writer;
        writer.Append(ChatEvent::Failure(status), &bytes);
        job->events.push_back(std::move(bytes));
      } else {
        job->abort_at_end = true;
      }
    }
    http::Response head;
    head.content_type = "text/event-stream";
    head.headers = CommonHeaders(request_id);
    start = [job, head = std::move(head), after]() mutable {
      job->exchange->BeginStream(std::move(head));
      Continue(job, after);
    };
  }
  if (turn.first_byte_delay.count() > 0) {
    after(turn.first_byte_delay, std::move(start));
  } else {
    start();
  }
}

void ClaudeSimulator::HandleCountTokens(
    const std::shared_ptr<http::Exchange>& exchange,
    const std::string& request_id) {
  Result<ChatRequest> parsed = wire::anthropic::ParseMessagesRequest(
      exchange->request().body, {.require_max_tokens = false});
  if (!parsed) {
    exchange->Respond(ErrorResponse(parsed.error(), request_id));
    return;
  }
  if (FindModel(parsed->model) == nullptr) {
    exchange->Respond(
        ErrorResponse(NotFound("model: " + parsed->model), request_id));
    return;
  }
  http::Response response;
  response.headers = CommonHeaders(request_id);
  response.body = Json{{"input_tokens", CountInputTokens(*parsed)}}.dump();
  exchange->Respond(std::move(response));
}

namespace {

Json ModelJson(const SimModel& model) {
  return Json{{"type", "model"},
              {"id", model.id},
              {"display_name", model.display_name},
              {"created_at", model.created_at},
              {"max_input_tokens", model.context_window},
              {"max_tokens", model.max_output_tokens}};
}

std::string QueryValue(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key && eq != std::string_view::npos) {
      return std::string(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return "";
}

}  // namespace

http::Response ClaudeSimulator::ListModels(const http::Request& request,
                                           const std::string& request_id) const {
  if (request.path != "/v1/models") {
    const std::string id = request.path.substr(std::string("/v1/models/").size());
    const SimModel* model = FindModel(id);
    if (model == nullptr) {
      return ErrorResponse(NotFound("model: " + id), request_id);
    }
    http::Response response;
    response.headers = CommonHeaders(request_id);
    response.body = ModelJson(*model).dump();
    return response;
  }
  int64_t limit = 20;
  if (const std::string text = QueryValue(request.query, "limit"); !text.empty()) {
    char* end = nullptr;
    limit = std::strtoll(text.c_str(), &end, 10);
    if (*end != '\0' || limit < 1 || limit > 1000) {
      return ErrorResponse(
          InvalidArgument("limit: Input should be between 1 and 1000"),
          request_id);
    }
  }
  const std::vector<SimModel>& models = options_.models;
  size_t begin = 0;
  size_t end = models.size();
  const std::string after_id = QueryValue(request.query, "after_id");
  const std::string before_id = QueryValue(request.query, "before_id");
  for (size_t i = 0; i < models.size(); ++i) {
    if (!after_id.empty() && models[i].id == after_id) {
      begin = i + 1;
    }
    if (!before_id.empty() && models[i].id == before_id) {
      end = i;
    }
  }
  Json data = Json::array();
  size_t last = begin;
  for (size_t i = begin; i < end && data.size() < static_cast<size_t>(limit); ++i) {
    data.push_back(ModelJson(models[i]));
    last = i + 1;
  }
  Json body{{"data", data},
            {"has_more", last < end},
            {"first_id", data.empty() ? Json(nullptr) : data.front()["id"]},
            {"last_id", data.empty() ? Json(nullptr) : data.back()["id"]}};
  http::Response response;
  response.headers = CommonHeaders(request_id);
  response.body = body.dump();
  return response;
}

http::Response ClaudeSimulator::HandleControl(const http::Request& request,
                                              const std::string& request_id) {
  http::Response response;
  if (request.path == "/_sim/requests" && request.method == "GET") {
    Json list = Json::array();
    for (const RecordedRequest& recorded : Recorded()) {
      Json headers = Json::object();
      for (const auto& [name, value] : recorded.headers) {
        headers[name] = value;
      }
      list.push_back(Json{{"method", recorded.method},
                          {"path", recorded.path},
                          {"query", recorded.query},
                          {"headers", headers},
                          {"body", recorded.body}});
    }
    response.body = list.dump(-1, ' ', false, Json::error_handler_t::replace);
    return response;
  }
  if (request.path == "/_sim/requests" && request.method == "DELETE") {
    std::lock_guard lock(mutex_);
    recorded_.clear();
    response.body = "{}";
    return response;
  }
  if (request.path == "/_sim/script" && request.method == "POST") {
    Result<std::vector<SimTurn>> turns = ParseSimScript(request.body);
    if (!turns) {
      return ErrorResponse(turns.error(), request_id);
    }
    const size_t count = turns->size();
    EnqueueTurns(std::move(*turns));
    response.body = Json{{"queued", count}}.dump();
    return response;
  }
  if (request.path == "/_sim/reset" && request.method == "POST") {
    {
      std::lock_guard lock(mutex_);
      recorded_.clear();
      script_.clear();
    }
    rate_limits_.Reset();
    response.body = "{}";
    return response;
  }
  return ErrorResponse(NotFound("Not found"), request_id);
}

}  // namespace duet::sim
