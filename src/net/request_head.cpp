#include "net/request_head.h"

#include <algorithm>
#include <array>
#include <boost/beast/core/string.hpp>

namespace duet::net {
namespace {

// RFC 9110 token characters, looked up per byte.
constexpr std::array<bool, 256> kTokenChar = [] {
  std::array<bool, 256> token{};
  for (int c = 0; c < 256; ++c) {
    token[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) {
    token[static_cast<unsigned char>(c)] = true;
  }
  return token;
}();

bool IsTokenChar(unsigned char c) { return kTokenChar[c]; }

bool IsToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return IsTokenChar(static_cast<unsigned char>(c));
  });
}

// One pass (string_view::find_first_of calls memchr once per byte).
bool IsFieldValue(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    return c == '\r' || c == '\n' || c == '\0';
  });
}

bool IsTarget(std::string_view text) {
  return !text.empty() && std::none_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
  });
}

// Headers the client writes itself.
bool IsFraming(std::string_view name) {
  constexpr std::array<std::string_view, 4> kFraming = {
      "host", "content-length", "transfer-encoding", "connection"};
  return std::any_of(kFraming.begin(), kFraming.end(),
                     [&](std::string_view framing) {
                       return name.size() == framing.size() &&
                              boost::beast::iequals(name, framing);
                     });
}

void AppendField(std::string& out, std::string_view name,
                 std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

}  // namespace

Result<std::string> RequestHead(const RequestHeadParts& parts) {
  if (!IsToken(parts.method)) {
    return Error(InvalidArgument("the request method is not an HTTP token"));
  }
  if (!IsTarget(parts.target)) {
    return Error(
        InvalidArgument("the request target has spaces or control characters"));
  }
  if (!IsFieldValue(parts.host) || !IsFieldValue(parts.proxy_authorization)) {
    return Error(InvalidArgument(
        "the request's host or proxy credentials hold a line break"));
  }
  size_t size = parts.method.size() + parts.target.size() + parts.host.size() +
                parts.proxy_authorization.size() + 96;
  if (parts.headers != nullptr) {
    for (const auto& [name, value] : *parts.headers) {
      size += name.size() + value.size() + 4;
    }
  }
  std::string out;
  out.reserve(size);
  out.append(parts.method);
  out.push_back(' ');
  out.append(parts.target);
  out.append(" HTTP/1.1\r\n");
  AppendField(out, "Host", parts.host);
  if (parts.headers != nullptr) {
    for (const auto& [name, value] : *parts.headers) {
      if (!IsToken(name)) {
        return Error(InvalidArgument("request header name '" + name +
                                     "' is not an HTTP token"));
      }
      if (!IsFieldValue(value)) {
        return Error(InvalidArgument("request header " + name +
                                     " holds a line break or NUL"));
      }
      if (!IsFraming(name)) {
        AppendField(out, name, value);
      }
    }
  }
  if (!parts.proxy_authorization.empty()) {
    AppendField(out, "Proxy-Authorization", parts.proxy_authorization);
  }
  if (parts.body_size > 0 ||
      (parts.method != "GET" && parts.method != "HEAD")) {
    AppendField(out, "Content-Length", std::to_string(parts.body_size));
  }
  out.append("\r\n");
  return out;
}

}  // namespace duet::net
