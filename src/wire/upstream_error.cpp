#include "wire/upstream_error.h"

#include <string>

#include "wire/json_read.h"

namespace duet::wire {

ErrorCode ErrorCodeForHttpStatus(int http_status) {
  switch (http_status) {
    case 400:
      return ErrorCode::kInvalidArgument;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 402:
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 408:
    case 504:
      return ErrorCode::kDeadlineExceeded;
    case 413:
      return ErrorCode::kPayloadTooLarge;
    case 429:
      return ErrorCode::kResourceExhausted;
    case 502:
    case 503:
    case 529:
      return ErrorCode::kUnavailable;
    default:
      break;
  }
  if (http_status >= 400 && http_status < 500) {
    return ErrorCode::kInvalidArgument;
  }
  return ErrorCode::kInternal;
}

ErrorCode ErrorCodeForAnthropicType(std::string_view type,
                                    ErrorCode fallback) {
  struct Entry {
    std::string_view type;
    ErrorCode code;
  };
  static constexpr Entry kTypes[] = {
      {"invalid_request_error", ErrorCode::kInvalidArgument},
      {"authentication_error", ErrorCode::kUnauthenticated},
      {"permission_error", ErrorCode::kPermissionDenied},
      {"billing_error", ErrorCode::kPermissionDenied},
      {"not_found_error", ErrorCode::kNotFound},
      {"request_too_large", ErrorCode::kPayloadTooLarge},
      {"rate_limit_error", ErrorCode::kResourceExhausted},
      {"overloaded_error", ErrorCode::kUnavailable},
      {"timeout_error", ErrorCode::kDeadlineExceeded},
      {"api_error", ErrorCode::kInternal},
  };
  for (const Entry& entry : kTypes) {
    if (entry.type == type) {
      return entry.code;
    }
  }
  return fallback;
}

namespace {

std::string Clip(std::string message) {
  if (message.size() > kMaxUpstreamMessageBytes) {
    message.resize(kMaxUpstreamMessageBytes);
  }
  return message;
}

// OpenAI-compatible servers name errors inconsistently (OpenAI itself,
// vLLM, llama-server, Ollama); only the unambiguous names refine the code.
ErrorCode ErrorCodeForOpenAIType(std::string_view type, ErrorCode fallback) {
  if (type == "rate_limit_error" || type == "rate_limit_exceeded") {
    return ErrorCode::kResourceExhausted;
  }
  if (type == "model_not_found" || type == "not_found_error") {
    return ErrorCode::kNotFound;
  }
  if (type == "authentication_error" || type == "invalid_api_key") {
    return ErrorCode::kUnauthenticated;
  }
  if (type == "context_length_exceeded" || type == "exceed_context_size_error") {
    return ErrorCode::kInvalidArgument;
  }
  return fallback;
}

}  // namespace

Status StatusFromUpstreamError(ApiFlavor api, int http_status,
                               std::string_view body) {
  const ErrorCode status_code = ErrorCodeForHttpStatus(http_status);
  Status generic(status_code,
                 "upstream answered HTTP " + std::to_string(http_status));
  Result<Json> parsed = ParseJsonObject(body);
  if (!parsed) {
    return generic;
  }
  const auto error = parsed->find("error");
  if (error == parsed->end()) {
    return generic;
  }
  if (error->is_string()) {  // {"error":"..."} (Ollama, some proxies)
    return Status(status_code, Clip(error->get<std::string>()));
  }
  if (!error->is_object()) {
    return generic;
  }
  std::string message = generic.message();
  if (auto it = error->find("message"); it != error->end() && it->is_string() &&
                                        !it->get_ref<const std::string&>().empty()) {
    message = Clip(it->get<std::string>());
  }
  ErrorCode code = status_code;
  auto name_of = [&](const char* key) -> std::string_view {
    auto it = error->find(key);
    if (it == error->end() || !it->is_string()) {
      return {};
    }
    return it->get_ref<const std::string&>();
  };
  if (api == ApiFlavor::kAnthropic) {
    code = ErrorCodeForAnthropicType(name_of("type"), status_code);
  } else {
    code = ErrorCodeForOpenAIType(name_of("code"),
                                  ErrorCodeForOpenAIType(name_of("type"),
                                                         status_code));
  }
  return Status(code, std::move(message));
}

}  // namespace duet::wire
