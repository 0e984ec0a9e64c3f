// Url: the parts of an http:// or https:// URL that an HTTP client needs.
//
//   Url::Parse("https://api.anthropic.com/v1/messages?beta=true")
//     -> scheme "https", host "api.anthropic.com", port 443,
//        target "/v1/messages?beta=true"
//
// IPv6 literals are written in brackets ("http://[::1]:8080/") and stored
// without them. User info ("http://user:secret@proxy:3128") is split off into
// `user_info` and never appears in Display().
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace duet::net {

struct Url {
  std::string scheme;     // "http" or "https", lower case
  std::string host;       // lower case; IPv6 without brackets
  uint16_t port = 0;      // explicit, or 80 / 443 by scheme
  std::string target;     // path and query, "/" when empty
  std::string user_info;  // "user:password", percent-encoded as given

  bool tls() const { return scheme == "https"; }
  // "host:port", with brackets around IPv6 ("[::1]:8080").
  std::string Authority() const;
  // The Host header value: the authority without a default port.
  std::string HostHeader() const;
  // scheme://authority, for logs and errors: never includes user_info.
  std::string Display() const;

  // Fails with kInvalidArgument naming the problem: a scheme other than
  // http/https, an empty host, a bad port, or characters that cannot be in a
  // URL (spaces, control bytes).
  static Result<Url> Parse(std::string_view text);
};

// True for loopback hosts: localhost (and *.localhost), 127.0.0.0/8, ::1.
bool IsLoopbackHost(std::string_view host);

// Joins a base URL ("http://host:8080/prefix", with or without a trailing
// slash) and an API path ("/v1/messages").
std::string JoinUrl(std::string_view base, std::string_view path);

}  // namespace duet::net
