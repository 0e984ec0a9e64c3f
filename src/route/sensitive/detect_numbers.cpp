// Numbers with a shape and a check: payment cards, IBANs, national ids and
// phone numbers.
#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include "route/sensitive/detectors.h"
#include "route/sensitive/validators.h"

namespace duet::sensitive {
namespace {

// How far after a cue word ("SSN", "Tel.") the number may start.
constexpr size_t kCueWindow = 32;

// Digits read across separators, e.g. "4111 1111 1111 1111".
struct DigitGroups {
  static constexpr int kMaxDigits = 24;
  static constexpr int kMaxGroups = 8;
  char digits[kMaxDigits];
  int count = 0;
  int group_length[kMaxGroups] = {};
  int groups = 0;
  uint8_t separator = 0;  // the one separator between all groups, if any
  size_t end = 0;         // offset after the last digit

  std::string_view view() const {
    return std::string_view(digits,
                            static_cast<size_t>(std::min(count, kMaxDigits)));
  }
};

// Reads groups of digits from `pos` joined by one kind of separator, a
// single space or dash.
DigitGroups ReadGroups(const ScanContext& ctx, size_t pos) {
  DigitGroups g;
  size_t i = pos;
  for (;;) {
    const size_t start = i;
    while (IsDigit(ctx.At(i))) {
      if (g.count < DigitGroups::kMaxDigits) {
        g.digits[g.count] = static_cast<char>(ctx.At(i));
      }
      ++g.count;
      ++i;
    }
    g.group_length[g.groups++] = static_cast<int>(i - start);
    g.end = i;
    const uint8_t sep = ctx.At(i);
    if (g.count > DigitGroups::kMaxDigits ||
        g.groups == DigitGroups::kMaxGroups || (sep != ' ' && sep != '-') ||
        !IsDigit(ctx.At(i + 1)) || (g.separator != 0 && g.separator != sep)) {
      break;
    }
    g.separator = sep;
    ++i;
  }
  return g;
}

// True when the number ending at `end` does not go on as a word, a decimal
// or a longer number.
bool EndsCleanly(const ScanContext& ctx, size_t end) {
  const uint8_t c = ctx.At(end);
  if (IsAlnum(c) || c == '_') {
    return false;
  }
  return !((c == '.' || c == ',' || c == '-' || c == '/') &&
           IsDigit(ctx.At(end + 1)));
}

bool CardGrouping(const DigitGroups& g) {
  if (g.groups == 1) {
    return true;
  }
  if (g.groups == 3 && g.group_length[0] == 4 && g.group_length[1] == 6 &&
      (g.group_length[2] == 5 || g.group_length[2] == 4)) {
    return true;  // Amex 4-6-5, Diners 4-6-4
  }
  for (int i = 0; i + 1 < g.groups; ++i) {
    if (g.group_length[i] != 4) {
      return false;
    }
  }
  return g.group_length[g.groups - 1] <= 4;
}

size_t DetectCard(ScanContext& ctx, size_t pos, const DigitGroups& g) {
  if (g.count < 13 || g.count > 19 || !CardGrouping(g)) {
    return kNoFinding;
  }
  const std::string_view digits = g.view();
  if (CardBrandOf(digits) == CardBrand::kNone || !LuhnValid(digits) ||
      IsPublicTestCard(digits)) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kPaymentCard, "luhn_card", pos, g.end - pos);
}

// FR NIR: "1 85 05 78 006 084 36", "185057800608436", Corsica "2A"/"2B".
size_t DetectNir(ScanContext& ctx, size_t pos) {
  char nir[15];
  int count = 0;
  // Where the spaces were, as the digit counts before each one.
  std::string grouping;
  size_t i = pos;
  size_t end = pos;
  while (count < 15) {
    const uint8_t c = ctx.At(i);
    const bool corsica = count == 6 && nir[5] == '2' && (c == 'A' || c == 'B');
    if (IsDigit(c) || corsica) {
      nir[count++] = static_cast<char>(c);
      end = ++i;
    } else if (c == ' ' && count > 0 && IsDigit(ctx.At(i + 1))) {
      grouping.push_back(static_cast<char>('a' + count));
      ++i;
    } else {
      break;
    }
  }
  // Written whole, with the key apart, or as 1 85 05 78 006 084 36.
  const bool known_grouping =
      grouping.empty() || grouping == "n" || grouping == "bdfhkn";
  if (count != 15 || !known_grouping || !EndsCleanly(ctx, end) ||
      !FrenchNirValid(std::string_view(nir, 15))) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kNationalId, "fr_nir", pos, end - pos);
}

size_t DetectSpanishDni(ScanContext& ctx, size_t pos, const DigitGroups& g) {
  if (g.groups != 1 || g.count != 8) {
    return kNoFinding;
  }
  size_t letter = g.end;
  if ((ctx.At(letter) == '-' || ctx.At(letter) == ' ') &&
      IsUpper(ctx.At(letter + 1))) {
    ++letter;
  }
  if (!IsUpper(ctx.At(letter)) || !EndsCleanly(ctx, letter + 1)) {
    return kNoFinding;
  }
  char id[9];
  std::memcpy(id, g.digits, 8);
  id[8] = static_cast<char>(ctx.At(letter));
  if (!SpanishIdValid(std::string_view(id, 9))) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kNationalId, "es_dni", pos,
                    letter + 1 - pos);
}

size_t DetectIban(ScanContext& ctx, size_t pos) {
  const int length = IbanLengthFor(ctx.text().substr(pos, 2));
  if (length == 0) {
    return kNoFinding;
  }
  char iban[34];
  int count = 0;
  size_t i = pos;
  size_t end = pos;
  while (count < length) {
    const uint8_t c = ctx.At(i);
    if (IsDigit(c) || IsUpper(c)) {
      iban[count++] = static_cast<char>(c);
      end = ++i;
    } else if (c == ' ' && count >= 4 &&
               (IsDigit(ctx.At(i + 1)) || IsUpper(ctx.At(i + 1)))) {
      ++i;
    } else {
      return kNoFinding;
    }
  }
  const std::string_view compact(iban, static_cast<size_t>(count));
  if (IsAlnum(ctx.At(end)) || !IbanValid(compact) || IsExampleIban(compact)) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kIban, "iban", pos, end - pos);
}

// UK NINO: "AB123456C" or "AB 12 34 56 C".
size_t DetectNino(ScanContext& ctx, size_t pos) {
  char nino[9] = {static_cast<char>(ctx.At(pos)),
                  static_cast<char>(ctx.At(pos + 1))};
  int count = 2;
  size_t i = pos + 2;
  while (count < 9) {
    const uint8_t c = ctx.At(i);
    const bool want_digit = count < 8;
    if ((want_digit && IsDigit(c)) || (!want_digit && IsUpper(c))) {
      nino[count++] = static_cast<char>(c);
      ++i;
    } else if (c == ' ' &&
               (count == 2 || count == 4 || count == 6 || count == 8)) {
      ++i;
    } else {
      return kNoFinding;
    }
  }
  if (IsAlnum(ctx.At(i)) || !UkNinoValid(std::string_view(nino, 9))) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kNationalId, "uk_nino", pos, i - pos);
}

// ES NIE: "X1234567L", "X-1234567-L".
size_t DetectNie(ScanContext& ctx, size_t pos) {
  char id[9] = {static_cast<char>(ctx.At(pos))};
  int count = 1;
  size_t i = pos + 1;
  if (ctx.At(i) == '-') {
    ++i;
  }
  while (count < 8 && IsDigit(ctx.At(i))) {
    id[count++] = static_cast<char>(ctx.At(i++));
  }
  if (count != 8) {
    return kNoFinding;
  }
  if (ctx.At(i) == '-') {
    ++i;
  }
  if (!IsUpper(ctx.At(i)) || IsAlnum(ctx.At(i + 1))) {
    return kNoFinding;
  }
  id[8] = static_cast<char>(ctx.At(i));
  if (!SpanishIdValid(std::string_view(id, 9))) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kNationalId, "es_nie", pos, i + 1 - pos);
}

// Phone digits from `pos` ('+' for international): groups of digits
// joined by single spaces, dashes, dots or slashes, one "(area)" group.
// Returns the end, or kNoFinding when the shape is not a phone number.
size_t ParsePhone(const ScanContext& ctx, size_t pos, bool international) {
  size_t i = pos + (international ? 1 : 0);
  if (international && (!IsDigit(ctx.At(i)) || ctx.At(i) == '0')) {
    return kNoFinding;
  }
  int digits = 0;
  int groups = 0;
  int group_length[8] = {};
  bool parenthesised = false;
  uint8_t first_separator = 0;
  bool mixed_separators = false;
  size_t end = i;
  for (;;) {
    size_t start = i;
    if (ctx.At(i) == '(' && !parenthesised) {
      parenthesised = true;
      start = ++i;
      while (IsDigit(ctx.At(i))) {
        ++i;
      }
      if (ctx.At(i) != ')' || i == start || i - start > 5) {
        return kNoFinding;
      }
      digits += static_cast<int>(i - start);
      ++i;
    } else {
      while (IsDigit(ctx.At(i))) {
        ++i;
      }
      if (i == start) {
        return kNoFinding;
      }
      digits += static_cast<int>(i - start);
    }
    if (groups == 8 || digits > 15) {
      return kNoFinding;
    }
    group_length[groups++] = static_cast<int>(i - start);
    end = i;
    const uint8_t c = ctx.At(i);
    const uint8_t next = ctx.At(i + 1);
    if ((c == ' ' || c == '-' || c == '.' || c == '/') &&
        (IsDigit(next) || (next == '(' && !parenthesised))) {
      if (first_separator == 0) {
        first_separator = c;
      }
      mixed_separators |= c != first_separator;
      ++i;
    } else if (!(ctx.At(i - 1) == ')' && IsDigit(c))) {
      break;
    }
  }
  const int min_digits = international ? 8 : 7;
  if (digits < min_digits || !EndsCleanly(ctx, end)) {
    return kNoFinding;
  }
  const int g0 = group_length[0], g1 = group_length[1], g2 = group_length[2];
  if (!international && !mixed_separators && first_separator != ' ' &&
      groups == 3 &&
      ((g0 == 4 && g1 <= 2 && g2 <= 2) ||
       (g0 <= 2 && g1 <= 2 && (g2 == 4 || g2 == 2)))) {
    return kNoFinding;  // a date: 2024-01-15, 15.01.2024, 03/11/61
  }
  if (first_separator == '.' && !mixed_separators && groups == 4 && g0 <= 3 &&
      g1 <= 3 && g2 <= 3 && group_length[3] <= 3) {
    return kNoFinding;  // an IPv4 address
  }
  return end;
}

// Reads `want` digits from `pos`, allowing single separators from
// `separators` between them; returns the end or kNoFinding.
size_t ReadDigits(const ScanContext& ctx, size_t pos, int want,
                  std::string_view separators, char* out) {
  int count = 0;
  size_t i = pos;
  size_t end = pos;
  while (count < want) {
    const uint8_t c = ctx.At(i);
    if (IsDigit(c)) {
      out[count++] = static_cast<char>(c);
      end = ++i;
    } else if (count > 0 && c != 0 &&
               separators.find(static_cast<char>(c)) !=
                   std::string_view::npos &&
               IsDigit(ctx.At(i + 1))) {
      ++i;
    } else {
      return kNoFinding;
    }
  }
  return EndsCleanly(ctx, end) ? end : kNoFinding;
}

}  // namespace

size_t DetectNumber(ScanContext& ctx, size_t pos) {
  const uint8_t before = ctx.Before(pos);
  if ((before == '.' || before == ',' || before == '-' || before == '/' ||
       before == ':') &&
      pos >= 2 && IsDigit(ctx.At(pos - 2))) {
    return kNoFinding;  // the rest of a number already looked at
  }
  const DigitGroups g = ReadGroups(ctx, pos);
  const uint8_t next = ctx.At(g.end);
  size_t found = kNoFinding;
  if (g.groups == 1 &&
      (g.count == 18 || (g.count == 17 && (next == 'X' || next == 'x')))) {
    const size_t end = g.end + (g.count == 17 ? 1 : 0);
    if (EndsCleanly(ctx, end) &&
        ChineseResidentIdValid(ctx.text().substr(pos, 18))) {
      found = ctx.Report(SensitiveKind::kNationalId, "cn_resident_id", pos, 18);
    }
  }
  if (found == kNoFinding && EndsCleanly(ctx, g.end)) {
    found = DetectCard(ctx, pos, g);
  }
  if (found == kNoFinding && g.groups == 3 && g.separator == '-' &&
      g.group_length[0] == 3 && g.group_length[1] == 2 &&
      g.group_length[2] == 4 && EndsCleanly(ctx, g.end) &&
      UsSsnValid(g.view())) {
    found = ctx.Report(SensitiveKind::kNationalId, "us_ssn", pos, g.end - pos);
  }
  const uint8_t first = ctx.At(pos);
  if (found == kNoFinding && g.count >= 5 && g.count <= 15 &&
      (first == '1' || first == '2' || first == '7' || first == '8') &&
      (g.separator != '-')) {
    found = DetectNir(ctx, pos);
  }
  if (found == kNoFinding) {
    found = DetectSpanishDni(ctx, pos, g);
  }
  if (found == kNoFinding && g.group_length[0] <= 5) {
    found = DetectStreetAroundNumber(
        ctx, pos, pos + static_cast<size_t>(g.group_length[0]));
  }
  return found;
}

size_t DetectUppercaseWord(ScanContext& ctx, size_t pos, size_t word_end) {
  const uint8_t second = ctx.At(pos + 1);
  size_t found = kNoFinding;
  if (IsUpper(second) && IsDigit(ctx.At(pos + 2)) && IsDigit(ctx.At(pos + 3))) {
    found = DetectIban(ctx, pos);
  }
  if (found == kNoFinding && IsUpper(second) &&
      (IsDigit(ctx.At(pos + 2)) ||
       (ctx.At(pos + 2) == ' ' && IsDigit(ctx.At(pos + 3))))) {
    found = DetectNino(ctx, pos);
  }
  const uint8_t first = ctx.At(pos);
  if (found == kNoFinding && (first == 'X' || first == 'Y' || first == 'Z') &&
      (IsDigit(second) || second == '-')) {
    found = DetectNie(ctx, pos);
  }
  if (found == kNoFinding) {
    found = DetectUppercaseSecret(ctx, pos, word_end);
  }
  return found;
}

size_t DetectInternationalPhone(ScanContext& ctx, size_t pos) {
  const uint8_t before = ctx.Before(pos);
  if (IsAlnum(before) || before == ')' || before == '+' || before == '_') {
    return kNoFinding;  // arithmetic, versions (1.2+3), identifiers
  }
  const size_t end = ParsePhone(ctx, pos, /*international=*/true);
  if (end == kNoFinding) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kPhone, "phone", pos, end - pos);
}

size_t DetectAfterIdCue(ScanContext& ctx, Cue cue, size_t cue_end) {
  // The number starts within a few bytes: "Tel.: ", "SSN# ", "番号："...
  size_t start = cue_end;
  const size_t limit = std::min(ctx.size(), cue_end + kCueWindow);
  while (start < limit) {
    const uint8_t c = ctx.At(start);
    if (IsDigit(c) || ((c == '+' || c == '(') && IsDigit(ctx.At(start + 1)))) {
      break;
    }
    ++start;
  }
  if (start >= limit || IsAlnum(ctx.Before(start))) {
    return kNoFinding;
  }
  if (cue == Cue::kPhone) {
    const bool international = ctx.At(start) == '+';
    const size_t end = ParsePhone(ctx, start, international);
    return end == kNoFinding
               ? kNoFinding
               : ctx.Report(SensitiveKind::kPhone, "phone", start, end - start);
  }
  char digits[12];
  if (cue == Cue::kSsn) {
    const size_t end = ReadDigits(ctx, start, 9, " -", digits);
    if (end != kNoFinding && UsSsnValid(std::string_view(digits, 9))) {
      return ctx.Report(SensitiveKind::kNationalId, "us_ssn", start,
                        end - start);
    }
  } else if (cue == Cue::kSteuerId) {
    const size_t end = ReadDigits(ctx, start, 11, " /", digits);
    if (end != kNoFinding && GermanTaxIdValid(std::string_view(digits, 11))) {
      return ctx.Report(SensitiveKind::kNationalId, "de_steuer_id", start,
                        end - start);
    }
  } else if (cue == Cue::kMyNumber) {
    const size_t end = ReadDigits(ctx, start, 12, " -", digits);
    if (end != kNoFinding &&
        JapaneseMyNumberValid(std::string_view(digits, 12))) {
      return ctx.Report(SensitiveKind::kNationalId, "jp_my_number", start,
                        end - start);
    }
  }
  return kNoFinding;
}

}  // namespace duet::sensitive
