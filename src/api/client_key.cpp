#include "api/client_key.h"

#include <memory>

#include <openssl/evp.h>

namespace duet::api {
namespace {

// SHA-256 through one digest context per thread and an algorithm fetched
// once: OpenSSL 3's one-shot SHA256() looks the algorithm up and allocates
// a context on every call, which showed in the gateway's per-request
// profile (every request hashes its key).
bool Sha256(std::string_view data, unsigned char (&digest)[32]) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct ContextFree {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, ContextFree> context(EVP_MD_CTX_new());
  unsigned int size = 0;
  return sha256 != nullptr && context != nullptr &&
         EVP_DigestInit_ex2(context.get(), sha256, nullptr) == 1 &&
         EVP_DigestUpdate(context.get(), data.data(), data.size()) == 1 &&
         EVP_DigestFinal_ex(context.get(), digest, &size) == 1 && size == 32;
}

}  // namespace

std::string ClientKeyId(std::string_view key) {
  if (key.empty()) {
    return "";
  }
  unsigned char digest[32];
  if (!Sha256(key, digest)) {
    // Not reachable with a working libcrypto; an id that names no key
    // still never reveals this one.
    return "key-unhashable";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "key-";
  for (int i = 0; i < 6; ++i) {
    id.push_back(kHex[digest[i] >> 4]);
    id.push_back(kHex[digest[i] & 0x0F]);
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
