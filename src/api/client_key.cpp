#include "api/client_key.h"

#include <openssl/crypto.h>

#include <optional>

#include "core/sha256_digest.h"

namespace duet::api {
namespace {

// The last key this thread hashed and its id. A client sends the same key
// with every request, and hashing it (libcrypto's SHA-256 behind its EVP
// interface) took about 3% of a proxied request's user time. The key stays
// in this thread's memory only, as the request that carried it does; it is
// compared in constant time, so how long a request takes says nothing
// about the key the previous one carried.
struct LastKey {
  std::string key;
  std::string id;
};

bool SameKey(const std::string& remembered, std::string_view key) {
  return remembered.size() == key.size() &&
         CRYPTO_memcmp(remembered.data(), key.data(), key.size()) == 0;
}

}  // namespace

std::string ClientKeyId(std::string_view key) {
  if (key.empty()) {
    return "";
  }
  thread_local LastKey last;
  if (SameKey(last.key, key)) {
    return last.id;
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
  last.key.assign(key);
  last.id = id;
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
