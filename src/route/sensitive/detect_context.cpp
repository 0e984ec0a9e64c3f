// Findings that depend on context: medical terms tied to a person, and
// confidentiality markings (which are not findings when someone asks what
// they mean).
#include <algorithm>
#include <string_view>

#include "core/ascii.h"
#include "route/sensitive/detectors.h"

namespace duet::sensitive {
namespace {

// How far from a medical term a person may be named.
constexpr size_t kPersonWindow = 200;
// How far a marking's sentence is searched for a question or a "what is".
constexpr size_t kSentenceWindow = 160;

struct Span {
  size_t begin = 0;
  size_t end = 0;
};

bool OneOf(std::string_view value,
           std::initializer_list<std::string_view> options) {
  return std::find(options.begin(), options.end(), value) != options.end();
}

// Capitalised words that start sentences, name places, months, days or
// conditions, and so do not make "Firstname Lastname" pairs.
bool IsCommonCapitalisedWord(std::string_view word) {
  static constexpr std::string_view kWords[] = {
      "The",       "A",          "An",        "In",       "On",
      "At",        "For",        "With",      "From",     "To",
      "And",       "But",        "Or",        "If",       "When",
      "While",     "What",       "Why",       "How",      "Who",
      "Which",     "Where",      "This",      "That",     "These",
      "Those",     "My",         "Your",      "His",      "Her",
      "Our",       "Their",      "Its",       "Is",       "Are",
      "Was",       "Were",       "Can",       "Could",    "Should",
      "Would",     "Will",       "Does",      "Do",       "Did",
      "Has",       "Have",       "Had",       "Please",   "Thanks",
      "Dear",      "Hi",         "Hello",     "Yes",      "No",
      "Not",       "Also",       "After",     "Before",   "Since",
      "Because",   "However",    "Patient",   "Doctor",   "Type",
      "Blood",     "Pressure",   "Kidney",    "Disease",  "Chronic",
      "Acute",     "Stage",      "Test",      "Tests",    "Results",
      "Note",      "Notes",      "Summary",   "Report",   "Diagnosis",
      "Treatment", "Medical",    "Health",    "Clinical", "Care",
      "Hospital",  "Clinic",     "Center",    "Centre",   "New",
      "North",     "South",      "East",      "West",     "United",
      "States",    "Great",      "San",       "Los",      "Las",
      "Saint",     "University", "Monday",    "Tuesday",  "Wednesday",
      "Thursday",  "Friday",     "Saturday",  "Sunday",   "January",
      "February",  "March",      "April",     "May",      "June",
      "July",      "August",     "September", "October",  "November",
      "December",  "Depression", "Diabetes",  "Cancer",   "Insulin",
      "Metformin", "Some",       "Any",       "All",      "Many",
      "Most",      "Each",       "Every",     "Other",    "Such",
      "Der",       "Die",        "Das",       "El",       "La",
      "Le",        "Les",        "Un",        "Une",      "Ein",
      "Eine",      "Mellitus",   "Disorder",
  };
  return std::find(std::begin(kWords), std::end(kWords), word) !=
         std::end(kWords);
}

size_t CapitalisedEnd(const ScanContext& ctx, size_t pos) {
  if (!IsUpper(ctx.At(pos))) {
    return kNoFinding;
  }
  size_t i = pos + 1;
  while (IsLower(ctx.At(i)) || (ctx.At(i) >= 0x80 && ctx.At(i) < 0xE0)) {
    ++i;
  }
  return i - pos >= 2 && !IsAlnum(ctx.At(i)) ? i : kNoFinding;
}

// A person named at `pos`: "Mr. Novak", "patient Jana", "Jana Novak",
// "MRN 123456", "患者王伟", "王先生". Returns its span's end or kNoFinding.
size_t PersonAt(const ScanContext& ctx, size_t pos) {
  const std::string_view text = ctx.text();
  const uint8_t c = ctx.At(pos);
  if (c >= 0xE0) {
    if (ctx.From(pos).starts_with("患者")) {
      size_t i = pos + 6;
      if (ctx.From(i).starts_with("：")) {
        i += 3;
      }
      if (ctx.At(i) == ':' || ctx.At(i) == ' ') {
        ++i;
      }
      return ctx.At(i) >= 0xE3 ? i + 3 : kNoFinding;
    }
    for (std::string_view honorific :
         {"先生", "女士", "小姐", "さん", "様", "氏"}) {
      if (ctx.From(pos + 3).starts_with(honorific) && ctx.At(pos) >= 0xE3) {
        return pos + 3 + honorific.size();
      }
    }
    return kNoFinding;
  }
  if (!IsAlpha(c) || IsAlpha(ctx.Before(pos))) {
    return kNoFinding;
  }
  const size_t word_end = [&] {
    size_t i = pos;  // letters, including two-byte UTF-8 ones (Señor)
    while (IsAlpha(ctx.At(i)) || (ctx.At(i) >= 0x80 && ctx.At(i) < 0xE0)) {
      ++i;
    }
    return i;
  }();
  const std::string_view word = text.substr(pos, word_end - pos);
  size_t after = word_end;
  if (OneOf(word, {"Mr", "Mrs", "Ms", "Dr", "Sr", "Sra", "Srta", "M"}) &&
      ctx.At(after) == '.') {
    ++after;
  }
  const bool title =
      after > word_end || OneOf(word, {"Mr", "Mrs", "Ms", "Herr", "Frau", "Mme",
                                       "Mlle", "Señor", "Señora"});
  const bool patient = OneOf(AsciiLowered(word),
                             {"patient", "patientin", "paciente", "patiente"});
  if (title || patient) {
    if (patient && ctx.At(after) == ':') {
      ++after;
    }
    if (ctx.At(after) != ' ') {
      return kNoFinding;
    }
    const size_t name_end = CapitalisedEnd(ctx, after + 1);
    if (name_end != kNoFinding && !IsCommonCapitalisedWord(text.substr(
                                      after + 1, name_end - after - 1))) {
      return name_end;
    }
    return kNoFinding;
  }
  // Medical record numbers: MRN (English), NHC (Spanish historia clínica).
  if (word == "MRN" || word == "NHC") {
    size_t i = after;
    while (ctx.At(i) == ' ' || ctx.At(i) == ':' || ctx.At(i) == '#') {
      ++i;
    }
    return IsDigit(ctx.At(i)) ? i : kNoFinding;
  }
  // Firstname Lastname.
  const size_t first_end = CapitalisedEnd(ctx, pos);
  if (first_end == kNoFinding || ctx.At(first_end) != ' ' ||
      IsCommonCapitalisedWord(word)) {
    return kNoFinding;
  }
  const size_t last_end = CapitalisedEnd(ctx, first_end + 1);
  if (last_end == kNoFinding || IsCommonCapitalisedWord(text.substr(
                                    first_end + 1, last_end - first_end - 1))) {
    return kNoFinding;
  }
  return last_end;
}

// The first person named within kPersonWindow of [begin, end), if any.
// Remembers where no person starts (ScanContext::no_person()), so medical
// terms close together do not search the same bytes again.
bool FindPersonNear(ScanContext& ctx, size_t begin, size_t end, Span* person) {
  const size_t from = begin > kPersonWindow ? begin - kPersonWindow : 0;
  const size_t to = std::min(ctx.size(), end + kPersonWindow);
  RunMemo& searched = ctx.no_person();
  for (size_t i = from; i < to; ++i) {
    if (i >= searched.begin && i < searched.end) {
      i = searched.end - 1;
      continue;
    }
    if (i >= begin && i < end) {
      continue;
    }
    const uint8_t c = ctx.At(i);
    if (!IsUpper(c) && c != 'p' && c < 0xE0) {
      continue;
    }
    const size_t person_end = PersonAt(ctx, i);
    if (person_end != kNoFinding) {
      *person = {i, person_end};
      return true;
    }
  }
  if (from <= searched.end && to >= searched.begin && searched.end > 0) {
    searched = {1, std::min(from, searched.begin), std::max(to, searched.end)};
  } else {
    searched = {1, from, to};
  }
  return false;
}

// The bounds of the sentence around [begin, end): back to the previous
// sentence end, forward to the next one (or the window's edge).
Span SentenceAround(const ScanContext& ctx, size_t begin, size_t end,
                    uint8_t* terminator) {
  auto is_cjk_end = [&](size_t i) {
    const std::string_view rest = ctx.From(i);
    return rest.starts_with("。") || rest.starts_with("？") ||
           rest.starts_with("！");
  };
  auto is_end = [&](size_t i) {
    const uint8_t c = ctx.At(i);
    return c == '.' || c == '!' || c == '?' || c == '\n' || is_cjk_end(i);
  };
  size_t from = begin;
  while (from > 0 && begin - from < kSentenceWindow && !is_end(from - 1) &&
         !(from >= 3 && is_cjk_end(from - 3))) {
    --from;
  }
  size_t to = end;
  while (to < ctx.size() && to - end < kSentenceWindow && !is_end(to)) {
    ++to;
  }
  *terminator = ctx.From(to).starts_with("？") ? '?' : ctx.At(to);
  return {from, to};
}

// A label at the start of a line: "CONFIDENTIAL", "## Internal only:".
bool IsLineLabel(const ScanContext& ctx, size_t begin, size_t end) {
  size_t i = begin;
  while (
      i > 0 &&
      std::string_view(" \t#*>_[|-").find(static_cast<char>(ctx.At(i - 1))) !=
          std::string_view::npos) {
    --i;
  }
  if (i > 0 && ctx.At(i - 1) != '\n') {
    return false;
  }
  size_t j = end;
  while (ctx.At(j) == ' ' || ctx.At(j) == '*' || ctx.At(j) == ']') {
    ++j;
  }
  const uint8_t c = ctx.At(j);
  return j >= ctx.size() || c == '\n' || c == '\r' || c == ':' || c == '-' ||
         c == '|' || ctx.From(j).starts_with("\xE2\x80\x94");
}

bool IsQuoted(const ScanContext& ctx, size_t begin, size_t end) {
  const std::string_view text = ctx.text();
  const uint8_t before = ctx.Before(begin);
  const bool open = before == '"' || before == '\'' || before == '`' ||
                    (begin >= 3 && (text.substr(begin - 3, 3) == "“" ||
                                    text.substr(begin - 3, 3) == "「" ||
                                    text.substr(begin - 3, 3) == "‘"));
  const uint8_t after = ctx.At(end);
  const bool close = after == '"' || after == '\'' || after == '`' ||
                     ctx.From(end).starts_with("”") ||
                     ctx.From(end).starts_with("」") ||
                     ctx.From(end).starts_with("’");
  return open && close;
}

// True when the marking is talked about rather than applied: quoted, in a
// question, or after "what is" / "explain" / "什么是".
bool IsMentionedNotApplied(const ScanContext& ctx, size_t begin, size_t end) {
  if (IsQuoted(ctx, begin, end)) {
    return true;
  }
  if (IsLineLabel(ctx, begin, end)) {
    return false;
  }
  uint8_t terminator = 0;
  const Span sentence = SentenceAround(ctx, begin, end, &terminator);
  if (terminator == '?') {
    return true;
  }
  static constexpr std::string_view kAsking[] = {
      "what is",
      "what's",
      "what does",
      "what are",
      "explain",
      "meaning of",
      "mean by",
      "define",
      "definition",
      "how do",
      "how to",
      "how can",
      "difference between",
      "was ist",
      "was bedeutet",
      "erkläre",
      "qué es",
      "que es",
      "qué significa",
      "explica",
      "qu'est-ce",
      "que signifie",
      "expliquer",
      "什么是",
      "什么叫",
      "解释",
      "とは",
      "説明して",
  };
  return std::any_of(
      std::begin(kAsking), std::end(kAsking), [&](std::string_view phrase) {
        return FindLower(ctx.text(), sentence.begin, begin, phrase) !=
               std::string_view::npos;
      });
}

}  // namespace

size_t DetectMedical(ScanContext& ctx, Cue cue, size_t pos, size_t end) {
  if (cue == Cue::kDose) {
    size_t i = pos;
    if (ctx.Before(i) == ' ') {
      --i;
    }
    if (!IsDigit(ctx.Before(i))) {
      return kNoFinding;  // "500 mg", "5mg"
    }
  }
  // Near the last medical finding the same person would be found again.
  if (pos < ctx.last_end(SensitiveKind::kMedicalRecord) + kPersonWindow &&
      ctx.last_end(SensitiveKind::kMedicalRecord) != 0) {
    return kNoFinding;
  }
  // A stem ("chemotherap") covers the rest of its word ("chemotherapy").
  if (IsAlpha(ctx.Before(end))) {
    while (IsAlpha(ctx.At(end)) ||
           (ctx.At(end) >= 0x80 && ctx.At(end) < 0xE0)) {
      ++end;
    }
  }
  Span person;
  if (!FindPersonNear(ctx, pos, end, &person)) {
    return kNoFinding;
  }
  const size_t begin = std::min(person.begin, pos);
  const size_t finish = std::max(person.end, end);
  return ctx.Report(SensitiveKind::kMedicalRecord, "medical_record", begin,
                    finish - begin);
}

size_t DetectMedicalRecordNumber(ScanContext& ctx, size_t pos, size_t cue_end) {
  if (ctx.text().substr(pos, 3) == "mrn" || ctx.text().substr(pos, 3) == "nhc") {
    return kNoFinding;  // lowercase: not a label
  }
  size_t i = cue_end;
  while (ctx.At(i) == ' ' || ctx.At(i) == ':' || ctx.At(i) == '#' ||
         ctx.At(i) == '.') {
    ++i;
  }
  const size_t start = i;
  while (IsUpper(ctx.At(i)) && i - start < 3) {
    ++i;
  }
  const size_t digits = i;
  while (IsDigit(ctx.At(i))) {
    ++i;
  }
  if (i - digits < 4 || i - digits > 12 || IsAlnum(ctx.At(i))) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kMedicalRecord, "medical_record_number",
                    start, i - start);
}

// True inside a comment in code (`//` before it on its line, a `/*` or
// ` * ` line, a trailing ` # `), where "internal only" documents an API
// rather than marks a document.
bool InCodeComment(const ScanContext& ctx, size_t pos) {
  size_t line = pos;
  while (line > 0 && ctx.At(line - 1) != '\n' && pos - line < 200) {
    --line;
  }
  const std::string_view before = ctx.text().substr(line, pos - line);
  if (before.find("//") != std::string_view::npos ||
      before.find(" # ") != std::string_view::npos) {
    return true;
  }
  while (ctx.At(line) == ' ' || ctx.At(line) == '\t') {
    ++line;
  }
  const std::string_view rest = ctx.From(line);
  return rest.starts_with("/*") || rest.starts_with("* ");
}

// "the internal-only flag": the phrase describes a thing of software.
bool DescribesSoftware(const ScanContext& ctx, size_t end) {
  static constexpr std::string_view kNouns[] = {
      "flag",      "option",   "field",    "setting", "mode",     "api",
      "endpoint",  "method",   "function", "class",   "property", "attribute",
      "parameter", "variable", "feature",  "build",   "tool",     "network",
      "route",     "service",  "package",  "module",  "header",   "symbol",
      "type",      "access",
  };
  size_t i = end;
  while (ctx.At(i) == ' ') {
    ++i;
  }
  if (i == end) {
    return false;
  }
  size_t word_end = i;
  while (IsAlpha(ctx.At(word_end))) {
    ++word_end;
  }
  std::string word = AsciiLowered(ctx.text().substr(i, word_end - i));
  if (word.ends_with("s")) {
    word.pop_back();
  }
  return std::find(std::begin(kNouns), std::end(kNouns), word) !=
         std::end(kNouns);
}

size_t DetectMarking(ScanContext& ctx, const BuiltinKeyword& keyword,
                     size_t pos, size_t end) {
  if (keyword.rule == "marking:internal" &&
      (InCodeComment(ctx, pos) || DescribesSoftware(ctx, end))) {
    return kNoFinding;
  }
  if (keyword.cue == Cue::kMarkingLabel && keyword.text == "Confidential" &&
      !IsLineLabel(ctx, pos, end)) {
    return kNoFinding;  // "Confidential" in a sentence is just a word
  }
  if (IsMentionedNotApplied(ctx, pos, end)) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kConfidentialMarking, keyword.rule, pos,
                    end - pos);
}

}  // namespace duet::sensitive
