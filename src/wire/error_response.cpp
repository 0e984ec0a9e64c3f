#include "wire/error_response.h"

#include "core/json_writer.h"

namespace duet::wire {

int HttpStatusFor(ErrorCode code, ApiFlavor api) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kHeadersTooLarge:
      return 431;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kUnavailable:
      return api == ApiFlavor::kAnthropic ? 529 : 503;
    case ErrorCode::kDeadlineExceeded:
      return 504;
    case ErrorCode::kCancelled:
      // nginx's "client closed request"; only ever logged, since nobody is
      // left to read it.
      return 499;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

std::string_view AnthropicErrorType(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kHeadersTooLarge:
    case ErrorCode::kCancelled:
      return "invalid_request_error";
    case ErrorCode::kUnauthenticated:
      return "authentication_error";
    case ErrorCode::kPermissionDenied:
      return "permission_error";
    case ErrorCode::kNotFound:
      return "not_found_error";
    case ErrorCode::kPayloadTooLarge:
      return "request_too_large";
    case ErrorCode::kResourceExhausted:
      return "rate_limit_error";
    case ErrorCode::kUnavailable:
      return "overloaded_error";
    case ErrorCode::kDeadlineExceeded:
      return "timeout_error";
    case ErrorCode::kOk:
    case ErrorCode::kInternal:
      return "api_error";
  }
  return "api_error";
}

std::string_view OpenAIErrorType(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
    case ErrorCode::kPayloadTooLarge:
    case ErrorCode::kHeadersTooLarge:
    case ErrorCode::kCancelled:
      return "invalid_request_error";
    case ErrorCode::kUnauthenticated:
      return "authentication_error";
    case ErrorCode::kPermissionDenied:
      return "permission_error";
    case ErrorCode::kResourceExhausted:
      return "rate_limit_error";
    case ErrorCode::kUnavailable:
    case ErrorCode::kDeadlineExceeded:
    case ErrorCode::kOk:
    case ErrorCode::kInternal:
      return "server_error";
  }
  return "server_error";
}

std::string_view OpenAIErrorCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound:
      return "model_not_found";
    case ErrorCode::kUnauthenticated:
      return "invalid_api_key";
    case ErrorCode::kResourceExhausted:
      return "rate_limit_exceeded";
    case ErrorCode::kPayloadTooLarge:
      return "request_too_large";
    default:
      return "";
  }
}

void AppendAnthropicErrorObject(const Status& status, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Field("type", AnthropicErrorType(status.code()));
  w.Field("message", status.message());
  w.EndObject();
}

void AppendOpenAIErrorObject(const Status& status, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Field("message", status.message());
  w.Field("type", OpenAIErrorType(status.code()));
  w.Key("param");
  w.Null();
  w.Key("code");
  const std::string_view code = OpenAIErrorCode(status.code());
  if (code.empty()) {
    w.Null();
  } else {
    w.String(code);
  }
  w.EndObject();
}

std::string AnthropicErrorBody(const Status& status,
                               std::string_view request_id) {
  std::string out = R"({"type":"error","error":)";
  AppendAnthropicErrorObject(status, &out);
  if (!request_id.empty()) {
    out += R"(,"request_id":)";
    AppendJsonString(&out, request_id);
  }
  out += '}';
  return out;
}

std::string OpenAIErrorBody(const Status& status) {
  std::string out = R"({"error":)";
  AppendOpenAIErrorObject(status, &out);
  out += '}';
  return out;
}

std::string ErrorBody(const Status& status, ApiFlavor api,
                      std::string_view request_id) {
  return api == ApiFlavor::kAnthropic ? AnthropicErrorBody(status, request_id)
                                      : OpenAIErrorBody(status);
}

}  // namespace duet::wire
