// RequestParser: parses a client's HTTP request straight into a Request
// (internal to src/api/http).
//
// Beast's request_parser stores every header field in its own allocated
// node of an ordered set, which the session then copied into a Request:
// two copies of each field per request. This parser, a Beast basic_parser,
// hands each field over once, its name lower-cased as Request promises,
// splits the target into path and query, and appends the (de-chunked) body
// to Request::body.
//
// Beast's read operations (async_read_header, async_read) drive it like
// any parser; limits (header_limit, body_limit), keep_alive(),
// content_length() and is_header_done() are basic_parser's own.
//
// Thread safety: none; one parser per request.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <string>

#include "api/http/exchange.h"

namespace duet::api::http {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // Room for a typical head's fields, so the list does not regrow as they
  // arrive.
  RequestParser() { request_.headers.reserve(kTypicalFields); }

  // What has been parsed so far: method, path and query once the request
  // line is in, headers once is_header_done(), the body once is_done().
  Request& request() { return request_; }
  // 10 for HTTP/1.0, 11 for HTTP/1.1.
  int version() const { return version_; }

 private:
  static constexpr size_t kTypicalFields = 16;

  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view method,
                       string_view target, int version, error_code&) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field, string_view name,
                     string_view value, error_code&) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code&) override;
  size_t on_body_impl(string_view body, error_code&) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, string_view body,
                            error_code&) override;
  void on_finish_impl(error_code&) override {}

  Request request_;
  int version_ = 11;
};

}  // namespace duet::api::http
