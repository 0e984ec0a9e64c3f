// An upstream's HTTP error answer -> a duet Status, for the remote backends.
//
// The code comes from the body's error type when the API names one
// (Anthropic error.type, OpenAI error.type/code) and from the HTTP status
// otherwise, so an upstream 429 stays kResourceExhausted, 529 becomes
// kUnavailable (and is re-rendered as 529 to Anthropic clients, 503 to OpenAI
// ones), 401 stays kUnauthenticated, and so on. The message is the
// upstream's own error message (at most kMaxMessageBytes), or
// "upstream answered HTTP <status>" when the body has none.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/status.h"
#include "model/chat.h"

namespace duet::wire {

inline constexpr size_t kMaxUpstreamMessageBytes = 1024;

// The code duet uses for an upstream HTTP status with no better information.
ErrorCode ErrorCodeForHttpStatus(int http_status);

// The code for an Anthropic error.type ("rate_limit_error"...); `fallback`
// for a type duet does not know.
ErrorCode ErrorCodeForAnthropicType(std::string_view type, ErrorCode fallback);

// The Status for an upstream error response of `api`'s shape. Never fails:
// a body that is not JSON, or not in the API's error shape, yields the
// status-derived code and the generic message.
Status StatusFromUpstreamError(ApiFlavor api, int http_status,
                               std::string_view body);

}  // namespace duet::wire
