#include "backend/anthropic/anthropic_backend.h"

#include <cmath>

#include <spdlog/spdlog.h>

#include "backend/anthropic/request_shaping.h"
#include "model/text_size.h"
#include "wire/anthropic/messages_request.h"
#include "wire/anthropic/messages_stream_reader.h"

namespace duet::anthropic {

AnthropicBackend::AnthropicBackend(Options options, net::HttpClient* client,
                                   const Clock* clock)
    : options_(std::move(options)),
      clock_(clock),
      breaker_(options_.breaker, clock) {
  upstream_.upstream_name = "Claude";
  upstream_.error_flavor = ApiFlavor::kAnthropic;
  upstream_.timeouts = options_.timeouts;
  upstream_.max_retries = options_.max_retries;
  upstream_.retry_budget = options_.retry_budget;
  upstream_.client = client;
  upstream_.delays = &delays_;
  upstream_.clock = clock;
  upstream_.breaker = &breaker_;
  upstream_.on_head = [this, clock](const net::HttpResponseHead& head) {
    rate_limits_.Update(head, clock->SteadyNow());
  };
  upstream_.make_decoder = [] {
    return std::make_unique<wire::anthropic::StreamReader>();
  };
  std::string url = options_.base_url;
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  messages_url_ = url + "/v1/messages";
}

AnthropicBackend::~AnthropicBackend() = default;

BackendHealth AnthropicBackend::Health() const {
  BackendHealth health;
  const RateLimitSnapshot limits = rate_limits_.Snapshot();
  const auto now = clock_->SteadyNow();
  // Open with cooldown left: unavailable. Once the cooldown is over the
  // next request must reach the backend: it is the breaker's probe.
  if (const int64_t cooldown_ms = breaker_.RemainingCooldownMs(); cooldown_ms > 0) {
    health.unavailable_reason = "Claude is unreachable; not trying again for another " +
                                std::to_string((cooldown_ms + 999) / 1000) + " s";
  } else if (limits.retry_not_before && *limits.retry_not_before > now) {
    const auto wait = std::chrono::ceil<std::chrono::seconds>(*limits.retry_not_before - now);
    health.unavailable_reason =
        "Claude asked to wait " + std::to_string(wait.count()) + " s before the next request";
  }
  // The window refills continuously; a count older than a minute says
  // nothing about now (and no request would go to refresh it).
  if (limits.updated_at && now - *limits.updated_at < std::chrono::minutes(1)) {
    health.tokens_remaining = limits.input_tokens_remaining >= 0
                                  ? limits.input_tokens_remaining
                                  : limits.tokens_remaining;
  }
  return health;
}

std::vector<ModelInfo> AnthropicBackend::ListModels() const {
  std::vector<ModelInfo> models;
  for (const ClaudeModel& model : options_.catalog.models()) {
    if (model.retired) {
      continue;
    }
    ModelInfo info;
    info.id = model.id;
    info.display_name = model.display_name;
    info.owned_by = "anthropic";
    info.context_window = model.context_window;
    info.max_output_tokens = model.max_output_tokens;
    info.reads_images = true;
    models.push_back(std::move(info));
  }
  return models;
}

Result<int64_t> AnthropicBackend::CountTokens(const ChatRequest& request) {
  if (Result<const ClaudeModel*> found = options_.catalog.FindSendable(request.model); !found) {
    return Error(std::move(found).error());
  }
  const size_t chars = RequestChars(request);
  return static_cast<int64_t>(std::ceil(static_cast<double>(chars) / 3.5)) +
         4 * static_cast<int64_t>(request.messages.size());
}

void AnthropicBackend::Generate(ChatRequest request,
                                std::shared_ptr<EventSink> sink,
                                std::shared_ptr<const CancelFlag> cancel) {
  Result<const ClaudeModel*> found = options_.catalog.FindSendable(request.model);
  if (!found) {
    sink->OnEvent(ChatEvent::Failure(std::move(found).error()));
    return;
  }
  const ClaudeModel* model = *found;
  // After a 429/529 with retry-after, Claude said when to come back:
  // failing now (and falling back) beats a request that cannot succeed.
  if (const auto not_before = rate_limits_.Snapshot().retry_not_before;
      not_before && *not_before > clock_->SteadyNow()) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        *not_before - clock_->SteadyNow());
    sink->OnEvent(ChatEvent::Failure(Status(
        ErrorCode::kResourceExhausted,
        "Claude asked to wait " + std::to_string((wait.count() + 999) / 1000) +
            " s before the next request")));
    return;
  }
  if (!breaker_.Allow()) {
    sink->OnEvent(ChatEvent::Failure(Unavailable(
        "Claude is unreachable; not trying again for another " +
        std::to_string((breaker_.RemainingCooldownMs() + 999) / 1000) + " s")));
    return;
  }
  if (request.source != ApiFlavor::kAnthropic) {
    // Fields another API's client sent that duet does not model
    // (metadata, store...) mean nothing to Claude, which would refuse them.
    request.extra.clear();
  }
  for (const std::string& change : ShapeForModel(*model, &request)) {
    spdlog::debug("request for {}: {}", model->id, change);
  }
  net::HttpRequest upstream;
  upstream.method = "POST";
  upstream.url = messages_url_;
  upstream.headers = {
      {"x-api-key", options_.api_key},
      {"anthropic-version", options_.version},
      {"content-type", "application/json"},
      {"accept", "text/event-stream"},
      {"user-agent", options_.user_agent},
  };
  if (!request.anthropic_betas.empty()) {
    std::string joined;
    for (const std::string& beta : request.anthropic_betas) {
      joined += (joined.empty() ? "" : ",") + beta;
    }
    upstream.headers.emplace_back("anthropic-beta", std::move(joined));
  }
  upstream.body = wire::anthropic::WriteMessagesRequest(request);
  StartUpstreamCall(&upstream_, std::move(upstream), std::move(sink),
                    std::move(cancel));
}

}  // namespace duet::anthropic
