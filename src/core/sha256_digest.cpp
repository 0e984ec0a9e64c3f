#include "core/sha256_digest.h"

#include <openssl/evp.h>

#include <memory>

namespace duet {

// One digest context per thread and an algorithm fetched once: OpenSSL 3's
// one-shot SHA256() looks the algorithm up and allocates a context on every
// call, which showed in the gateway's per-request profile (every request
// hashes its key).
std::optional<Sha256Digest> Sha256Of(std::string_view data) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct ContextFree {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, ContextFree> context(
      EVP_MD_CTX_new());
  Sha256Digest digest;
  unsigned int size = 0;
  if (sha256 == nullptr || context == nullptr ||
      EVP_DigestInit_ex2(context.get(), sha256, nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest.data(), &size) != 1 ||
      size != digest.size()) {
    return std::nullopt;
  }
  return digest;
}

}  // namespace duet
