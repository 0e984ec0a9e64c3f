#include "route/signals/constraints.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace duet {
namespace {

enum Family { kCondition, kLimit, kProhibition, kForm, kFamilyCount };

struct Marker {
  std::string_view phrase;  // lower case
  Family family;
};

// Latin phrases match at word boundaries; CJK phrases anywhere.
constexpr Marker kMarkers[] = {
    // English
    {"unless", kCondition}, {"except", kCondition}, {"excluding", kCondition},
    {"only if", kCondition}, {"only when", kCondition}, {"but only", kCondition},
    {"but not", kCondition}, {"as long as", kCondition},
    {"provided that", kCondition}, {"otherwise", kCondition},
    {"in which case", kCondition}, {"if there are no", kCondition},
    {"if any", kCondition}, {"depending on", kCondition},
    {"no more than", kLimit}, {"at most", kLimit}, {"at least", kLimit},
    {"fewer than", kLimit}, {"maximum", kLimit}, {"exactly", kLimit},
    {"no longer than", kLimit}, {"or fewer", kLimit}, {"or less", kLimit},
    {"do not", kProhibition}, {"don't", kProhibition}, {"never", kProhibition},
    {"avoid", kProhibition}, {"omit", kProhibition}, {"must not", kProhibition},
    {"exclude", kProhibition}, {"leave out", kProhibition},
    {"without", kProhibition},
    {"as a table", kForm}, {"in json", kForm}, {"as json", kForm},
    {"bullet", kForm}, {"bullets", kForm}, {"end with", kForm},
    {"start with", kForm}, {"begin with", kForm}, {"spelling", kForm},
    {"group by", kForm}, {"sorted by", kForm}, {"in the order", kForm},
    {"format it", kForm}, {"formatted as", kForm}, {"headings", kForm},
    // Spanish
    {"a menos que", kCondition}, {"salvo que", kCondition},
    {"salvo", kCondition}, {"excepto", kCondition}, {"solo si", kCondition},
    {"sólo si", kCondition}, {"siempre que", kCondition},
    {"pero no", kCondition}, {"en caso de que", kCondition},
    {"de lo contrario", kCondition}, {"si no hay", kCondition},
    {"no más de", kLimit}, {"como máximo", kLimit}, {"al menos", kLimit},
    {"exactamente", kLimit}, {"máximo", kLimit}, {"como mínimo", kLimit},
    {"no uses", kProhibition}, {"no incluyas", kProhibition},
    {"nunca", kProhibition}, {"evita", kProhibition}, {"omite", kProhibition},
    {"no pongas", kProhibition},
    {"en formato", kForm}, {"en una tabla", kForm}, {"viñetas", kForm},
    {"termina con", kForm}, {"empieza con", kForm}, {"ordena", kForm},
    {"agrupa", kForm}, {"ordenados por", kForm},
    // German
    {"außer", kCondition}, {"es sei denn", kCondition}, {"nur wenn", kCondition},
    {"nur falls", kCondition}, {"sofern", kCondition}, {"aber nicht", kCondition},
    {"ansonsten", kCondition}, {"andernfalls", kCondition},
    {"ausgenommen", kCondition}, {"falls keine", kCondition},
    {"höchstens", kLimit}, {"mindestens", kLimit}, {"maximal", kLimit},
    {"genau", kLimit}, {"nicht mehr als", kLimit}, {"nicht länger als", kLimit},
    {"keine", kProhibition}, {"niemals", kProhibition}, {"vermeide", kProhibition},
    {"weglassen", kProhibition}, {"lass", kProhibition}, {"ohne", kProhibition},
    {"verwende nicht", kProhibition},
    {"als tabelle", kForm}, {"stichpunkte", kForm}, {"aufzählung", kForm},
    {"ende mit", kForm}, {"beginne mit", kForm}, {"sortiert", kForm},
    {"gruppiert", kForm}, {"im format", kForm}, {"als json", kForm},
    // French
    {"sauf", kCondition}, {"à moins que", kCondition}, {"à moins qu", kCondition},
    {"seulement si", kCondition}, {"uniquement si", kCondition},
    {"sinon", kCondition}, {"pourvu que", kCondition},
    {"à condition que", kCondition}, {"mais pas", kCondition},
    {"excepté", kCondition}, {"s'il n'y a pas", kCondition},
    {"pas plus de", kLimit}, {"au maximum", kLimit}, {"au moins", kLimit},
    {"exactement", kLimit}, {"maximum", kLimit}, {"au plus", kLimit},
    {"ne pas", kProhibition}, {"jamais", kProhibition}, {"évite", kProhibition},
    {"évitez", kProhibition}, {"sans", kProhibition}, {"omets", kProhibition},
    {"n'utilise pas", kProhibition}, {"n'inclus pas", kProhibition},
    {"sous forme de tableau", kForm}, {"en tableau", kForm}, {"puces", kForm},
    {"termine par", kForm}, {"commence par", kForm}, {"trié", kForm},
    {"triés", kForm}, {"regroupe", kForm}, {"au format", kForm},
    // Chinese
    {"除非", kCondition}, {"除了", kCondition}, {"仅当", kCondition},
    {"只有在", kCondition}, {"但不", kCondition}, {"否则", kCondition},
    {"如果没有", kCondition}, {"前提是", kCondition}, {"例外", kCondition},
    {"不超过", kLimit}, {"至少", kLimit}, {"最多", kLimit}, {"恰好", kLimit},
    {"以内", kLimit}, {"不少于", kLimit},
    {"不要", kProhibition}, {"不能", kProhibition}, {"禁止", kProhibition},
    {"避免", kProhibition}, {"不得", kProhibition}, {"不用", kProhibition},
    {"格式", kForm}, {"表格", kForm}, {"结尾", kForm}, {"开头", kForm},
    {"分组", kForm}, {"排序", kForm}, {"要点", kForm},
    // Japanese
    {"ただし", kCondition}, {"場合を除き", kCondition}, {"以外", kCondition},
    {"でなければ", kCondition}, {"限り", kCondition}, {"場合のみ", kCondition},
    {"のみ", kCondition}, {"それ以外", kCondition},
    {"以内", kLimit}, {"以上", kLimit}, {"以下", kLimit}, {"最大", kLimit},
    {"ちょうど", kLimit},
    {"しないで", kProhibition}, {"ないでください", kProhibition},
    {"ないこと", kProhibition}, {"避けて", kProhibition}, {"使わず", kProhibition},
    {"含めず", kProhibition}, {"禁止", kProhibition},
    {"形式", kForm}, {"表形式", kForm}, {"箇条書き", kForm}, {"最後に", kForm},
    {"順に", kForm}, {"冒頭", kForm}, {"見出し", kForm},
};

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

bool IsLatin(std::string_view phrase) {
  return static_cast<unsigned char>(phrase.front()) < 0xE0;
}

// Short phrases: a plain loop beats a call to memcmp.
bool SameBytes(const char* text, std::string_view phrase) {
  for (size_t i = 0; i < phrase.size(); ++i) {
    if (text[i] != phrase[i]) {
      return false;
    }
  }
  return true;
}

// The markers indexed by their first two bytes, so one pass over the text
// tests only the few markers that can start at each position.
class MarkerIndex {
 public:
  static constexpr size_t kBuckets = 1024;

  MarkerIndex() {
    std::array<uint16_t, kBuckets> counts{};
    for (const Marker& marker : kMarkers) {
      ++counts[Key(marker.phrase[0], marker.phrase[1])];
    }
    for (size_t b = 0; b < kBuckets; ++b) {
      start_[b + 1] = static_cast<uint16_t>(start_[b] + counts[b]);
    }
    std::array<uint16_t, kBuckets> fill{};
    for (size_t i = 0; i < std::size(kMarkers); ++i) {
      const size_t bucket = Key(kMarkers[i].phrase[0], kMarkers[i].phrase[1]);
      order_[start_[bucket] + fill[bucket]++] = static_cast<uint16_t>(i);
    }
  }

  // Calls `found(marker)` for every marker that starts at text[at].
  template <typename Found>
  void MatchAt(std::string_view text, size_t at, Found&& found) const {
    const size_t bucket = Key(text[at], text[at + 1]);
    for (uint16_t i = start_[bucket]; i < start_[bucket + 1]; ++i) {
      const Marker& marker = kMarkers[order_[i]];
      if (marker.phrase.size() <= text.size() - at && SameBytes(text.data() + at, marker.phrase)) {
        found(marker);
      }
    }
  }

 private:
  static size_t Key(char first, char second) {
    return (static_cast<unsigned char>(first) * 31u + static_cast<unsigned char>(second)) %
           kBuckets;
  }

  std::array<uint16_t, kBuckets + 1> start_{};
  std::array<uint16_t, std::size(kMarkers)> order_{};
};

}  // namespace

ConstraintCount CountConstraints(std::string_view instruction) {
  std::string text(instruction.substr(
      0, std::min(instruction.size(), kConstraintScannedBytes)));
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  });

  struct Hit {
    size_t offset;
    const Marker* marker;
  };
  static const MarkerIndex index;
  std::vector<Hit> hits;
  for (size_t at = 0; at + 1 < text.size(); ++at) {
    // A marker whose first byte is below 0xE0 is Latin and must start a
    // word: after a word byte none can match here, so the lookup is skipped
    // (inside words, which is most positions).
    if (at > 0 && static_cast<unsigned char>(text[at]) < 0xE0 &&
        IsWordByte(static_cast<unsigned char>(text[at - 1]))) {
      continue;
    }
    index.MatchAt(text, at, [&](const Marker& marker) {
      const size_t end = at + marker.phrase.size();
      if (IsLatin(marker.phrase) &&
          ((at > 0 && IsWordByte(static_cast<unsigned char>(text[at - 1]))) ||
           (end < text.size() && IsWordByte(static_cast<unsigned char>(text[end]))))) {
        return;
      }
      hits.push_back({at, &marker});
    });
  }
  // A phrase inside a longer phrase found at the same place counts once
  // ("以内" in Chinese and Japanese lists, "maximum" in two languages).
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.offset != b.offset ? a.offset < b.offset
                                : a.marker->phrase.size() > b.marker->phrase.size();
  });
  ConstraintCount count;
  std::array<bool, kFamilyCount> seen{};
  size_t covered_until = 0;
  for (const Hit& hit : hits) {
    if (hit.offset < covered_until) {
      continue;
    }
    covered_until = hit.offset + hit.marker->phrase.size();
    ++count.total;
    if (hit.marker->family == kCondition) {
      ++count.conditions;
    }
    seen[hit.marker->family] = true;
    count.markers.emplace_back(hit.marker->phrase);
  }
  count.families = std::count(seen.begin(), seen.end(), true);
  return count;
}

}  // namespace duet
