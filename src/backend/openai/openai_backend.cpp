#include "backend/openai/openai_backend.h"

#include <algorithm>

#include "model/text_size.h"
#include "net/url.h"
#include "wire/openai/chat_request.h"
#include "wire/openai/chat_stream_reader.h"

namespace duet::openai {
namespace {

Locality LocalityOf(const OpenAICompatibleBackend::Options& options) {
  if (options.private_network) {
    return Locality::kLocal;
  }
  Result<net::Url> url = net::Url::Parse(options.base_url);
  return url && net::IsLoopbackHost(url->host) ? Locality::kLocal : Locality::kCloud;
}

}  // namespace

std::string ChatCompletionsUrl(std::string base_url) {
  while (!base_url.empty() && base_url.back() == '/') {
    base_url.pop_back();
  }
  if (base_url.ends_with("/v1")) {
    return base_url + "/chat/completions";
  }
  return base_url + "/v1/chat/completions";
}

OpenAICompatibleBackend::OpenAICompatibleBackend(Options options,
                                                 net::HttpClient* client,
                                                 const Clock* clock)
    : options_(std::move(options)),
      locality_(LocalityOf(options_)),
      breaker_(options_.breaker, clock) {
  upstream_.upstream_name = options_.name;
  upstream_.error_flavor = ApiFlavor::kOpenAI;
  upstream_.timeouts = options_.timeouts;
  upstream_.max_retries = options_.max_retries;
  upstream_.retry_budget = options_.retry_budget;
  upstream_.client = client;
  upstream_.delays = &delays_;
  upstream_.clock = clock;
  upstream_.breaker = &breaker_;
  upstream_.make_decoder = [] {
    return std::make_unique<wire::openai::StreamReader>();
  };
  completions_url_ = ChatCompletionsUrl(options_.base_url);
}

BackendHealth OpenAICompatibleBackend::Health() const {
  BackendHealth health;
  // Open with cooldown left: unavailable. Once the cooldown is over the
  // next request must reach the backend: it is the breaker's probe.
  if (const int64_t cooldown_ms = breaker_.RemainingCooldownMs(); cooldown_ms > 0) {
    health.unavailable_reason = options_.name + " is unreachable; not trying again for another " +
                                std::to_string((cooldown_ms + 999) / 1000) + " s";
  }
  return health;
}

std::vector<ModelInfo> OpenAICompatibleBackend::ListModels() const {
  std::vector<ModelInfo> models;
  for (const std::string& id : options_.models) {
    ModelInfo info;
    info.id = id;
    info.display_name = id;
    info.owned_by = options_.name;
    info.context_window = options_.context_window;
    info.reads_images = true;  // forwarded; the server answers for its model
    models.push_back(std::move(info));
  }
  return models;
}

Result<int64_t> OpenAICompatibleBackend::CountTokens(const ChatRequest& request) {
  if (!Serves(request.model)) {
    return Error(NotFound("model: " + request.model));
  }
  return static_cast<int64_t>((RequestChars(request) + 3) / 4) +
         4 * static_cast<int64_t>(request.messages.size());
}

void OpenAICompatibleBackend::Generate(ChatRequest request,
                                       std::shared_ptr<EventSink> sink,
                                       std::shared_ptr<const CancelFlag> cancel) {
  if (!Serves(request.model)) {
    sink->OnEvent(ChatEvent::Failure(NotFound("model: " + request.model)));
    return;
  }
  if (!breaker_.Allow()) {
    sink->OnEvent(ChatEvent::Failure(Unavailable(
        options_.name + " is unreachable; not trying again for another " +
        std::to_string((breaker_.RemainingCooldownMs() + 999) / 1000) + " s")));
    return;
  }
  if (request.source != ApiFlavor::kOpenAI) {
    request.extra.clear();  // another API's unmodelled fields
  }
  request.stream = true;
  request.stream_include_usage = true;
  net::HttpRequest upstream;
  upstream.method = "POST";
  upstream.url = completions_url_;
  upstream.headers = {{"content-type", "application/json"},
                      {"accept", "text/event-stream"},
                      {"user-agent", options_.user_agent}};
  if (!options_.api_key.empty()) {
    upstream.headers.emplace_back("authorization", "Bearer " + options_.api_key);
  }
  upstream.body = wire::openai::WriteChatCompletionRequest(request);
  StartUpstreamCall(&upstream_, std::move(upstream), std::move(sink),
                    std::move(cancel));
}

}  // namespace duet::openai
