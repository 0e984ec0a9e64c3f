#include "model_files/sha256.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

#include <openssl/evp.h>

#include "core/ascii.h"

namespace duet::model_files {

struct Sha256::Context {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) { Reset(); }

Sha256::~Sha256() = default;

void Sha256::Reset() {
  // Only fails when out of memory, which the first Update would then
  // report as a wrong digest; there is nothing better to do here.
  EVP_DigestInit_ex(context_->md, EVP_sha256(), nullptr);
}

void Sha256::Update(std::string_view bytes) {
  EVP_DigestUpdate(context_->md, bytes.data(), bytes.size());
}

std::string Sha256::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->md, digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

Status HashFilePrefix(const std::string& path, uint64_t length, Sha256* hash) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return NotFound("cannot read " + path);
  }
  std::vector<char> buffer(1 << 20);
  uint64_t left = length;
  while (left > 0) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(left, buffer.size()));
    const size_t got = std::fread(buffer.data(), 1, want, file);
    hash->Update(std::string_view(buffer.data(), got));
    left -= got;
    if (got < want) {
      break;
    }
  }
  std::fclose(file);
  if (left > 0) {
    return InvalidArgument(path + " is shorter than " + std::to_string(length) + " bytes");
  }
  return Status::Ok();
}

bool IsSha256Hex(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

std::string Sha256FromHeader(std::string_view value) {
  if (value.substr(0, 2) == "W/") {
    value.remove_prefix(2);
  }
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  if (value.substr(0, 7) == "sha256:") {
    value.remove_prefix(7);
  }
  if (!IsSha256Hex(value)) {
    return "";
  }
  return AsciiLowered(value);
}

}  // namespace duet::model_files
