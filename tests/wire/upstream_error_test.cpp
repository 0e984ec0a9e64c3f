// StatusFromUpstreamError: upstream error answers keep their meaning.
#include "wire/upstream_error.h"

#include <gtest/gtest.h>

#include <string>

namespace duet::wire {
namespace {

TEST(UpstreamErrorTest, AnthropicTypeDecidesTheCode) {
  const Status status = StatusFromUpstreamError(
      ApiFlavor::kAnthropic, 529,
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"})");
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(status.message(), "Overloaded");

  EXPECT_EQ(StatusFromUpstreamError(
                ApiFlavor::kAnthropic, 400,
                R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})")
                .code(),
            ErrorCode::kResourceExhausted);
  EXPECT_EQ(StatusFromUpstreamError(
                ApiFlavor::kAnthropic, 401,
                R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}})"),
            Status(ErrorCode::kUnauthenticated, "invalid x-api-key"));
}

TEST(UpstreamErrorTest, UnknownTypeFallsBackToTheHttpStatus) {
  EXPECT_EQ(StatusFromUpstreamError(
                ApiFlavor::kAnthropic, 429,
                R"({"type":"error","error":{"type":"brand_new_error","message":"m"}})")
                .code(),
            ErrorCode::kResourceExhausted);
}

TEST(UpstreamErrorTest, BodiesThatAreNotErrorsGiveAGenericMessage) {
  for (const char* body : {"", "<html>bad gateway</html>", "[1,2]", "{}",
                           R"({"error":42})"}) {
    const Status status =
        StatusFromUpstreamError(ApiFlavor::kAnthropic, 502, body);
    EXPECT_EQ(status.code(), ErrorCode::kUnavailable) << body;
    EXPECT_EQ(status.message(), "upstream answered HTTP 502") << body;
  }
  EXPECT_EQ(StatusFromUpstreamError(ApiFlavor::kOpenAI, 418, "teapot").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(StatusFromUpstreamError(ApiFlavor::kOpenAI, 503, "").code(),
            ErrorCode::kUnavailable);
  EXPECT_EQ(StatusFromUpstreamError(ApiFlavor::kOpenAI, 504, "").code(),
            ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(StatusFromUpstreamError(ApiFlavor::kOpenAI, 500, "").code(),
            ErrorCode::kInternal);
}

TEST(UpstreamErrorTest, OpenAIShapes) {
  EXPECT_EQ(StatusFromUpstreamError(
                ApiFlavor::kOpenAI, 404,
                R"({"error":{"message":"The model `x` does not exist","type":"invalid_request_error","param":null,"code":"model_not_found"}})"),
            Status(ErrorCode::kNotFound, "The model `x` does not exist"));
  // llama-server's context overflow.
  EXPECT_EQ(StatusFromUpstreamError(
                ApiFlavor::kOpenAI, 400,
                R"({"error":{"code":400,"message":"too long","type":"exceed_context_size_error"}})")
                .code(),
            ErrorCode::kInvalidArgument);
  // Ollama's flat {"error":"..."}.
  EXPECT_EQ(StatusFromUpstreamError(ApiFlavor::kOpenAI, 404,
                                    R"({"error":"model 'q' not found"})"),
            Status(ErrorCode::kNotFound, "model 'q' not found"));
}

TEST(UpstreamErrorTest, LongMessagesAreClipped) {
  const std::string body = R"({"error":{"message":")" +
                           std::string(5000, 'm') + R"("}})";
  EXPECT_EQ(StatusFromUpstreamError(ApiFlavor::kOpenAI, 500, body)
                .message()
                .size(),
            kMaxUpstreamMessageBytes);
}

}  // namespace
}  // namespace duet::wire
