// KeywordMatcher: which of a fixed set of keywords and phrases start at a
// given position, for the scanner's cue words, markings and the user's
// words.
//
// The caller chooses the positions (the scanner tries word starts only), so
// the matcher only has to answer "which keywords start here" fast. The
// first three bytes at a position (ASCII letters folded to lowercase, other
// ASCII punctuation and whitespace folded to one value, other bytes kept)
// are hashed into a bitmap: most positions are rejected with one load from
// a 4 KB table. The rest find the keywords that share the hash with one
// probe of a small open-addressed table, and each of those is first
// compared on up to eight bytes at once (letters and all, folded by setting
// bit 0x20 on both sides, so the check can only reject a keyword that
// cannot match) before the exact match below.
//
// Matching rules for a keyword that is not case-sensitive:
//   - ASCII letters match either case (other bytes match exactly),
//   - a space matches any run of whitespace (including newlines),
//   - '-' matches '-', a run of whitespace, or a UTF-8 hyphen or dash,
//   - when the keyword ends with an ASCII letter or digit and whole_word is
//     set, the next byte must not be one.
// A case-sensitive keyword matches byte for byte (whole_word still
// applies). Whitespace inside the first three bytes of a keyword must be
// a single byte in the text.
//
// Thread safety: immutable after construction; all methods are const.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::sensitive {

class KeywordMatcher {
 public:
  struct Keyword {
    std::string text;
    uint32_t id = 0;  // the caller's tag, handed back on a match
    bool case_sensitive = false;
    bool whole_word = true;
  };

  explicit KeywordMatcher(std::vector<Keyword> keywords);

  bool empty() const { return keywords_.empty(); }

  // False when no keyword can start at `pos` (one table load); true says
  // "maybe".
  bool MayStartAt(std::string_view text, size_t pos) const {
    return TestBit(Hash(text, pos));
  }

  // Calls visit(const Keyword&, size_t end) for every keyword that matches
  // at `pos`, longest keyword first, until visit returns true. Returns
  // whether a visit returned true.
  template <typename Visit>
  bool ForEachMatchAt(std::string_view text, size_t pos, Visit&& visit) const {
    const uint32_t hash = Hash(text, pos);
    if (!TestBit(hash)) {
      return false;
    }
    return VisitBucket(hash, text, pos, visit);
  }

  // ForEachMatchAt for a caller that has already checked MayStartAt.
  template <typename Visit>
  bool ForEachMatchAtUnfiltered(std::string_view text, size_t pos,
                                Visit&& visit) const {
    return VisitBucket(Hash(text, pos), text, pos, visit);
  }

  // End offset of `keyword` matched at `pos`, or kNoMatch.
  static size_t MatchAt(std::string_view text, size_t pos,
                        const Keyword& keyword);

  static constexpr size_t kNoMatch = static_cast<size_t>(-1);

 private:
  // A keyword in the by-hash order, with what the quick check compares: the
  // keyword's first bytes up to eight, before any ' ' or '-' that matches
  // more than itself, with bit 0x20 set in every byte, and which bytes count.
  struct Entry {
    uint32_t hash = 0;
    uint32_t keyword = 0;  // index into keywords_
    uint64_t prefix = 0;
    uint64_t prefix_mask = 0;
  };

  template <typename Visit>
  bool VisitBucket(uint32_t hash, std::string_view text, size_t pos,
                   Visit& visit) const {
    const bool eight_bytes = pos + 8 <= text.size();
    uint64_t head = 0;
    if (eight_bytes) {
      std::memcpy(&head, text.data() + pos, sizeof(head));
      head |= kCaseBits;
    }
    for (size_t i = FirstWithHash(hash);
         i < by_hash_.size() && by_hash_[i].hash == hash; ++i) {
      const Entry& entry = by_hash_[i];
      if (eight_bytes && (head & entry.prefix_mask) != entry.prefix) {
        continue;
      }
      const Keyword& keyword = keywords_[entry.keyword];
      const size_t end = MatchAt(text, pos, keyword);
      if (end != kNoMatch && visit(keyword, end)) {
        return true;
      }
    }
    return false;
  }

  // Bit 0x20 in every byte of a little-endian load: ORed into both the text
  // and the keyword, it folds ASCII letters to lowercase and changes no
  // byte that must match exactly into one that matched before.
  static constexpr uint64_t kCaseBits = 0x2020202020202020ULL;

  static constexpr int kHashBits = 15;

  // The hash's view of a byte: ASCII letters folded, ASCII digits kept, any
  // other ASCII byte (space, punctuation, control) one value, others kept.
  static constexpr std::array<uint8_t, 256> kFold = [] {
    std::array<uint8_t, 256> fold{};
    for (int c = 0; c < 256; ++c) {
      if (c >= 'A' && c <= 'Z') {
        fold[c] = static_cast<uint8_t>(c - 'A' + 'a');
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c >= 0x80) {
        fold[c] = static_cast<uint8_t>(c);
      }
    }
    return fold;
  }();

  static uint32_t HashOf(uint32_t a, uint32_t b, uint32_t c) {
    return ((a | b << 8 | c << 16) * 0x9E3779B1u) >> (32 - kHashBits);
  }
  static uint32_t Hash(std::string_view text, size_t pos) {
    const auto* p = reinterpret_cast<const uint8_t*>(text.data());
    if (pos + 3 <= text.size()) {
      return HashOf(kFold[p[pos]], kFold[p[pos + 1]], kFold[p[pos + 2]]);
    }
    auto fold = [&](size_t i) -> uint32_t {
      return i < text.size() ? kFold[p[i]] : 0;
    };
    return HashOf(fold(pos), fold(pos + 1), fold(pos + 2));
  }
  bool TestBit(uint32_t hash) const {
    return (bitmap_[hash >> 6] >> (hash & 63)) & 1;
  }
  // Index in by_hash_ of the first entry with `hash`; by_hash_.size() when
  // there is none.
  size_t FirstWithHash(uint32_t hash) const {
    for (size_t slot = hash & slot_mask_;; slot = (slot + 1) & slot_mask_) {
      const uint64_t value = first_by_hash_[slot];
      if (value == kEmptySlot) {
        return by_hash_.size();
      }
      if (static_cast<uint32_t>(value >> 32) == hash) {
        return static_cast<uint32_t>(value);
      }
    }
  }
  static Entry MakeEntry(uint32_t hash, uint32_t index, const Keyword& keyword);

  static constexpr uint64_t kEmptySlot = ~uint64_t{0};

  std::vector<Keyword> keywords_;  // ASCII-lowercased unless case-sensitive
  // Sorted by hash, then longest keyword first.
  std::vector<Entry> by_hash_;
  // Open addressing, at most half full: (hash << 32 | index of the hash's
  // first entry in by_hash_), or kEmptySlot.
  std::vector<uint64_t> first_by_hash_;
  size_t slot_mask_ = 0;
  std::array<uint64_t, (size_t{1} << kHashBits) / 64> bitmap_{};
};

}  // namespace duet::sensitive
