#include "backend/upstream_call.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <spdlog/spdlog.h>

#include "net/retry_after.h"
#include "wire/upstream_error.h"

namespace duet {
namespace {

constexpr size_t kMaxErrorBodyBytes = 64 * 1024;
// Anthropic's own hint: "true" or "false" overrides the status's default.
constexpr std::string_view kShouldRetryHeader = "x-should-retry";

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

class UpstreamCall final : public net::HttpResponseHandler,
                           public std::enable_shared_from_this<UpstreamCall> {
 public:
  UpstreamCall(const UpstreamContext* context, net::HttpRequest request,
               std::shared_ptr<EventSink> sink,
               std::shared_ptr<const CancelFlag> cancel)
      : context_(context),
        request_(std::make_shared<const net::HttpRequest>(std::move(request))),
        sink_(std::move(sink)),
        cancel_(std::move(cancel)),
        deadline_(context->clock->SteadyNow() + context->retry_budget) {
    events_.reserve(8);  // a short answer's events arrive in one read
  }

  void Send() {
    head_ = net::HttpResponseHead();
    error_body_.clear();
    protocol_error_ = Status::Ok();
    decoder_ = context_->make_decoder();
    context_->client->Send(request_, context_->timeouts, shared_from_this(), cancel_);
  }

  bool OnHead(const net::HttpResponseHead& head) override {
    // Only what the retry decision reads: an upstream's head carries a
    // score of headers (rate limits, ids, tracing), each a string to copy.
    head_.status = head.status;
    for (const auto& [name, value] : head.headers) {
      if (name == net::kRetryAfterHeader || name == net::kRetryAfterMsHeader ||
          name == kShouldRetryHeader) {
        head_.headers.emplace_back(name, value);
      }
    }
    if (context_->on_head) {
      context_->on_head(head);
    }
    return true;
  }

  bool OnBody(std::string_view bytes) override {
    if (terminal_sent_) {
      return true;  // read to the end so the connection can be reused
    }
    if (head_.status != 200) {
      const size_t room =
          kMaxErrorBodyBytes - std::min(kMaxErrorBodyBytes, error_body_.size());
      error_body_.append(bytes.substr(0, room));
      return true;
    }
    events_.clear();
    Status status = decoder_->Feed(bytes, &events_);
    Forward();
    if (!status.ok()) {
      protocol_error_ = std::move(status);
      return false;
    }
    return true;
  }

  void OnComplete(Status status, bool head_received) override {
    if (!terminal_sent_ && status.ok() && head_.status == 200) {
      events_.clear();
      protocol_error_ = decoder_->Finish(&events_);
      Forward();
    }
    CircuitBreaker& breaker = *context_->breaker;
    if (terminal_sent_) {
      // A mid-stream error event from the upstream is its failure.
      if (stream_error_.ok() || stream_error_.code() != ErrorCode::kUnavailable) {
        breaker.RecordSuccess();
      } else {
        breaker.RecordFailure();
      }
      return;
    }
    const std::string& name = context_->upstream_name;
    const int http_status = head_received ? head_.status : 0;
    Status failure;
    if (!protocol_error_.ok()) {
      failure = Status(protocol_error_.code(), name + ": " + protocol_error_.message());
    } else if (cancel_ && cancel_->cancelled()) {
      failure = Status(ErrorCode::kCancelled, "the client went away");
    } else if (!status.ok()) {
      failure = Status(status.code(), name + ": " + status.message());
    } else {
      failure = wire::StatusFromUpstreamError(context_->error_flavor, http_status,
                                              error_body_);
    }
    if (failure.code() == ErrorCode::kCancelled) {
      breaker.RecordCancelled();
      sink_->OnEvent(ChatEvent::Failure(std::move(failure)));
      return;
    }
    if (CountsAgainstBreaker(failure, http_status)) {
      breaker.RecordFailure();
    } else if (http_status != 0) {
      breaker.RecordSuccess();  // the service answered
    }
    if (!delivered_ && ShouldRetry(failure, http_status)) {
      std::chrono::milliseconds wait = Backoff(retries_);
      if (http_status != 0) {
        if (std::optional<std::chrono::milliseconds> asked = net::RetryAfter(head_)) {
          wait = *asked;
        }
      }
      if (context_->clock->SteadyNow() + wait < deadline_) {
        ++retries_;
        spdlog::debug("{} answered {}; retry {} in {} ms", name,
                      http_status == 0 ? failure.message()
                                       : "HTTP " + std::to_string(http_status),
                      retries_, wait.count());
        auto self = shared_from_this();
        context_->delays->After(wait, [self] {
          if (self->cancel_ && self->cancel_->cancelled()) {
            self->context_->breaker->RecordCancelled();
            self->sink_->OnEvent(ChatEvent::Failure(
                Status(ErrorCode::kCancelled, "the client went away")));
            return;
          }
          self->Send();
        });
        return;
      }
    }
    spdlog::info("{} request failed: {}", name, failure.ToString());
    sink_->OnEvent(ChatEvent::Failure(std::move(failure)));
  }

 private:
  void Forward() {
    for (ChatEvent& event : events_) {
      if (terminal_sent_) {
        break;
      }
      const bool terminal = event.terminal();
      if (event.kind == ChatEvent::Kind::kError) {
        stream_error_ = event.error;
      }
      delivered_ = true;
      terminal_sent_ = terminal;
      sink_->OnEvent(std::move(event));
    }
  }

  bool ShouldRetry(const Status& failure, int http_status) const {
    if (retries_ >= context_->max_retries) {
      return false;
    }
    if (http_status != 0) {
      const std::string_view hint = head_.Header(kShouldRetryHeader);
      if (hint == "true") return true;
      if (hint == "false") return false;
      return RetryableStatus(http_status);
    }
    return failure.code() == ErrorCode::kUnavailable ||
           failure.code() == ErrorCode::kDeadlineExceeded;
  }

  const UpstreamContext* context_;
  const std::shared_ptr<const net::HttpRequest> request_;  // sent by every attempt
  std::shared_ptr<EventSink> sink_;
  std::shared_ptr<const CancelFlag> cancel_;
  const std::chrono::steady_clock::time_point deadline_;
  // This attempt: the status and the headers that say when to retry.
  net::HttpResponseHead head_;
  std::string error_body_;
  std::unique_ptr<wire::StreamDecoder> decoder_;
  Status protocol_error_;
  // The whole call.
  std::vector<ChatEvent> events_;
  int retries_ = 0;
  bool delivered_ = false;
  bool terminal_sent_ = false;
  Status stream_error_;
};

}  // namespace

void StartUpstreamCall(const UpstreamContext* context, net::HttpRequest request,
                       std::shared_ptr<EventSink> sink,
                       std::shared_ptr<const CancelFlag> cancel) {
  std::make_shared<UpstreamCall>(context, std::move(request), std::move(sink),
                                 std::move(cancel))
      ->Send();
}

}  // namespace duet
