// The remote backends as configured ([anthropic] and [upstreams.NAME]), and
// the HTTP client they share. Declare the result before anything that holds its backends, so the
// client outlives them.
#pragma once

#include <memory>
#include <vector>

#include "backend/backend.h"
#include "core/clock.h"
#include "core/config.h"
#include "net/http_client.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace duet {

struct CloudBackends {
  std::unique_ptr<net::HttpClient> http_client;
  std::vector<std::shared_ptr<Backend>> backends;
};

// Claude is configured when the variable named by anthropic.api_key_env is
// set (or anthropic.api_key is); otherwise it is left out and that is
// logged. Each [upstreams.NAME] becomes an OpenAI-compatible backend after
// Claude, in the order written. Fails on a bad catalogue, CA file or proxy
// variable. `clock` must outlive the result. Upstream calls run on
// `io_contexts` when given (duet's server passes its event loops, so an
// upstream answer is read and relayed on the thread of the connection that
// asked for it; they must outlive the result), else on a thread of the
// client's own.
Result<CloudBackends> MakeCloudBackends(
    const Config& config, const EnvLookup& getenv, const Clock* clock,
    const std::vector<boost::asio::io_context*>& io_contexts = {});

}  // namespace duet
