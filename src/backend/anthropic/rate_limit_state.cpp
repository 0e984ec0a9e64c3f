#include "backend/anthropic/rate_limit_state.h"

#include <charconv>

#include "net/retry_after.h"

namespace duet::anthropic {
namespace {

int64_t IntHeader(const net::HttpResponseHead& head, std::string_view name,
                  int64_t keep) {
  const std::string_view text = head.Header(name);
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return keep;
  }
  return value;
}

}  // namespace

void RateLimitState::Update(const net::HttpResponseHead& head,
                            std::chrono::steady_clock::time_point now) {
  const std::string prefix = "anthropic-ratelimit-";
  std::lock_guard lock(mutex_);
  RateLimitSnapshot& s = snapshot_;
  s.updated_at = now;
  s.requests_limit = IntHeader(head, prefix + "requests-limit", s.requests_limit);
  s.requests_remaining =
      IntHeader(head, prefix + "requests-remaining", s.requests_remaining);
  s.tokens_limit = IntHeader(head, prefix + "tokens-limit", s.tokens_limit);
  s.tokens_remaining = IntHeader(head, prefix + "tokens-remaining", s.tokens_remaining);
  s.input_tokens_remaining =
      IntHeader(head, prefix + "input-tokens-remaining", s.input_tokens_remaining);
  s.output_tokens_remaining =
      IntHeader(head, prefix + "output-tokens-remaining", s.output_tokens_remaining);
  if (std::string_view reset = head.Header(prefix + "requests-reset"); !reset.empty()) {
    s.requests_reset = std::string(reset);
  }
  if (std::string_view reset = head.Header(prefix + "tokens-reset"); !reset.empty()) {
    s.tokens_reset = std::string(reset);
  }
  if (head.status == 429 || head.status == 529) {
    if (std::optional<std::chrono::milliseconds> wait = net::RetryAfter(head)) {
      s.retry_not_before = now + *wait;
    }
  } else if (head.status >= 200 && head.status < 300) {
    s.retry_not_before.reset();
  }
}

RateLimitSnapshot RateLimitState::Snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

}  // namespace duet::anthropic
