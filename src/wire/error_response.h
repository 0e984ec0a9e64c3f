// The one place where a duet Status becomes an HTTP status and an error body
// in each API's own shape.
//
//   Anthropic: {"type":"error","error":{"type":"not_found_error","message":"..."},
//               "request_id":"req_..."}
//   OpenAI:    {"error":{"message":"...","type":"invalid_request_error",
//               "param":null,"code":"model_not_found"}}
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "model/chat.h"

namespace duet::wire {

// HTTP status for `code` as `api` reports it. The two APIs differ only for
// kUnavailable: Anthropic says 529 (overloaded), OpenAI 503.
int HttpStatusFor(ErrorCode code, ApiFlavor api);

// Anthropic error.type for `code` ("invalid_request_error", "not_found_error",
// "rate_limit_error", "overloaded_error", "api_error"...).
std::string_view AnthropicErrorType(ErrorCode code);

// OpenAI error.type for `code` ("invalid_request_error", "rate_limit_error",
// "server_error"...), and error.code, which may be empty (rendered as null).
std::string_view OpenAIErrorType(ErrorCode code);
std::string_view OpenAIErrorCode(ErrorCode code);

// The full error body. `request_id` is included for Anthropic when non-empty.
std::string AnthropicErrorBody(const Status& status,
                               std::string_view request_id);
std::string OpenAIErrorBody(const Status& status);
std::string ErrorBody(const Status& status, ApiFlavor api,
                      std::string_view request_id);

// The inner error object alone ({"type":...,"message":...} for Anthropic,
// {"message":...,"type":...,"param":null,"code":...} for OpenAI), written
// with `writer`-compatible JSON: used by the stream writers for mid-stream
// error events.
void AppendAnthropicErrorObject(const Status& status, std::string* out);
void AppendOpenAIErrorObject(const Status& status, std::string* out);

}  // namespace duet::wire
