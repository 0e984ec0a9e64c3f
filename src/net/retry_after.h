// RetryAfter: how long an HTTP answer asks the client to wait before
// retrying.
//
// Thread safety: pure function.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "net/http_client.h"

namespace duet::net {

// retry-after-ms (milliseconds, the Anthropic and OpenAI SDKs' extension)
// when it is a valid number, else retry-after in seconds (fractions
// allowed, under a day); nullopt otherwise. HTTP-date values are not
// supported and count as absent.
std::optional<std::chrono::milliseconds> RetryAfter(const HttpResponseHead& head);

// The headers RetryAfter reads (for a caller that keeps only those).
inline constexpr std::string_view kRetryAfterMsHeader = "retry-after-ms";
inline constexpr std::string_view kRetryAfterHeader = "retry-after";

}  // namespace duet::net
