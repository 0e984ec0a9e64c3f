#include "api/http/request_parser.h"

#include <algorithm>

#include "core/ascii.h"

namespace duet::api::http {

void RequestParser::on_request_impl(boost::beast::http::verb,
                                    string_view method, string_view target,
                                    int version, error_code&) {
  version_ = version;
  request_.method.assign(method.data(), method.size());
  const std::string_view whole(target.data(), target.size());
  const size_t question = whole.find('?');
  request_.path.assign(whole.substr(0, question));
  if (question != std::string_view::npos) {
    request_.query.assign(whole.substr(question + 1));
  }
}

void RequestParser::on_field_impl(boost::beast::http::field, string_view name,
                                  string_view value, error_code&) {
  auto& [lower_name, field_value] = request_.headers.emplace_back();
  lower_name.assign(name.data(), name.size());
  AsciiLowerInPlace(&lower_name);
  field_value.assign(value.data(), value.size());
}

void RequestParser::on_body_init_impl(
    const boost::optional<std::uint64_t>& content_length, error_code&) {
  // Beast has checked the length against body_limit; the cap only guards a
  // parser used without one.
  constexpr std::uint64_t kMostReserved = 64 * 1024 * 1024;
  if (content_length) {
    request_.body.reserve(
        static_cast<size_t>(std::min(*content_length, kMostReserved)));
  }
}

size_t RequestParser::on_body_impl(string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body,
                                         error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

}  // namespace duet::api::http
