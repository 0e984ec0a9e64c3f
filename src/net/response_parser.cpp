#include "net/response_parser.h"

#include "core/ascii.h"

namespace duet::net {

void ResponseParser::on_response_impl(int code, string_view, int, error_code&) {
  head_.status = code;
}

void ResponseParser::on_field_impl(boost::beast::http::field, string_view name,
                                   string_view value, error_code&) {
  auto& [lower_name, field_value] = head_.headers.emplace_back();
  lower_name.assign(name.data(), name.size());
  AsciiLowerInPlace(&lower_name);
  field_value.assign(value.data(), value.size());
}

size_t ResponseParser::on_body_impl(string_view body, error_code&) {
  body_.append(body.data(), body.size());
  return body.size();
}

size_t ResponseParser::on_chunk_body_impl(std::uint64_t, string_view body,
                                          error_code&) {
  body_.append(body.data(), body.size());
  return body.size();
}

}  // namespace duet::net
