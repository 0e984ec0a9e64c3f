// Status and Result<T>: duet's one error model across module boundaries.
//
// Every fallible call that crosses a module boundary returns Status (no value)
// or Result<T> (a value or a Status). Exceptions are caught at the edges around
// third-party code (JSON, TOML, Boost) and turned into Status there; they never
// cross a module boundary. The api layer maps a Status to an HTTP status and to
// each API's error body in exactly one place (api/error_response.h).
//
// Thread safety: Status and Result are values; share them like any value type.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace duet {

// What went wrong, independent of any wire protocol. The api layer decides the
// HTTP status and error type names from this code alone.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,    // the client sent something malformed or inconsistent
  kUnauthenticated,    // missing or wrong credentials
  kPermissionDenied,   // credentials valid but not allowed
  kNotFound,           // unknown model, path or resource
  kPayloadTooLarge,    // body over the configured limit
  kHeadersTooLarge,    // request header block over the configured limit
  kResourceExhausted,  // rate limited or a queue is full; retry later
  kUnavailable,        // the backend is overloaded or down; retry later
  kDeadlineExceeded,   // a timeout fired
  kCancelled,          // the client went away or the server is shutting down
  kInternal,           // a bug or an unexpected failure inside duet
};

// Stable lower_snake name of a code, for logs and tests ("invalid_argument").
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  // Human-readable and safe to return to a client: never holds secrets.
  const std::string& message() const { return message_; }

  // "invalid_argument: max_tokens: Field required", or "ok".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Shorthands so call sites read as what they mean.
inline Status InvalidArgument(std::string m) {
  return {ErrorCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) {
  return {ErrorCode::kNotFound, std::move(m)};
}
inline Status Internal(std::string m) {
  return {ErrorCode::kInternal, std::move(m)};
}
inline Status Unavailable(std::string m) {
  return {ErrorCode::kUnavailable, std::move(m)};
}

template <typename T>
using Result = tl::expected<T, Status>;

// Builds the error side of a Result<T>: `return Error(InvalidArgument("..."));`
inline tl::unexpected<Status> Error(Status status) {
  return tl::unexpected<Status>(std::move(status));
}

namespace internal {
// What the macros below return: converts to Status and to any Result<T>, so
// one macro serves both kinds of function.
struct PropagatedError {
  Status status;
  operator Status() && { return std::move(status); }  // NOLINT: implicit
  template <typename T>
  operator Result<T>() && {  // NOLINT: implicit by design
    return tl::unexpected<Status>(std::move(status));
  }
};
}  // namespace internal

}  // namespace duet

#define DUET_CONCAT_INNER_(a, b) a##b
#define DUET_CONCAT_(a, b) DUET_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
// Works in functions returning Status or Result<T>.
#define DUET_RETURN_IF_ERROR(expr)                       \
  do {                                                   \
    ::duet::Status duet_status_ = (expr);                \
    if (!duet_status_.ok()) {                            \
      return ::duet::internal::PropagatedError{         \
          std::move(duet_status_)};                      \
    }                                                    \
  } while (false)

// `DUET_ASSIGN_OR_RETURN(auto value, ComputeResult());` declares `value` from
// a Result<T>, or returns its error from the enclosing function.
#define DUET_ASSIGN_OR_RETURN(lhs, expr) \
  DUET_ASSIGN_OR_RETURN_IMPL_(DUET_CONCAT_(duet_result_, __LINE__), lhs, expr)
#define DUET_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp) {                                       \
    return ::duet::internal::PropagatedError{       \
        std::move(tmp).error()};                    \
  }                                                 \
  lhs = std::move(*tmp)
