// Street addresses: a house number next to a street word.
//
//   English   221B Baker Street, 1600 Pennsylvania Avenue NW
//   French    12 rue de Rivoli
//   German    Hauptstraße 5, Berliner Straße 12a
//   Spanish   Calle Mayor 12, Paseo de la Castellana 259
//   CJK       北京市朝阳区建国路88号, 東京都千代田区丸の内1-9-1
//
// A street word alone ("on main street", "Street Fighter 2") or a number
// alone is not an address; English names must be capitalised.
#include <algorithm>
#include <array>
#include <string_view>

#include "route/sensitive/detectors.h"

namespace duet::sensitive {
namespace {

struct StreetWord {
  std::string_view word;
  bool needs_more;  // also a common word: wants ", City" or a unit after
};

constexpr StreetWord kEnglishStreetWords[] = {
    {"Street", false},    {"St", false},    {"Avenue", false},
    {"Ave", false},       {"Road", false},  {"Rd", false},
    {"Boulevard", false}, {"Blvd", false},  {"Lane", false},
    {"Ln", false},        {"Drive", false}, {"Terrace", false},
    {"Parkway", false},   {"Pkwy", false},  {"Highway", false},
    {"Hwy", false},       {"Court", true},  {"Ct", true},
    {"Place", true},      {"Pl", true},     {"Way", true},
    {"Square", true},     {"Sq", true},     {"Close", true},
    {"Crescent", true},   {"Dr", true},     {"Circle", true},
};

constexpr std::string_view kFrenchStreetWords[] = {
    "rue",    "avenue", "av.",     "boulevard", "bd",    "place",
    "chemin", "allée",  "impasse", "quai",      "route", "cours",
};

constexpr std::string_view kConnectors[] = {
    "de", "du", "des", "la", "le", "les", "del", "los", "las", "el", "y",
};

size_t CapitalisedWordEnd(const ScanContext& ctx, size_t pos) {
  if (!IsUpper(ctx.At(pos))) {
    return kNoFinding;
  }
  size_t i = pos + 1;
  while (IsLower(ctx.At(i)) || ctx.At(i) >= 0x80) {
    ++i;
  }
  return i - pos >= 2 ? i : kNoFinding;
}

size_t WordEnd(const ScanContext& ctx, size_t pos) {
  size_t i = pos;
  while (IsAlpha(ctx.At(i)) || ctx.At(i) >= 0x80 || ctx.At(i) == '\'') {
    ++i;
  }
  return i;
}

bool IsConnector(std::string_view word) {
  return std::find(std::begin(kConnectors), std::end(kConnectors), word) !=
         std::end(kConnectors);
}

// After a street name that wants more: ", City", ", Apt 4", "Suite 200".
bool HasAddressTail(const ScanContext& ctx, size_t pos) {
  size_t i = pos;
  if (ctx.At(i) == ',') {
    ++i;
  }
  while (ctx.At(i) == ' ') {
    ++i;
  }
  return (i > pos &&
          (CapitalisedWordEnd(ctx, i) != kNoFinding || IsDigit(ctx.At(i)))) ||
         ctx.At(i) == '#';
}

// "221B Baker Street", "1600 Pennsylvania Avenue NW", "12 rue de Rivoli".
size_t DetectNumberFirst(ScanContext& ctx, size_t pos, size_t digits_end) {
  size_t i = digits_end;
  if (IsAlpha(ctx.At(i)) && ctx.At(i + 1) == ' ') {
    ++i;  // 221B
  }
  if (ctx.At(i) != ' ') {
    return kNoFinding;
  }
  ++i;
  const std::string_view text = ctx.text();
  for (std::string_view word : kFrenchStreetWords) {
    if (!StartsWithLower(text, i, word) || ctx.At(i + word.size()) != ' ') {
      continue;
    }
    size_t j = i + word.size() + 1;
    for (int k = 0; k < 3; ++k) {
      const size_t end = WordEnd(ctx, j);
      const std::string_view next = text.substr(j, end - j);
      if (IsConnector(next) && ctx.At(end) == ' ') {
        j = end + 1;
      } else if (next.starts_with("d'") || next.starts_with("l'")) {
        j += 2;
      } else {
        break;
      }
    }
    const size_t name_end = CapitalisedWordEnd(ctx, j);
    if (name_end == kNoFinding) {
      return kNoFinding;
    }
    return ctx.Report(SensitiveKind::kStreetAddress, "street_address", pos,
                      name_end - pos);
  }
  int name_words = 0;
  for (int k = 0; k < 5; ++k) {
    const size_t end = WordEnd(ctx, i);
    const std::string_view word = text.substr(i, end - i);
    for (const StreetWord& street : kEnglishStreetWords) {
      if (word != street.word || name_words == 0) {
        continue;
      }
      size_t street_end = end + (ctx.At(end) == '.' ? 1 : 0);
      for (std::string_view direction :
           {" NE", " NW", " SE", " SW", " N", " S", " E", " W"}) {
        if (ctx.From(street_end).starts_with(direction) &&
            !IsAlnum(ctx.At(street_end + direction.size()))) {
          street_end += direction.size();
          break;
        }
      }
      if (street.needs_more && !HasAddressTail(ctx, street_end)) {
        return kNoFinding;
      }
      return ctx.Report(SensitiveKind::kStreetAddress, "street_address", pos,
                        street_end - pos);
    }
    if (CapitalisedWordEnd(ctx, i) != end || ctx.At(end) != ' ') {
      return kNoFinding;
    }
    ++name_words;
    i = end + 1;
  }
  return kNoFinding;
}

// What German street names end in, or are ("Straße 5" after a name);
// lengths known at compile time.
constexpr std::array<std::string_view, 10> kGermanStreetWords = {
    "straße", "strasse", "str.", "gasse", "allee", "platz", "weg", "ring", "damm", "ufer"};

// "Hauptstraße 5", "Berliner Straße 12a", "Lindenweg 3, 10115 Berlin".
size_t DetectGermanStreet(ScanContext& ctx, size_t pos, size_t digits_end) {
  if (ctx.Before(pos) != ' ' || digits_end - pos > 4) {
    return kNoFinding;
  }
  const std::string_view text = ctx.text();
  size_t start = pos - 1;
  while (start > 0 && pos - 1 - start < 40) {
    const uint8_t c = static_cast<uint8_t>(text[start - 1]);
    if (!IsAlpha(c) && c < 0x80 && c != '.' && c != '-') {
      break;
    }
    --start;
  }
  const std::string_view word = text.substr(start, pos - 1 - start);
  if (word.size() < 4 || !IsUpper(static_cast<uint8_t>(word[0]))) {
    return kNoFinding;
  }
  // The street word first: most capitalised words before a number are not
  // streets ("Line 12", "Version 3", "Seite 4"). Both a suffix and a bare
  // street word end in the candidate's last byte.
  std::string_view suffix;
  bool bare = false;
  for (std::string_view candidate : kGermanStreetWords) {
    if (AsciiLower(static_cast<uint8_t>(word.back())) !=
        static_cast<uint8_t>(candidate.back())) {
      continue;
    }
    bare = word.size() == candidate.size() && StartsWithLower(word, 0, candidate);
    if (bare || word.ends_with(candidate)) {
      suffix = candidate;
      break;
    }
  }
  if (suffix.empty()) {
    return kNoFinding;
  }
  size_t end = digits_end;
  if (IsLower(ctx.At(end)) && !IsAlnum(ctx.At(end + 1))) {
    ++end;  // 12a
  }
  if (IsAlnum(ctx.At(end))) {
    return kNoFinding;
  }
  for (std::string_view time : {" am", " pm", " Uhr", " h "}) {
    if (ctx.From(end).starts_with(time) &&
        !IsAlnum(ctx.At(end + time.size()))) {
      return kNoFinding;  // "Alexanderplatz 3 pm": a time, not a number
    }
  }
  // A postcode after the number: ", 10115 Berlin".
  size_t tail = end;
  if (ctx.At(tail) == ',') {
    ++tail;
  }
  while (ctx.At(tail) == ' ') {
    ++tail;
  }
  bool postcode = tail > end;
  for (int k = 0; k < 5 && postcode; ++k) {
    postcode = IsDigit(ctx.At(tail + k));
  }
  const bool strong = suffix.size() >= 5 || suffix == "str.";
  if (bare) {
    // "Straße 5" alone needs a named street before: "Berliner Straße 5".
    const size_t before_end = start > 0 ? start - 1 : 0;
    size_t before_start = before_end;
    while (before_start > 0 && (IsAlpha(ctx.At(before_start - 1)) ||
                                ctx.At(before_start - 1) >= 0x80)) {
      --before_start;
    }
    const std::string_view before =
        text.substr(before_start, before_end - before_start);
    if (ctx.At(before_end) != ' ' || before.size() < 4 ||
        !IsUpper(static_cast<uint8_t>(before[0])) || before == "Eine" ||
        before == "Einer") {
      return kNoFinding;
    }
    start = before_start;
  }
  if (!strong && !postcode) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kStreetAddress, "street_address", start,
                    end - start);
}

bool IsCjkChar(const ScanContext& ctx, size_t pos) {
  const uint8_t lead = ctx.At(pos);
  return lead >= 0xE3 && lead <= 0xE9 && (ctx.At(pos + 1) & 0xC0) == 0x80 &&
         (ctx.At(pos + 2) & 0xC0) == 0x80;
}

bool CjkCharIn(std::string_view chr,
               std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), chr) != set.end();
}

size_t DetectCjkAddress(ScanContext& ctx, size_t pos, size_t digits_end) {
  const std::string_view text = ctx.text();
  // The run of CJK characters right before the number.
  size_t start = pos;
  bool admin = false;
  while (start >= 3 && pos - start < 45 && IsCjkChar(ctx, start - 3)) {
    start -= 3;
    admin |= CjkCharIn(
        text.substr(start, 3),
        {"省", "市", "区", "區", "县", "縣", "都", "府", "県", "町", "村"});
  }
  if (start == pos) {
    return kNoFinding;
  }
  const bool street_before =
      CjkCharIn(text.substr(pos - 3, 3), {"路", "街", "道", "巷", "弄"});
  size_t end = digits_end;
  bool suffix = false;
  for (std::string_view s : {"番地", "丁目", "号", "號", "番"}) {
    if (ctx.From(end).starts_with(s)) {
      end += s.size();
      suffix = true;
      break;
    }
  }
  if (!suffix && admin && ctx.At(end) == '-' && IsDigit(ctx.At(end + 1))) {
    while (ctx.At(end) == '-' && IsDigit(ctx.At(end + 1))) {  // 1-9-1
      ++end;
      while (IsDigit(ctx.At(end))) {
        ++end;
      }
    }
    suffix = true;
  }
  if (!suffix || !(admin || street_before)) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kStreetAddress, "street_address", start,
                    end - start);
}

}  // namespace

size_t DetectStreetAroundNumber(ScanContext& ctx, size_t pos,
                                size_t digits_end) {
  const uint8_t before = ctx.Before(pos);
  if ((before & 0xC0) == 0x80) {
    return DetectCjkAddress(ctx, pos, digits_end);
  }
  // Cheap checks first: most numbers have neither a capitalised or street
  // word after them nor a street suffix before them.
  size_t after = digits_end;
  if (IsAlpha(ctx.At(after)) && ctx.At(after + 1) == ' ') {
    ++after;
  }
  const uint8_t next = ctx.At(after + 1);
  // Capitalised English names, or a French street word (rue, avenue, bd,
  // place, chemin, allée, impasse, quai, route, cours).
  const bool french = next == 'r' || next == 'a' || next == 'b' ||
                      next == 'p' || next == 'c' || next == 'i' || next == 'q';
  if (ctx.At(after) == ' ' && (IsUpper(next) || french)) {
    const size_t found = DetectNumberFirst(ctx, pos, digits_end);
    if (found != kNoFinding) {
      return found;
    }
  }
  // German street words end in e (straße, gasse, allee), '.' (str.), z
  // (platz), g (weg, ring), m (damm) or r (ufer).
  const uint8_t last = pos >= 2 ? ctx.At(pos - 2) : 0;
  if (before == ' ' && (last == 'e' || last == '.' || last == 'z' ||
                        last == 'g' || last == 'm' || last == 'r')) {
    return DetectGermanStreet(ctx, pos, digits_end);
  }
  return kNoFinding;
}

size_t DetectStreetLead(ScanContext& ctx, size_t pos, size_t word_end) {
  if (!IsUpper(ctx.At(pos))) {
    return kNoFinding;
  }
  const std::string_view text = ctx.text();
  size_t i = word_end;
  if (ctx.At(i) != ' ') {
    return kNoFinding;
  }
  ++i;
  int name_words = 0;
  for (int k = 0; k < 6; ++k) {
    const size_t end = WordEnd(ctx, i);
    const std::string_view word = text.substr(i, end - i);
    if (CapitalisedWordEnd(ctx, i) == end) {
      ++name_words;
    } else if (!IsConnector(word)) {
      break;
    }
    i = end;
    if (ctx.At(i) == ',') {
      ++i;
    }
    if (ctx.At(i) != ' ') {
      return kNoFinding;
    }
    ++i;
    if (IsDigit(ctx.At(i)) && name_words > 0) {
      size_t number_end = i;
      while (IsDigit(ctx.At(number_end)) && number_end - i < 4) {
        ++number_end;
      }
      if (IsLower(ctx.At(number_end)) && !IsAlnum(ctx.At(number_end + 1))) {
        ++number_end;
      }
      if (IsAlnum(ctx.At(number_end))) {
        return kNoFinding;
      }
      return ctx.Report(SensitiveKind::kStreetAddress, "street_address", pos,
                        number_end - pos);
    }
  }
  return kNoFinding;
}

}  // namespace duet::sensitive
