// The built-in pass: one walk over the bytes that stops only at anchors.
//
// Most bytes are skipped with one table load. Words are visited once, at
// their first byte: an uppercase first letter may start an IBAN or a key
// id, and the first three bytes are looked up in the keyword bitmap. Digit
// runs go to the number detectors; '@', '+' and '-' to email, phone and PEM
// detection; non-ASCII characters to the keyword bitmap (CJK keywords have
// no word boundaries).
#include <algorithm>

#include "core/ascii.h"
#include "route/sensitive/detectors.h"

namespace duet::sensitive {
namespace {

// Bytes where the loop stops: letters, digits, non-ASCII, '@', '+', '-'.
constexpr std::array<bool, 256> kAnchor = [] {
  std::array<bool, 256> anchor{};
  for (int c = 0; c < 256; ++c) {
    anchor[c] = (kCharBits[c] &
                 (kDigitBit | kUpperBit | kLowerBit | kNonAsciiBit)) != 0;
  }
  anchor['@'] = anchor['+'] = anchor['-'] = true;
  return anchor;
}();

size_t DispatchKeyword(ScanContext& ctx, const BuiltinKeyword& keyword,
                       size_t pos, size_t end) {
  switch (keyword.cue) {
    case Cue::kCredentialPrefix:
      return DetectCredentialPrefix(ctx, keyword, pos, end);
    case Cue::kAwsSecretKey:
    case Cue::kPasswordKey:
    case Cue::kSecretKey:
      return DetectAssignment(ctx, keyword.cue, pos, end);
    case Cue::kBearer:
      return DetectBearer(ctx, end);
    case Cue::kPhone:
    case Cue::kSsn:
    case Cue::kSteuerId:
    case Cue::kMyNumber:
      return DetectAfterIdCue(ctx, keyword.cue, end);
    case Cue::kDateOfBirth:
      return DetectDateOfBirth(ctx, end);
    case Cue::kMedicalRecordNumber:
      return DetectMedicalRecordNumber(ctx, pos, end);
    case Cue::kStreetLead:
      return DetectStreetLead(ctx, pos, end);
    case Cue::kMedicalTerm:
    case Cue::kDose:
      return DetectMedical(ctx, keyword.cue, pos, end);
    case Cue::kMarking:
    case Cue::kMarkingLabel:
      return DetectMarking(ctx, keyword, pos, end);
  }
  return kNoFinding;
}

// Tries every keyword that starts at `pos` (the caller checked the
// matcher's filter); the end of the first built-in finding. The user's
// words found here are reported but do not move the scan past them, so
// they hide no built-in finding.
size_t TryKeywords(ScanContext& ctx, const KeywordMatcher& matcher,
                   size_t pos) {
  const std::span<const BuiltinKeyword> keywords = BuiltinKeywords();
  size_t found = kNoFinding;
  matcher.ForEachMatchAtUnfiltered(
      ctx.text(), pos, [&](const KeywordMatcher::Keyword& keyword, size_t end) {
        if (keyword.id >= keywords.size()) {
          if (!IsAlnum(static_cast<uint8_t>(keyword.text[0])) ||
              !IsAlnum(ctx.Before(pos))) {
            ctx.Report(SensitiveKind::kCustom, "custom_word", pos, end - pos);
          }
          return ctx.full();
        }
        found = DispatchKeyword(ctx, keywords[keyword.id], pos, end);
        return found != kNoFinding || ctx.full();
      });
  return found;
}

size_t OnWord(ScanContext& ctx, const KeywordMatcher& matcher, const uint8_t* p,
              size_t pos) {
  const size_t end = AlnumRunEnd(p, pos + 1, ctx.size());
  size_t found = kNoFinding;
  if (IsUpper(p[pos])) {
    found = DetectUppercaseWord(ctx, pos, end);
  }
  if (found == kNoFinding && matcher.MayStartAt(ctx.text(), pos)) {
    found = TryKeywords(ctx, matcher, pos);
  }
  return std::max(found, end);
}

size_t OnNumber(ScanContext& ctx, const uint8_t* p, size_t pos) {
  const size_t found = DetectNumber(ctx, pos);
  size_t end = pos + 1;
  while (end < ctx.size() && IsDigit(p[end])) {
    ++end;
  }
  return std::max(found, end);
}

size_t OnNonAscii(ScanContext& ctx, const KeywordMatcher& matcher,
                  const uint8_t* p, size_t pos) {
  size_t found = kNoFinding;
  if (p[pos] >= 0xC0 && matcher.MayStartAt(ctx.text(), pos)) {
    found = TryKeywords(ctx, matcher, pos);
  }
  size_t end = pos + 1;
  while (end < ctx.size() && (p[end] & 0xC0) == 0x80) {
    ++end;
  }
  return std::max(found, end);
}

}  // namespace

bool StartsWithLower(std::string_view text, size_t pos,
                     std::string_view lower_literal) {
  if (pos > text.size() || text.size() - pos < lower_literal.size()) {
    return false;
  }
  for (size_t i = 0; i < lower_literal.size(); ++i) {
    if (AsciiLower(static_cast<uint8_t>(text[pos + i])) !=
        static_cast<uint8_t>(lower_literal[i])) {
      return false;
    }
  }
  return true;
}

size_t FindLower(std::string_view text, size_t begin, size_t end,
                 std::string_view lower_literal) {
  end = std::min(end, text.size());
  if (lower_literal.empty() || begin >= end ||
      end - begin < lower_literal.size()) {
    return std::string_view::npos;
  }
  for (size_t i = begin; i + lower_literal.size() <= end; ++i) {
    if (StartsWithLower(text, i, lower_literal)) {
      return i;
    }
  }
  return std::string_view::npos;
}

ScanContext::ScanContext(std::string_view text,
                         const std::unordered_set<std::string>* allow,
                         size_t limit, std::vector<SensitiveFinding>* out)
    : text_(text), allow_(allow), limit_(limit), out_(out) {}

size_t ScanContext::Report(SensitiveKind kind, std::string_view rule,
                           size_t offset, size_t length) {
  size_t& last_end = last_end_[static_cast<size_t>(kind)];
  if (full() || length == 0 || offset + length > text_.size() ||
      offset < last_end) {
    return kNoFinding;
  }
  if (allow_ != nullptr && !allow_->empty() &&
      allow_->contains(AsciiLowered(text_.substr(offset, length)))) {
    return kNoFinding;
  }
  out_->push_back(SensitiveFinding{kind, std::string(rule), offset, length});
  ++recorded_;
  last_end = offset + length;
  return offset + length;
}

void RunBuiltinPass(ScanContext& ctx, const KeywordMatcher& matcher) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(ctx.text().data());
  const size_t n = ctx.size();
  size_t i = 0;
  while (i < n && !ctx.full()) {
    while (i < n && !kAnchor[p[i]]) {
      ++i;
    }
    if (i >= n) {
      break;
    }
    const uint8_t bits = kCharBits[p[i]];
    size_t next = i + 1;
    if (bits & (kUpperBit | kLowerBit)) {
      next = OnWord(ctx, matcher, p, i);
    } else if (bits & kDigitBit) {
      next = OnNumber(ctx, p, i);
    } else if (bits & kNonAsciiBit) {
      next = OnNonAscii(ctx, matcher, p, i);
    } else if (p[i] == '@') {
      next = std::max(next, DetectAtSign(ctx, i));
    } else if (p[i] == '+') {
      next = std::max(next, DetectInternationalPhone(ctx, i));
    } else if (p[i] == '-') {
      next = std::max(next, DetectPrivateKey(ctx, i));
    }
    i = std::max(next, i + 1);
  }
}

}  // namespace duet::sensitive
