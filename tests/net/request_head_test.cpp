#include "net/request_head.h"

#include <gtest/gtest.h>

namespace duet::net {
namespace {

RequestHeadParts Parts(std::string_view method, std::string_view target,
                       std::string_view host,
                       const HeaderList* headers = nullptr,
                       size_t body_size = 0) {
  RequestHeadParts parts;
  parts.method = method;
  parts.target = target;
  parts.host = host;
  parts.headers = headers;
  parts.body_size = body_size;
  return parts;
}

RequestHeadParts WithProxyAuth(RequestHeadParts parts,
                               std::string_view credentials) {
  parts.proxy_authorization = credentials;
  return parts;
}

TEST(RequestHeadTest, WritesHostHeadersAndLengthInOrder) {
  const HeaderList headers = {{"content-type", "application/json"},
                              {"x-api-key", "secret-value"}};
  Result<std::string> head = RequestHead(Parts(
      "POST", "/v1/messages?beta=true", "api.example:8443", &headers, 42));
  ASSERT_TRUE(head.has_value()) << head.error().message();
  EXPECT_EQ(*head,
            "POST /v1/messages?beta=true HTTP/1.1\r\n"
            "Host: api.example:8443\r\n"
            "content-type: application/json\r\n"
            "x-api-key: secret-value\r\n"
            "Content-Length: 42\r\n"
            "\r\n");
}

TEST(RequestHeadTest, ContentLengthOnlyWhereABodyBelongs) {
  Result<std::string> get = RequestHead(Parts("GET", "/v1/models", "h"));
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(*get, "GET /v1/models HTTP/1.1\r\nHost: h\r\n\r\n");
  Result<std::string> empty_post = RequestHead(Parts("POST", "/", "h"));
  ASSERT_TRUE(empty_post.has_value());
  EXPECT_NE(empty_post->find("Content-Length: 0\r\n"), std::string::npos);
}

TEST(RequestHeadTest, DropsFramingHeadersTheClientWritesItself) {
  const HeaderList headers = {{"Host", "evil.example"},
                              {"Content-Length", "1"},
                              {"transfer-encoding", "chunked"},
                              {"Connection", "close"},
                              {"accept", "text/event-stream"}};
  Result<std::string> head =
      RequestHead(Parts("POST", "/", "good.example", &headers, 3));
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(
      *head,
      "POST / HTTP/1.1\r\nHost: good.example\r\naccept: text/event-stream\r\n"
      "Content-Length: 3\r\n\r\n");
}

TEST(RequestHeadTest, ProxyAuthorizationAfterTheGivenHeaders) {
  const HeaderList headers = {{"a", "1"}};
  Result<std::string> head = RequestHead(WithProxyAuth(
      Parts("GET", "http://origin.example/x", "origin.example", &headers),
      "Basic dTpw"));
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(
      *head,
      "GET http://origin.example/x HTTP/1.1\r\nHost: origin.example\r\na: 1\r\n"
      "Proxy-Authorization: Basic dTpw\r\n\r\n");
}

TEST(RequestHeadTest, RefusesHeaderInjectionWithoutEchoingTheValue) {
  const HeaderList injected = {{"anthropic-beta", "x\r\nX-Evil: 1"}};
  Result<std::string> head = RequestHead(Parts("POST", "/", "h", &injected));
  ASSERT_FALSE(head.has_value());
  EXPECT_EQ(head.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(head.error().message().find("anthropic-beta"), std::string::npos);
  EXPECT_EQ(head.error().message().find("Evil"), std::string::npos);

  const HeaderList nul = {{"x-api-key", std::string("ab\0cd", 5)}};
  EXPECT_FALSE(RequestHead(Parts("POST", "/", "h", &nul)).has_value());
  for (const char* bare : {"x\rX-Evil: 1", "x\nX-Evil: 1", "\n", "end\r"}) {
    const HeaderList one_break = {{"anthropic-beta", bare}};
    EXPECT_FALSE(RequestHead(Parts("POST", "/", "h", &one_break)).has_value()) << bare;
  }
  const HeaderList bad_name = {{"bad name", "v"}};
  EXPECT_FALSE(RequestHead(Parts("POST", "/", "h", &bad_name)).has_value());
  const HeaderList empty_name = {{"", "v"}};
  EXPECT_FALSE(RequestHead(Parts("POST", "/", "h", &empty_name)).has_value());
}

TEST(RequestHeadTest, RefusesBadMethodTargetAndHost) {
  EXPECT_FALSE(RequestHead(Parts("PO ST", "/", "h")).has_value());
  EXPECT_FALSE(RequestHead(Parts("", "/", "h")).has_value());
  EXPECT_FALSE(RequestHead(Parts("GET", "/a b", "h")).has_value());
  EXPECT_FALSE(RequestHead(Parts("GET", "/a\r\nX: y", "h")).has_value());
  EXPECT_FALSE(RequestHead(Parts("GET", "", "h")).has_value());
  EXPECT_FALSE(RequestHead(Parts("GET", "/", "h\r\nX: y")).has_value());
  EXPECT_TRUE(RequestHead(Parts("GET", "/", "h\t")).has_value());
}

}  // namespace
}  // namespace duet::net
