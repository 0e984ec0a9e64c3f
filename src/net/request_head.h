// RequestHead: the bytes of an HTTP/1.1 request up to and including the
// blank line, written by hand so a call sends its head and body in one
// gathered write without building a header container first.
//
// Host comes first, then the given headers in order, then
// Proxy-Authorization when one is given, then Content-Length (for any body,
// and for an empty one unless the method is GET or HEAD). Given headers
// named Host, Content-Length, Transfer-Encoding or Connection are dropped:
// the client frames the message itself and keeps the connection alive.
//
// A head that would not be one request on the wire is refused with
// kInvalidArgument instead of being sent: a method or header name that is
// not an HTTP token, a target with spaces or control characters, or a value
// holding CR, LF or NUL (header injection). The message names the header,
// never its value, which may be a secret.
//
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "net/http_client.h"

namespace duet::net {

struct RequestHeadParts {
  std::string_view method;
  std::string_view target;               // origin or absolute form
  std::string_view host;                 // the Host header's value
  const HeaderList* headers = nullptr;   // may be null
  std::string_view proxy_authorization;  // empty: none
  size_t body_size = 0;
};

Result<std::string> RequestHead(const RequestHeadParts& parts);

}  // namespace duet::net
