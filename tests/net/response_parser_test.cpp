#include "net/response_parser.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <string>
#include <string_view>

namespace duet::net {
namespace {

// Feeds `wire` to `parser` in pieces of `step` bytes, as reads would hand
// it over: what the parser leaves unconsumed waits for the next piece.
// Returns the body the parser produced along the way.
std::string Feed(ResponseParser& parser, std::string_view wire, size_t step,
                 boost::beast::error_code* error) {
  std::string body;
  std::string unconsumed;
  for (size_t at = 0; at < wire.size() && !parser.is_done(); at += step) {
    unconsumed.append(wire.substr(at, step));
    while (!unconsumed.empty() && !parser.is_done()) {
      const size_t used = parser.put(boost::asio::buffer(unconsumed), *error);
      unconsumed.erase(0, used);
      body += parser.body();
      parser.body().clear();
      if (*error == boost::beast::http::error::need_more) {
        error->clear();
        break;
      }
      if (*error) {
        return body;
      }
    }
  }
  return body;
}

TEST(ResponseParserTest, ChunkedBodyComesOutWholeWhateverThePieces) {
  const std::string wire =
      "HTTP/1.1 429 Too Many Requests\r\n"
      "Content-Type: text/event-stream\r\n"
      "Retry-After: 7\r\n"
      "X-Duplicate: one\r\n"
      "x-duplicate: two\r\n"
      "Transfer-Encoding: chunked\r\n"
      "\r\n"
      "6\r\nevent:\r\n"
      "10\r\n message_start\n\n\r\n"
      "0\r\n\r\n";
  for (size_t step : {1u, 3u, 7u, 4096u}) {
    ResponseParser parser;
    parser.body_limit(boost::none);
    boost::beast::error_code error;
    const std::string body = Feed(parser, wire, step, &error);
    ASSERT_FALSE(error) << "step " << step << ": " << error.message();
    EXPECT_TRUE(parser.is_done()) << step;
    EXPECT_EQ(body, "event: message_start\n\n") << step;
    const HttpResponseHead& head = parser.head();
    EXPECT_EQ(head.status, 429);
    ASSERT_EQ(head.headers.size(), 5u) << step;
    // Names lower-cased, values as sent, in arrival order.
    EXPECT_EQ(head.headers[0].first, "content-type");
    EXPECT_EQ(head.headers[0].second, "text/event-stream");
    EXPECT_EQ(head.Header("retry-after"), "7");
    EXPECT_EQ(head.headers[2],
              (std::pair<std::string, std::string>{"x-duplicate", "one"}));
    EXPECT_EQ(head.headers[3],
              (std::pair<std::string, std::string>{"x-duplicate", "two"}));
    EXPECT_TRUE(parser.keep_alive());
  }
}

TEST(ResponseParserTest, ContentLengthBodyAndConnectionClose) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
      "{\"ok\":true}";
  ResponseParser parser;
  boost::beast::error_code error;
  const std::string body = Feed(parser, wire, 5, &error);
  ASSERT_FALSE(error) << error.message();
  EXPECT_TRUE(parser.is_done());
  EXPECT_EQ(body, "{\"ok\":true}");
  EXPECT_EQ(parser.head().status, 200);
  EXPECT_FALSE(parser.keep_alive());
}

TEST(ResponseParserTest, AMalformedHeadIsAnError) {
  ResponseParser parser;
  boost::beast::error_code error;
  Feed(parser, "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", 64, &error);
  EXPECT_TRUE(error);
  EXPECT_FALSE(parser.is_done());
}

TEST(ResponseParserTest, TheHeaderLimitHolds) {
  ResponseParser parser;
  parser.header_limit(64);
  boost::beast::error_code error;
  const std::string wire =
      "HTTP/1.1 200 OK\r\nX-Long: " + std::string(100, 'a') + "\r\n\r\n";
  Feed(parser, wire, 4096, &error);
  EXPECT_EQ(error, boost::beast::http::error::header_limit);
}

}  // namespace
}  // namespace duet::net
