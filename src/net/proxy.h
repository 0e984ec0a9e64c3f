// ProxySettings: which proxy, if any, a request to a URL goes through, the
// way curl and most HTTP tools read it from the environment.
//
//   HTTPS_PROXY / https_proxy   proxy for https:// URLs (tunnelled with
//                               CONNECT, so TLS stays end to end)
//   HTTP_PROXY / http_proxy     proxy for http:// URLs (absolute-form
//                               requests); also used for https when
//                               HTTPS_PROXY is unset
//   NO_PROXY / no_proxy         comma- or space-separated exceptions: "*"
//                               (everything), host names matching
//                               themselves and their subdomains (a leading
//                               "." is optional), IP literals, each with an
//                               optional ":port"
//
// The lower-case variable wins when both spellings are set (curl's rule).
// Loopback hosts (localhost, 127.0.0.0/8, ::1) are never proxied, so local
// upstreams keep working behind a corporate proxy, unless Make is asked to
// (`proxy_loopback`, for tests that run a proxy and its upstream on this
// machine). CIDR ranges in NO_PROXY are not supported.
//
// Thread safety: immutable after construction.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "net/url.h"

namespace duet::net {

class ProxySettings {
 public:
  using EnvLookup = std::function<const char*(const char*)>;

  ProxySettings() = default;
  // Fails when a proxy variable is set but is not a valid http:// or
  // https:// URL (a proxy URL without a scheme is taken as http://).
  static Result<ProxySettings> FromEnvironment(const EnvLookup& getenv);
  // `proxy_loopback`: proxy loopback hosts too (NO_PROXY still applies).
  static Result<ProxySettings> Make(std::string http_proxy,
                                    std::string https_proxy,
                                    std::string no_proxy,
                                    bool proxy_loopback = false);

  // The proxy for `target`, or nullopt for a direct connection.
  std::optional<Url> ProxyFor(const Url& target) const;

 private:
  std::optional<Url> http_proxy_;
  std::optional<Url> https_proxy_;
  bool no_proxy_all_ = false;
  bool proxy_loopback_ = false;
  std::vector<std::pair<std::string, int>> no_proxy_;  // host, port or -1
};

}  // namespace duet::net
