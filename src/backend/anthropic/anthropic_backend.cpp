#include "backend/anthropic/anthropic_backend.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>

#include <spdlog/spdlog.h>

#include "backend/anthropic/request_shaping.h"
#include "model/text_size.h"
#include "wire/anthropic/messages_request.h"
#include "wire/anthropic/messages_stream_reader.h"
#include "wire/upstream_error.h"

namespace duet::anthropic {
namespace {

constexpr size_t kMaxErrorBodyBytes = 64 * 1024;

bool RetryableStatus(int status) {
  return status == 408 || status == 409 || status == 429 || status >= 500;
}

// Failures that say the service, not the request, is in trouble.
bool CountsAgainstBreaker(const Status& status, int http_status) {
  if (http_status >= 500) {
    return true;
  }
  return http_status == 0 && (status.code() == ErrorCode::kUnavailable ||
                              status.code() == ErrorCode::kDeadlineExceeded);
}

std::chrono::milliseconds Backoff(int retry_number) {
  thread_local std::mt19937 random{std::random_device{}()};
  const double base = std::min(8.0, 0.5 * std::pow(2.0, retry_number));
  std::uniform_real_distribution<double> jitter(0.75, 1.0);
  return std::chrono::milliseconds(
      static_cast<int64_t>(base * jitter(random) * 1000));
}

}  // namespace

// One client request: its upstream attempts and the events they produce.
class AnthropicBackend::Call final
    : public net::HttpResponseHandler,
      public std::enable_shared_from_this<AnthropicBackend::Call> {
 public:
  Call(AnthropicBackend* backend, std::string body,
       std::vector<std::string> betas, std::shared_ptr<EventSink> sink,
       std::shared_ptr<const CancelFlag> cancel)
      : backend_(backend),
        body_(std::move(body)),
        betas_(std::move(betas)),
        sink_(std::move(sink)),
        cancel_(std::move(cancel)),
        deadline_(backend->clock_->SteadyNow() + backend->options_.retry_budget) {}

  void Send() {
    attempt_state_ = Attempt();
    net::HttpRequest request;
    request.method = "POST";
    request.url = backend_->options_.base_url;
    while (!request.url.empty() && request.url.back() == '/') {
      request.url.pop_back();
    }
    request.url += "/v1/messages";
    request.headers = {
        {"x-api-key", backend_->options_.api_key},
        {"anthropic-version", backend_->options_.version},
        {"content-type", "application/json"},
        {"accept", "text/event-stream"},
        {"user-agent", backend_->options_.user_agent},
    };
    if (!betas_.empty()) {
      std::string joined;
      for (const std::string& beta : betas_) {
        joined += (joined.empty() ? "" : ",") + beta;
      }
      request.headers.emplace_back("anthropic-beta", std::move(joined));
    }
    request.body = body_;
    backend_->client_->Send(std::move(request), backend_->options_.timeouts,
                            shared_from_this(), cancel_);
  }

  bool OnHead(const net::HttpResponseHead& head) override {
    attempt_state_.head = head;
    backend_->rate_limits_.Update(head, backend_->clock_->SteadyNow());
    return true;
  }

  bool OnBody(std::string_view bytes) override {
    if (terminal_sent_) {
      return true;  // read to the end so the connection can be reused
    }
    Attempt& attempt = attempt_state_;
    if (attempt.head.status != 200) {
      const size_t room = kMaxErrorBodyBytes - std::min(kMaxErrorBodyBytes,
                                                        attempt.error_body.size());
      attempt.error_body.append(bytes.substr(0, room));
      return true;
    }
    events_.clear();
    Status status = attempt.reader.Feed(bytes, &events_);
    for (ChatEvent& event : events_) {
      const bool terminal = event.terminal();
      if (event.kind == ChatEvent::Kind::kError) {
        stream_error_ = event.error;
      }
      delivered_ = true;
      sink_->OnEvent(std::move(event));
      if (terminal) {
        terminal_sent_ = true;  // nothing may follow
        return true;
      }
    }
    if (!status.ok()) {
      attempt.protocol_error = std::move(status);
      return false;
    }
    return true;
  }

  void OnComplete(Status status, bool head_received) override {
    AnthropicBackend& backend = *backend_;
    if (terminal_sent_) {
      // A mid-stream error event from the API is its failure, not ours.
      if (stream_error_.ok() || stream_error_.code() != ErrorCode::kUnavailable) {
        backend.breaker_.RecordSuccess();
      } else {
        backend.breaker_.RecordFailure();
      }
      return;
    }
    Attempt& attempt = attempt_state_;
    const int http_status = head_received ? attempt.head.status : 0;
    Status failure;
    if (!attempt.protocol_error.ok()) {
      failure = attempt.protocol_error;
    } else if (!status.ok() && status.code() != ErrorCode::kCancelled) {
      failure = Status(status.code(), "Claude: " + status.message());
    } else if (cancel_ && cancel_->cancelled()) {
      failure = Status(ErrorCode::kCancelled, "the client went away");
    } else if (!status.ok()) {
      failure = status;
    } else if (http_status != 200) {
      failure = wire::StatusFromUpstreamError(ApiFlavor::kAnthropic, http_status,
                                              attempt.error_body);
    } else {
      failure = Unavailable("Claude: the stream ended before message_stop");
    }
    if (failure.code() == ErrorCode::kCancelled) {
      backend.breaker_.RecordCancelled();
      sink_->OnEvent(ChatEvent::Failure(std::move(failure)));
      return;
    }
    if (CountsAgainstBreaker(failure, http_status)) {
      backend.breaker_.RecordFailure();
    } else if (http_status != 0) {
      backend.breaker_.RecordSuccess();  // the service answered
    }
    if (!delivered_ && ShouldRetry(failure, http_status)) {
      std::chrono::milliseconds wait = Backoff(retries_);
      if (http_status != 0) {
        if (std::optional<std::chrono::milliseconds> asked = RetryAfter(attempt.head)) {
          wait = *asked;
        }
      }
      if (backend.clock_->SteadyNow() + wait < deadline_) {
        ++retries_;
        spdlog::debug("Claude answered {}; retry {} in {} ms",
                      http_status == 0 ? failure.message()
                                       : "HTTP " + std::to_string(http_status),
                      retries_, wait.count());
        auto self = shared_from_this();
        backend.delays_.After(wait, [self] {
          if (self->cancel_ && self->cancel_->cancelled()) {
            self->sink_->OnEvent(ChatEvent::Failure(
                Status(ErrorCode::kCancelled, "the client went away")));
            return;
          }
          self->Send();
        });
        return;
      }
    }
    spdlog::info("Claude request failed: {}", failure.ToString());
    sink_->OnEvent(ChatEvent::Failure(std::move(failure)));
  }

 private:
  struct Attempt {
    net::HttpResponseHead head;
    std::string error_body;
    wire::anthropic::StreamReader reader;
    Status protocol_error;
  };

  bool ShouldRetry(const Status& failure, int http_status) const {
    if (retries_ >= backend_->options_.max_retries) {
      return false;
    }
    if (http_status != 0) {
      const std::string_view hint = attempt_state_.head.Header("x-should-retry");
      if (hint == "true") return true;
      if (hint == "false") return false;
      return RetryableStatus(http_status);
    }
    return failure.code() == ErrorCode::kUnavailable ||
           failure.code() == ErrorCode::kDeadlineExceeded;
  }

  AnthropicBackend* backend_;
  const std::string body_;
  const std::vector<std::string> betas_;
  std::shared_ptr<EventSink> sink_;
  std::shared_ptr<const CancelFlag> cancel_;
  const std::chrono::steady_clock::time_point deadline_;
  Attempt attempt_state_;
  std::vector<ChatEvent> events_;
  int retries_ = 0;
  bool delivered_ = false;
  bool terminal_sent_ = false;
  Status stream_error_;
};

AnthropicBackend::AnthropicBackend(Options options, net::HttpClient* client,
                                   const Clock* clock)
    : options_(std::move(options)),
      client_(client),
      clock_(clock),
      breaker_(options_.breaker, clock) {}

AnthropicBackend::~AnthropicBackend() = default;

std::vector<ModelInfo> AnthropicBackend::ListModels() const {
  std::vector<ModelInfo> models;
  for (const ClaudeModel& model : options_.catalog.models()) {
    ModelInfo info;
    info.id = model.id;
    info.display_name = model.display_name;
    info.owned_by = "anthropic";
    info.context_window = model.context_window;
    info.max_output_tokens = model.max_output_tokens;
    models.push_back(std::move(info));
  }
  return models;
}

Result<int64_t> AnthropicBackend::CountTokens(const ChatRequest& request) {
  if (options_.catalog.Find(request.model) == nullptr) {
    return Error(NotFound("model: " + request.model));
  }
  const size_t chars = RequestChars(request);
  return static_cast<int64_t>(std::ceil(static_cast<double>(chars) / 3.5)) +
         4 * static_cast<int64_t>(request.messages.size());
}

void AnthropicBackend::Generate(ChatRequest request,
                                std::shared_ptr<EventSink> sink,
                                std::shared_ptr<const CancelFlag> cancel) {
  const ClaudeModel* model = options_.catalog.Find(request.model);
  if (model == nullptr) {
    sink->OnEvent(ChatEvent::Failure(NotFound("model: " + request.model)));
    return;
  }
  if (!breaker_.Allow()) {
    sink->OnEvent(ChatEvent::Failure(Unavailable(
        "Claude is unreachable; not trying again for another " +
        std::to_string((breaker_.RemainingCooldownMs() + 999) / 1000) + " s")));
    return;
  }
  for (const std::string& change : ShapeForModel(*model, &request)) {
    spdlog::debug("request for {}: {}", model->id, change);
  }
  std::vector<std::string> betas = request.anthropic_betas;
  auto call = std::make_shared<Call>(
      this, wire::anthropic::WriteMessagesRequest(request), std::move(betas),
      std::move(sink), std::move(cancel));
  call->Send();
}

}  // namespace duet::anthropic
