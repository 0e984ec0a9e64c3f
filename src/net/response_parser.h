// ResponseParser: parses an upstream HTTP response straight into duet's
// HttpResponseHead and a body buffer (internal to src/net).
//
// Beast's response_parser stores every header field in its own allocated
// node of an ordered set, which the client then copied into an
// HttpResponseHead: two copies of each field per proxied request. This
// parser, a Beast basic_parser, hands each field over once, its name
// lower-cased as HttpResponseHead promises, and appends the (de-chunked)
// body to a buffer the caller drains after each read.
//
// Beast's read operations (async_read_header, async_read_some) drive it
// like any parser; limits (header_limit, body_limit), keep_alive() and
// is_done() are basic_parser's own.
//
// Thread safety: none; one parser per response.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <string>

#include "net/http_client.h"

namespace duet::net {

class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  // Room for a typical head's fields, so the list does not regrow as they
  // arrive.
  ResponseParser() { head_.headers.reserve(kTypicalFields); }

  // Status and headers; complete once is_header_done().
  HttpResponseHead& head() { return head_; }
  // Body bytes parsed and not yet taken; the caller clears what it used.
  std::string& body() { return body_; }

 private:
  static constexpr size_t kTypicalFields = 16;

  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, string_view reason, int version,
                        error_code& error) override;
  void on_field_impl(boost::beast::http::field, string_view name,
                     string_view value, error_code& error) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&,
                         error_code&) override {}
  size_t on_body_impl(string_view body, error_code& error) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t remain, string_view body,
                            error_code& error) override;
  void on_finish_impl(error_code&) override {}

  HttpResponseHead head_;
  std::string body_;
};

}  // namespace duet::net
