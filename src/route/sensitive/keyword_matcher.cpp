#include "route/sensitive/keyword_matcher.h"

#include <algorithm>
#include <bit>

#include "core/ascii.h"
#include "route/sensitive/scan_context.h"

namespace duet::sensitive {
namespace {

// Length of a UTF-8 hyphen or dash (U+2010..U+2015) at `pos`, else 0.
size_t DashAt(std::string_view text, size_t pos) {
  if (pos + 3 <= text.size() && static_cast<uint8_t>(text[pos]) == 0xE2 &&
      static_cast<uint8_t>(text[pos + 1]) == 0x80) {
    const uint8_t third = static_cast<uint8_t>(text[pos + 2]);
    if (third >= 0x90 && third <= 0x95) {
      return 3;
    }
  }
  return 0;
}

size_t SkipSpaces(std::string_view text, size_t pos) {
  while (pos < text.size() && IsSpace(static_cast<uint8_t>(text[pos]))) {
    ++pos;
  }
  return pos;
}

}  // namespace

KeywordMatcher::KeywordMatcher(std::vector<Keyword> keywords)
    : keywords_(std::move(keywords)) {
  for (uint32_t i = 0; i < keywords_.size(); ++i) {
    Keyword& keyword = keywords_[i];
    if (!keyword.case_sensitive) {
      keyword.text = AsciiLowered(keyword.text);
    }
    const uint32_t hash = Hash(keyword.text, 0);
    by_hash_.push_back(MakeEntry(hash, i, keyword));
    bitmap_[hash >> 6] |= uint64_t{1} << (hash & 63);
  }
  std::sort(by_hash_.begin(), by_hash_.end(),
            [this](const Entry& a, const Entry& b) {
              if (a.hash != b.hash) {
                return a.hash < b.hash;
              }
              return keywords_[a.keyword].text.size() >
                     keywords_[b.keyword].text.size();
            });
  size_t slots = 16;
  while (slots < 2 * by_hash_.size()) {
    slots *= 2;
  }
  first_by_hash_.assign(slots, kEmptySlot);
  slot_mask_ = slots - 1;
  for (size_t i = 0; i < by_hash_.size(); ++i) {
    if (i > 0 && by_hash_[i - 1].hash == by_hash_[i].hash) {
      continue;
    }
    size_t slot = by_hash_[i].hash & slot_mask_;
    while (first_by_hash_[slot] != kEmptySlot) {
      slot = (slot + 1) & slot_mask_;
    }
    first_by_hash_[slot] = uint64_t{by_hash_[i].hash} << 32 | i;
  }
}

KeywordMatcher::Entry KeywordMatcher::MakeEntry(uint32_t hash, uint32_t index,
                                                const Keyword& keyword) {
  Entry entry{.hash = hash, .keyword = index};
  const std::string_view text = keyword.text;
  for (size_t i = 0; i < std::min<size_t>(text.size(), 8); ++i) {
    if (!keyword.case_sensitive && (text[i] == ' ' || text[i] == '-')) {
      break;  // matches whitespace runs and dashes: the exact match decides
    }
    const int shift = static_cast<int>(8 * i);
    entry.prefix |= uint64_t{static_cast<uint8_t>(text[i]) | 0x20u} << shift;
    entry.prefix_mask |= uint64_t{0xFF} << shift;
  }
  if constexpr (std::endian::native != std::endian::little) {
    entry.prefix = entry.prefix_mask = 0;  // the loads are little-endian
  }
  return entry;
}

size_t KeywordMatcher::MatchAt(std::string_view text, size_t pos,
                               const Keyword& keyword) {
  const std::string_view pattern = keyword.text;
  size_t i = pos;
  if (keyword.case_sensitive) {
    if (text.substr(pos, pattern.size()) != pattern) {
      return kNoMatch;
    }
    i += pattern.size();
  } else {
    for (char expected : pattern) {
      if (i >= text.size()) {
        return kNoMatch;
      }
      const uint8_t c = static_cast<uint8_t>(text[i]);
      if (expected == ' ' || (expected == '-' && c != '-')) {
        if (IsSpace(c)) {
          i = SkipSpaces(text, i);
        } else if (expected == '-' && DashAt(text, i) > 0) {
          i += DashAt(text, i);
        } else {
          return kNoMatch;
        }
        continue;
      }
      if (AsciiLower(c) != static_cast<uint8_t>(expected)) {
        return kNoMatch;
      }
      ++i;
    }
  }
  if (keyword.whole_word && !pattern.empty() &&
      IsAlnum(static_cast<uint8_t>(pattern.back())) && i < text.size() &&
      IsAlnum(static_cast<uint8_t>(text[i]))) {
    return kNoMatch;
  }
  return i;
}

}  // namespace duet::sensitive
