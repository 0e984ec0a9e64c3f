#include "route/sensitive/keyword_matcher.h"

#include <algorithm>

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
    by_hash_.emplace_back(hash, i);
    bitmap_[hash >> 6] |= uint64_t{1} << (hash & 63);
  }
  std::sort(by_hash_.begin(), by_hash_.end(),
            [this](const auto& a, const auto& b) {
              if (a.first != b.first) {
                return a.first < b.first;
              }
              return keywords_[a.second].text.size() >
                     keywords_[b.second].text.size();
            });
}

size_t KeywordMatcher::FirstWithHash(uint32_t hash) const {
  auto it =
      std::lower_bound(by_hash_.begin(), by_hash_.end(), hash,
                       [](const std::pair<uint32_t, uint32_t>& entry,
                          uint32_t value) { return entry.first < value; });
  return static_cast<size_t>(it - by_hash_.begin());
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
