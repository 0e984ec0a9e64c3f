// DemoClient: sends the demo's requests to the gateway through duet's own
// HTTP client, one at a time, and waits for each whole answer.
//
// Thread safety: Send may be called from one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "net/http_client.h"

namespace duet {

struct DemoReply {
  int status = 0;
  net::HttpResponseHead head;  // status and headers
  std::string body;
  double seconds = 0;  // from sending to the last byte
};

class DemoClient {
 public:
  // Talks to the gateway at `base_url` ("http://127.0.0.1:8400").
  static Result<std::unique_ptr<DemoClient>> Create(std::string base_url);

  // POSTs `body` (JSON) to `path` and returns the answer, or the transport
  // failure (the gateway is not reachable, it timed out).
  Result<DemoReply> Post(const std::string& path, std::string body);

 private:
  DemoClient(std::string base_url, std::unique_ptr<net::HttpClient> client)
      : base_url_(std::move(base_url)), client_(std::move(client)) {}

  std::string base_url_;
  std::unique_ptr<net::HttpClient> client_;
};

}  // namespace duet
