#include "net/proxy.h"

#include <algorithm>

#include "core/ascii.h"

namespace duet::net {
namespace {

Result<std::optional<Url>> ParseProxy(std::string text) {
  if (text.empty()) {
    return std::optional<Url>();
  }
  if (text.find("://") == std::string::npos) {
    text = "http://" + text;
  }
  Result<Url> url = Url::Parse(text);
  if (!url) {
    // The message quotes the URL, which may hold a proxy password.
    return Error(InvalidArgument("proxy URL is not a valid http:// or https:// URL"));
  }
  return std::optional<Url>(std::move(*url));
}

}  // namespace

Result<ProxySettings> ProxySettings::FromEnvironment(const EnvLookup& getenv) {
  auto read = [&](const char* lower, const char* upper) -> std::string {
    if (const char* value = getenv(lower); value != nullptr) {
      return value;
    }
    const char* value = getenv(upper);
    return value != nullptr ? value : "";
  };
  return Make(read("http_proxy", "HTTP_PROXY"), read("https_proxy", "HTTPS_PROXY"),
              read("no_proxy", "NO_PROXY"));
}

Result<ProxySettings> ProxySettings::Make(std::string http_proxy,
                                          std::string https_proxy,
                                          std::string no_proxy,
                                          bool proxy_loopback) {
  ProxySettings settings;
  settings.proxy_loopback_ = proxy_loopback;
  DUET_ASSIGN_OR_RETURN(settings.http_proxy_, ParseProxy(std::move(http_proxy)));
  DUET_ASSIGN_OR_RETURN(settings.https_proxy_, ParseProxy(std::move(https_proxy)));
  std::replace(no_proxy.begin(), no_proxy.end(), ' ', ',');
  size_t start = 0;
  while (start <= no_proxy.size()) {
    size_t end = no_proxy.find(',', start);
    if (end == std::string::npos) {
      end = no_proxy.size();
    }
    std::string entry = no_proxy.substr(start, end - start);
    start = end + 1;
    AsciiLowerInPlace(&entry);
    if (entry.empty()) {
      continue;
    }
    if (entry == "*") {
      settings.no_proxy_all_ = true;
      continue;
    }
    int port = -1;
    // host:port, but not a bare IPv6 literal; [v6]:port is bracketed.
    const size_t colon = entry.rfind(':');
    if (colon != std::string::npos &&
        (entry.front() == '[' || entry.find(':') == colon)) {
      const std::string port_text = entry.substr(colon + 1);
      if (!port_text.empty() &&
          std::all_of(port_text.begin(), port_text.end(), ::isdigit) &&
          port_text.size() <= 5) {
        port = std::stoi(port_text);
        entry.resize(colon);
      }
    }
    if (entry.size() >= 2 && entry.front() == '[' && entry.back() == ']') {
      entry = entry.substr(1, entry.size() - 2);
    }
    while (!entry.empty() && entry.front() == '.') {
      entry.erase(entry.begin());
    }
    if (!entry.empty()) {
      settings.no_proxy_.emplace_back(entry, port);
    }
  }
  return settings;
}

std::optional<Url> ProxySettings::ProxyFor(const Url& target) const {
  const std::optional<Url>& proxy =
      target.tls() && https_proxy_ ? https_proxy_ : http_proxy_;
  if (!proxy || no_proxy_all_ || (!proxy_loopback_ && IsLoopbackHost(target.host))) {
    return std::nullopt;
  }
  for (const auto& [host, port] : no_proxy_) {
    if (port >= 0 && port != target.port) {
      continue;
    }
    if (target.host == host ||
        (target.host.size() > host.size() && target.host.ends_with(host) &&
         target.host[target.host.size() - host.size() - 1] == '.')) {
      return std::nullopt;
    }
  }
  return proxy;
}

}  // namespace duet::net
