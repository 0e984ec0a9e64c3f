// CleanTextMemo: the SHA-256 digests of texts the sensitive scanner found
// nothing in, so that the same text is not scanned twice. A coding agent
// sends its whole conversation with every turn: without the memo each
// request rescans every earlier turn (hundreds of kilobytes, milliseconds),
// with it only the new ones.
//
// Only clean verdicts are kept: a text with a finding is always scanned
// again. A text is skipped only when its SHA-256 equals that of a text the
// same scanner found clean, so missing a finding would take a SHA-256
// collision. The memo belongs to one scanner (its rules decide what
// "clean" means); a changed configuration makes a new scanner and a new,
// empty memo.
//
// Bounded: two generations of at most capacity / 2 digests each. Inserts go
// to the current one; when it is full it becomes the previous one and the
// old previous one is dropped. A digest found in the previous generation
// moves to the current one, so the texts of an ongoing conversation stay.
// About 100 bytes per digest.
//
// Thread safety: all methods may be called concurrently (one mutex).
#pragma once

#include <cstddef>
#include <cstring>
#include <mutex>
#include <unordered_set>

#include "core/sha256_digest.h"

namespace duet::sensitive {

class CleanTextMemo {
 public:
  struct Options {
    size_t capacity = 16384;  // digests kept, both generations together
  };

  explicit CleanTextMemo(Options options);

  // Whether `digest` was remembered (and not yet forgotten); a hit is
  // remembered afresh.
  bool Contains(const Sha256Digest& digest);
  void Remember(const Sha256Digest& digest);

  // Digests held now, both generations.
  size_t size() const;

 private:
  struct DigestHash {
    size_t operator()(const Sha256Digest& digest) const {
      size_t prefix;  // the digest's bytes are uniform already
      std::memcpy(&prefix, digest.data(), sizeof(prefix));
      return prefix;
    }
  };
  using DigestSet = std::unordered_set<Sha256Digest, DigestHash>;

  // REQUIRES: mutex_ held.
  void InsertLocked(const Sha256Digest& digest);

  const size_t generation_capacity_;
  mutable std::mutex mutex_;
  DigestSet current_;
  DigestSet previous_;
};

}  // namespace duet::sensitive
