#include "backend/anthropic/rate_limit_state.h"

#include <charconv>

#include "net/retry_after.h"

namespace duet::anthropic {
namespace {

// `text` as an integer; `keep` when it is not one.
int64_t IntOr(std::string_view text, int64_t keep) {
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
  // One pass over the headers (every answer has them; most are not rate
  // limit headers), taking the first of each name as Header() would.
  constexpr std::string_view kPrefix = "anthropic-ratelimit-";
  struct Field {
    std::string_view name;  // after the prefix
    std::string_view value = {};
    bool seen = false;
  };
  enum { kRequestsLimit, kRequestsRemaining, kTokensLimit, kTokensRemaining,
         kInputRemaining, kOutputRemaining, kRequestsReset, kTokensReset, kCount };
  Field fields[kCount] = {{"requests-limit"},         {"requests-remaining"},
                          {"tokens-limit"},           {"tokens-remaining"},
                          {"input-tokens-remaining"}, {"output-tokens-remaining"},
                          {"requests-reset"},         {"tokens-reset"}};
  for (const auto& [name, value] : head.headers) {
    if (!name.starts_with(kPrefix)) {
      continue;
    }
    const std::string_view rest = std::string_view(name).substr(kPrefix.size());
    for (Field& field : fields) {
      if (!field.seen && field.name == rest) {
        field.seen = true;
        field.value = value;
        break;
      }
    }
  }
  std::lock_guard lock(mutex_);
  RateLimitSnapshot& s = snapshot_;
  s.updated_at = now;
  s.requests_limit = IntOr(fields[kRequestsLimit].value, s.requests_limit);
  s.requests_remaining = IntOr(fields[kRequestsRemaining].value, s.requests_remaining);
  s.tokens_limit = IntOr(fields[kTokensLimit].value, s.tokens_limit);
  s.tokens_remaining = IntOr(fields[kTokensRemaining].value, s.tokens_remaining);
  s.input_tokens_remaining = IntOr(fields[kInputRemaining].value, s.input_tokens_remaining);
  s.output_tokens_remaining = IntOr(fields[kOutputRemaining].value, s.output_tokens_remaining);
  if (!fields[kRequestsReset].value.empty()) {
    s.requests_reset = std::string(fields[kRequestsReset].value);
  }
  if (!fields[kTokensReset].value.empty()) {
    s.tokens_reset = std::string(fields[kTokensReset].value);
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
