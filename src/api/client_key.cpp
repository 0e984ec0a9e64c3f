#include "api/client_key.h"

#include <optional>

#include "core/sha256_digest.h"

namespace duet::api {

std::string ClientKeyId(std::string_view key) {
  if (key.empty()) {
    return "";
  }
  const std::optional<Sha256Digest> digest = Sha256Of(key);
  if (!digest) {
    // Not reachable with a working libcrypto; an id that names no key
    // still never reveals this one.
    return "key-unhashable";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "key-";
  for (int i = 0; i < 6; ++i) {
    id.push_back(kHex[(*digest)[i] >> 4]);
    id.push_back(kHex[(*digest)[i] & 0x0F]);
  }
  return id;
}

std::string ClientKeyIdOf(const http::Request& request) {
  if (std::string_view key = request.Header("x-api-key"); !key.empty()) {
    return ClientKeyId(key);
  }
  std::string_view authorization = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() &&
      (authorization.substr(0, kBearer.size()) == kBearer ||
       authorization.substr(0, kBearer.size()) == "bearer ")) {
    return ClientKeyId(authorization.substr(kBearer.size()));
  }
  return "";
}

}  // namespace duet::api
