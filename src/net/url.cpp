#include "net/url.h"

#include <algorithm>
#include <charconv>

#include "core/ascii.h"

namespace duet::net {

std::string Url::Authority() const {
  const std::string shown =
      host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return shown + ":" + std::to_string(port);
}

std::string Url::HostHeader() const {
  const std::string shown =
      host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const bool default_port = (scheme == "https" && port == 443) ||
                            (scheme == "http" && port == 80);
  return default_port ? shown : shown + ":" + std::to_string(port);
}

std::string Url::Display() const { return scheme + "://" + HostHeader(); }

Result<Url> Url::Parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Error(InvalidArgument("URL '" + std::string(text.substr(0, 200)) +
                                 "': " + std::string(why)));
  };
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f) {
      return bad("contains a space or control character");
    }
  }
  Url url;
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return bad("expected http:// or https://");
  }
  url.scheme = std::string(text.substr(0, scheme_end));
  AsciiLowerInPlace(&url.scheme);
  if (url.scheme != "http" && url.scheme != "https") {
    return bad("expected http:// or https://");
  }
  std::string_view rest = text.substr(scheme_end + 3);
  const size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view target =
      path_start == std::string_view::npos ? "" : rest.substr(path_start);
  if (const size_t hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    url.user_info = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return bad("unclosed [ in the host");
    }
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return bad("unexpected text after the host");
      }
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
    }
  }
  if (url.host.empty()) {
    return bad("the host is empty");
  }
  AsciiLowerInPlace(&url.host);
  url.port = url.tls() ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, error] = std::from_chars(port_text.data(),
                                        port_text.data() + port_text.size(), value);
    if (error != std::errc() || end != port_text.data() + port_text.size() ||
        value == 0 || value > 65535) {
      return bad("the port must be a number from 1 to 65535");
    }
    url.port = static_cast<uint16_t>(value);
  }
  url.target = target.empty() ? "/" : std::string(target);
  if (url.target.front() == '?') {
    url.target.insert(url.target.begin(), '/');
  }
  return url;
}

std::string JoinUrl(std::string_view base, std::string_view path) {
  while (!base.empty() && base.back() == '/') {
    base.remove_suffix(1);
  }
  std::string joined(base);
  if (!path.empty() && path.front() != '/') {
    joined.push_back('/');
  }
  joined.append(path);
  return joined;
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.") ||
         host.ends_with(".localhost");
}

}  // namespace duet::net
