#include "api/http/request_parser.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <string>
#include <string_view>

namespace duet::api::http {
namespace {

// Feeds `wire` in pieces of `step` bytes, as reads would hand it over: what
// the parser leaves unconsumed waits for the next piece.
boost::beast::error_code Feed(RequestParser& parser, std::string_view wire,
                              size_t step) {
  boost::beast::error_code error;
  std::string unconsumed;
  for (size_t at = 0; at < wire.size() && !parser.is_done(); at += step) {
    unconsumed.append(wire.substr(at, step));
    while (!unconsumed.empty() && !parser.is_done()) {
      unconsumed.erase(0, parser.put(boost::asio::buffer(unconsumed), error));
      if (error == boost::beast::http::error::need_more) {
        error.clear();
        break;
      }
      if (error) {
        return error;
      }
    }
  }
  return error;
}

TEST(RequestParserTest, ChunkedRequestComesOutWholeWhateverThePieces) {
  const std::string wire =
      "POST /v1/messages?beta=true HTTP/1.1\r\n"
      "Host: localhost\r\n"
      "X-Api-Key: client-key\r\n"
      "Anthropic-Beta: one\r\n"
      "anthropic-beta: two\r\n"
      "Transfer-Encoding: chunked\r\n"
      "\r\n"
      "5\r\n{\"a\":\r\n"
      "3\r\n12}\r\n"
      "0\r\n\r\n";
  for (size_t step : {1u, 4u, 9u, 4096u}) {
    RequestParser parser;
    ASSERT_FALSE(Feed(parser, wire, step)) << step;
    ASSERT_TRUE(parser.is_done()) << step;
    const Request& request = parser.request();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.path, "/v1/messages");
    EXPECT_EQ(request.query, "beta=true");
    EXPECT_EQ(request.body, "{\"a\":12}") << step;
    ASSERT_EQ(request.headers.size(), 5u);
    // Names lower-cased, values as sent, in arrival order.
    EXPECT_EQ(request.headers[1],
              (std::pair<std::string, std::string>{"x-api-key", "client-key"}));
    EXPECT_EQ(request.headers[2].first, "anthropic-beta");
    EXPECT_EQ(request.headers[2].second, "one");
    EXPECT_EQ(request.headers[3].second, "two");
    EXPECT_EQ(request.Header("host"), "localhost");
    EXPECT_EQ(parser.version(), 11);
    EXPECT_TRUE(parser.keep_alive());
  }
}

TEST(RequestParserTest, Http10WithALengthAndNoQuery) {
  RequestParser parser;
  ASSERT_FALSE(Feed(
      parser,
      "POST /v1/chat/completions HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}", 7));
  ASSERT_TRUE(parser.is_done());
  EXPECT_EQ(parser.request().path, "/v1/chat/completions");
  EXPECT_EQ(parser.request().query, "");
  EXPECT_EQ(parser.request().body, "{}");
  EXPECT_EQ(parser.version(), 10);
  EXPECT_FALSE(parser.keep_alive());
  EXPECT_EQ(parser.content_length().value_or(0), 2u);
}

TEST(RequestParserTest, LimitsAndMalformedInputAreErrors) {
  RequestParser limited;
  limited.header_limit(64);
  EXPECT_EQ(
      Feed(limited,
           "GET / HTTP/1.1\r\nX-Long: " + std::string(100, 'a') + "\r\n\r\n",
           4096),
      boost::beast::http::error::header_limit);

  RequestParser small_body;
  small_body.body_limit(3);
  EXPECT_EQ(Feed(small_body, "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd",
                 4096),
            boost::beast::http::error::body_limit);

  RequestParser malformed;
  EXPECT_TRUE(Feed(malformed, "POST / HTTP/1.1\r\nNo colon\r\n\r\n", 4096));
  EXPECT_FALSE(malformed.is_done());
}

}  // namespace
}  // namespace duet::api::http
