#include "route/sensitive/sensitive_scanner.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <unordered_set>
#include <utility>

#include "core/ascii.h"
#include "core/sha256_digest.h"
#include "route/sensitive/builtin_keywords.h"
#include "route/sensitive/clean_text_memo.h"
#include "route/sensitive/detectors.h"
#include "route/sensitive/keyword_matcher.h"
#include "route/sensitive/scan_context.h"

namespace duet {

using sensitive::KeywordMatcher;
using sensitive::ScanContext;

struct SensitiveScanner::Rules {
  size_t max_findings = 16;
  std::unordered_set<std::string> allow;  // ASCII-lowercased
  // The built-in keywords and the user's words that begin with a letter or
  // a non-ASCII character, found in the main pass; null without such words.
  std::unique_ptr<KeywordMatcher> keywords;
  // The user's words that begin with an ASCII digit or symbol, found in a
  // pass of their own; words_first_byte says which bytes may start one.
  std::unique_ptr<KeywordMatcher> other_words;
  std::array<bool, 256> words_first_byte{};
  std::vector<std::unique_ptr<RE2>> patterns;
  // All patterns in one DFA: one pass says which patterns match at all, so
  // clean text costs one RE2 pass however many patterns there are.
  std::unique_ptr<RE2::Set> pattern_set;
  // Texts found clean; null when options.remembered_clean_texts is 0.
  std::unique_ptr<sensitive::CleanTextMemo> clean_texts;
};

namespace {

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() &&
         sensitive::IsSpace(static_cast<uint8_t>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         sensitive::IsSpace(static_cast<uint8_t>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

void ScanWords(const KeywordMatcher& words,
               const std::array<bool, 256>& first_byte, ScanContext& ctx) {
  const std::string_view text = ctx.text();
  const uint8_t* p = reinterpret_cast<const uint8_t*>(text.data());
  auto try_at = [&](size_t pos) {
    size_t found = sensitive::kNoFinding;
    words.ForEachMatchAt(
        text, pos, [&](const KeywordMatcher::Keyword&, size_t end) {
          found =
              ctx.Report(SensitiveKind::kCustom, "custom_word", pos, end - pos);
          return found != sensitive::kNoFinding || ctx.full();
        });
    return found;
  };
  size_t i = 0;
  while (i < text.size() && !ctx.full()) {
    const uint8_t c = p[i];
    if (sensitive::IsAlnum(c)) {
      // Whole words: a word that begins with a letter or digit begins a
      // run of them, never inside one.
      const size_t run_end = sensitive::AlnumRunEnd(p, i + 1, text.size());
      const size_t found = first_byte[c] ? try_at(i) : sensitive::kNoFinding;
      i = std::max(found, run_end);
    } else {
      const size_t found = first_byte[c] ? try_at(i) : sensitive::kNoFinding;
      i = std::max(found, i + 1);
    }
  }
}

// Every matching pattern keeps its next match; the earliest one is
// reported and the patterns it overlaps search again after it, so each
// pattern scans the text about once.
void ScanPatterns(const std::vector<std::unique_ptr<RE2>>& all_patterns,
                  const RE2::Set* pattern_set, ScanContext& ctx) {
  const std::string_view text = ctx.text();
  const re2::StringPiece input(text.data(), text.size());
  std::vector<const RE2*> patterns;
  std::vector<int> matching;
  RE2::Set::ErrorInfo error;
  if (pattern_set != nullptr && (pattern_set->Match(input, &matching, &error) ||
                                 error.kind == RE2::Set::kNoError)) {
    for (int index : matching) {
      patterns.push_back(all_patterns[static_cast<size_t>(index)].get());
    }
  } else {
    for (const auto& pattern : all_patterns) {
      patterns.push_back(pattern.get());
    }
  }
  if (patterns.empty()) {
    return;
  }
  constexpr size_t kNone = static_cast<size_t>(-1);
  struct Next {
    size_t begin = 0;
    size_t length = 0;
  };
  std::vector<Next> next(patterns.size());
  auto search = [&](size_t index, size_t from) {
    re2::StringPiece match;
    for (size_t start = from; start <= text.size(); ++start) {
      if (!patterns[index]->Match(input, start, text.size(), RE2::UNANCHORED,
                                  &match, 1)) {
        break;
      }
      const size_t begin = static_cast<size_t>(match.data() - text.data());
      if (!match.empty()) {
        next[index] = {begin, match.size()};
        return;
      }
      start = begin;  // an empty match: look again one byte further
    }
    next[index] = {kNone, 0};
  };
  for (size_t i = 0; i < patterns.size(); ++i) {
    search(i, 0);
  }
  while (!ctx.full()) {
    const auto earliest = std::min_element(
        next.begin(), next.end(), [](const Next& a, const Next& b) {
          return a.begin != b.begin ? a.begin < b.begin : a.length > b.length;
        });
    if (earliest->begin == kNone) {
      break;
    }
    const size_t end = earliest->begin + earliest->length;
    ctx.Report(SensitiveKind::kCustom, "custom_pattern", earliest->begin,
               earliest->length);
    for (size_t i = 0; i < next.size(); ++i) {
      if (next[i].begin != kNone && next[i].begin < end) {
        search(i, end);
      }
    }
  }
}

}  // namespace

std::string_view SensitiveKindName(SensitiveKind kind) {
  switch (kind) {
    case SensitiveKind::kEmail:
      return "email";
    case SensitiveKind::kPhone:
      return "phone";
    case SensitiveKind::kNationalId:
      return "national_id";
    case SensitiveKind::kDateOfBirth:
      return "date_of_birth";
    case SensitiveKind::kStreetAddress:
      return "street_address";
    case SensitiveKind::kPaymentCard:
      return "payment_card";
    case SensitiveKind::kIban:
      return "iban";
    case SensitiveKind::kCredential:
      return "credential";
    case SensitiveKind::kPrivateKey:
      return "private_key";
    case SensitiveKind::kPassword:
      return "password";
    case SensitiveKind::kMedicalRecord:
      return "medical_record";
    case SensitiveKind::kConfidentialMarking:
      return "confidential_marking";
    case SensitiveKind::kCustom:
      return "custom";
  }
  return "unknown";
}

SensitiveScanner::SensitiveScanner(std::shared_ptr<const Rules> rules)
    : rules_(std::move(rules)) {}

Result<SensitiveScanner> SensitiveScanner::Create(
    SensitiveScannerOptions options) {
  if (options.max_findings == 0) {
    return Error(InvalidArgument("sensitive: max_findings must be at least 1"));
  }
  auto rules = std::make_shared<Rules>();
  rules->max_findings = options.max_findings;
  for (const std::string& entry : options.allow) {
    rules->allow.insert(AsciiLowered(entry));
  }
  std::vector<KeywordMatcher::Keyword> keywords =
      sensitive::BuiltinMatcherKeywords();
  const size_t builtin_count = keywords.size();
  std::vector<KeywordMatcher::Keyword> other_words;
  for (size_t i = 0; i < options.words.size(); ++i) {
    const std::string_view word = TrimSpaces(options.words[i]);
    if (word.empty()) {
      return Error(InvalidArgument("sensitive: words[" + std::to_string(i) +
                                   "] is empty"));
    }
    const uint8_t first = static_cast<uint8_t>(word.front());
    KeywordMatcher::Keyword keyword{
        std::string(word), static_cast<uint32_t>(builtin_count + i),
        /*case_sensitive=*/false, /*whole_word=*/true};
    if (sensitive::IsAlpha(first) || first >= 0xC0) {
      keywords.push_back(std::move(keyword));
    } else {
      rules->words_first_byte[first] = true;
      other_words.push_back(std::move(keyword));
    }
  }
  if (keywords.size() > builtin_count) {
    rules->keywords = std::make_unique<KeywordMatcher>(std::move(keywords));
  }
  if (!other_words.empty()) {
    rules->other_words =
        std::make_unique<KeywordMatcher>(std::move(other_words));
  }
  RE2::Options re2_options;
  re2_options.set_log_errors(false);
  for (size_t i = 0; i < options.patterns.size(); ++i) {
    const std::string& pattern = options.patterns[i];
    if (pattern.empty()) {
      return Error(InvalidArgument("sensitive: patterns[" + std::to_string(i) +
                                   "] is empty"));
    }
    auto compiled = std::make_unique<RE2>(pattern, re2_options);
    if (!compiled->ok()) {
      return Error(
          InvalidArgument("sensitive: pattern \"" + pattern +
                          "\" does not compile: " + compiled->error()));
    }
    rules->patterns.push_back(std::move(compiled));
  }
  if (!rules->patterns.empty()) {
    auto set = std::make_unique<RE2::Set>(re2_options, RE2::UNANCHORED);
    bool added = true;
    for (const std::string& pattern : options.patterns) {
      added = added && set->Add(pattern, nullptr) >= 0;
    }
    // Without the set (too big to compile), every pattern scans the text.
    if (added && set->Compile()) {
      rules->pattern_set = std::move(set);
    }
  }
  if (options.remembered_clean_texts > 0) {
    rules->clean_texts = std::make_unique<sensitive::CleanTextMemo>(
        sensitive::CleanTextMemo::Options{.capacity = options.remembered_clean_texts});
  }
  return SensitiveScanner(std::move(rules));
}

void SensitiveScanner::ScanUpTo(std::string_view text, size_t limit,
                                std::vector<SensitiveFinding>* out) const {
  const size_t first = out->size();
  std::optional<Sha256Digest> digest;
  if (rules_->clean_texts != nullptr && text.size() >= kMinRememberedTextBytes) {
    digest = Sha256Of(text);
    if (digest && rules_->clean_texts->Contains(*digest)) {
      return;
    }
  }
  ScanContext ctx(text, &rules_->allow, limit, out);
  sensitive::RunBuiltinPass(ctx, rules_->keywords != nullptr
                                     ? *rules_->keywords
                                     : sensitive::BuiltinMatcher());
  if (rules_->other_words != nullptr && !ctx.full()) {
    ctx.StartPass();
    ScanWords(*rules_->other_words, rules_->words_first_byte, ctx);
  }
  if (!rules_->patterns.empty() && !ctx.full()) {
    ctx.StartPass();
    ScanPatterns(rules_->patterns, rules_->pattern_set.get(), ctx);
  }
  std::stable_sort(out->begin() + static_cast<std::ptrdiff_t>(first),
                   out->end(),
                   [](const SensitiveFinding& a, const SensitiveFinding& b) {
                     return a.offset < b.offset;
                   });
  if (digest && out->size() == first) {
    rules_->clean_texts->Remember(*digest);
  }
}

void SensitiveScanner::Scan(std::string_view text,
                            std::vector<SensitiveFinding>* out) const {
  ScanUpTo(text, rules_->max_findings, out);
}

bool SensitiveScanner::HasSensitive(std::string_view text) const {
  std::vector<SensitiveFinding> findings;
  ScanUpTo(text, 1, &findings);
  return !findings.empty();
}

size_t SensitiveScanner::remembered_clean_texts() const {
  return rules_->clean_texts != nullptr ? rules_->clean_texts->size() : 0;
}

}  // namespace duet
