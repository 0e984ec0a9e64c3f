// SHA-256, computed as bytes arrive (OpenSSL's EVP interface), so that a
// multi-gigabyte download is verified without reading it twice.
//
// Thread safety: one Sha256 per thread; the free functions are reentrant.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace duet::model_files {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // The digest of everything given so far, as 64 lower-case hex digits.
  // Ends this hash: call Reset before using it again.
  std::string HexDigest();
  // Starts over, as if just constructed.
  void Reset();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// Hashes the first `length` bytes of the file at `path` into `hash` (which
// keeps its earlier input: call on a fresh or Reset hash to hash a file).
// kNotFound when the file cannot be read, kInvalidArgument when it is
// shorter than `length`.
Status HashFilePrefix(const std::string& path, uint64_t length, Sha256* hash);

// True for exactly 64 hex digits (either case).
bool IsSha256Hex(std::string_view text);

// A digest as a server writes it in an ETag-like header ("\"abc...\"",
// W/"...", "sha256:abc..."), lower-cased, when it is a SHA-256; "" when it
// is anything else (an MD5, a git blob id, an opaque tag).
std::string Sha256FromHeader(std::string_view value);

}  // namespace duet::model_files
