// Client key ids: who is asking, for budgets and local-only keys, without
// ever keeping the key itself.
//
// The id is "key-" and the first 12 hex digits of the key's SHA-256: stable,
// short enough for configuration and logs, and not reversible for real API
// keys. `duet key-id KEY` prints it, so the operator can name a key in
// [policy.budget.keys] or policy.sensitive.local_only_keys.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "api/http/exchange.h"

namespace duet::api {

// "" for an empty key.
std::string ClientKeyId(std::string_view key);

// The id of the key the request carries in x-api-key or as an
// Authorization bearer token; "" when it carries none.
std::string ClientKeyIdOf(const http::Request& request);

}  // namespace duet::api
