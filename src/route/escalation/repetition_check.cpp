#include "route/escalation/repetition_check.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "route/escalation/utf8_text.h"

namespace duet::escalation {
namespace {

constexpr std::string_view kAsciiPunctuation =
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

bool IsAsciiPunctuation(char32_t c) {
  return c < 0x80 &&
         kAsciiPunctuation.find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsFenceLine(std::string_view line) {
  const size_t indent = std::min(line.find_first_not_of(' '), size_t{3});
  line.remove_prefix(std::min(indent, line.size()));
  return line.starts_with("```") || line.starts_with("~~~");
}

// The first kRepetitionScannedBytes of `text` without fenced code blocks
// (an unclosed fence runs to the end).
std::string Prose(std::string_view text) {
  text = text.substr(0, kRepetitionScannedBytes);
  std::string prose;
  bool in_code = false;
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (IsFenceLine(line)) {
      in_code = !in_code;
    } else if (!in_code) {
      prose.append(line);
      prose.push_back('\n');
    }
  }
  return prose;
}

struct Words {
  std::vector<uint32_t> ids;  // one per word, equal words equal ids
  size_t vocabulary = 0;      // distinct ids
};

Words SplitWords(std::string_view prose) {
  Words words;
  std::unordered_map<std::string, uint32_t> ids;
  std::string word;
  const auto flush = [&] {
    const size_t first = word.find_first_not_of(kAsciiPunctuation);
    if (first != std::string::npos) {
      const size_t last = word.find_last_not_of(kAsciiPunctuation);
      std::string key = word.substr(first, last - first + 1);
      for (char& c : key) {
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      }
      const uint32_t next_id = static_cast<uint32_t>(ids.size());
      words.ids.push_back(ids.emplace(std::move(key), next_id).first->second);
    }
    word.clear();
  };
  for (size_t pos = 0; pos < prose.size();) {
    const size_t start = pos;
    if (IsUnicodeSpace(NextCodePoint(prose, &pos))) {
      flush();
    } else {
      word.append(prose.substr(start, pos - start));
    }
  }
  flush();
  words.vocabulary = ids.size();
  return words;
}

// Calls found(start, repeats) for each maximal stretch of `sequence` that is
// one unit of `period` elements repeated back to back (twice or more), until
// `found` returns true; returns whether it did.
template <typename T, typename Found>
bool ForEachRepeatRun(const std::vector<T>& sequence, size_t period,
                      Found found) {
  size_t run = 0;  // consecutive i with sequence[i] == sequence[i + period]
  for (size_t i = 0; i + period <= sequence.size(); ++i) {
    if (i + period < sequence.size() && sequence[i] == sequence[i + period]) {
      ++run;
      continue;
    }
    if (run >= period && found(i - run, run / period + 1)) {
      return true;
    }
    run = 0;
  }
  return false;
}

std::optional<std::string> FindRepeatedPhrase(const Words& words) {
  const size_t total = words.ids.size();
  std::optional<std::string> description;
  for (size_t n = 1; n <= kMaxPhraseWords && !description; ++n) {
    const size_t min_repeats = n == 1 ? kMinWordRepeats : kMinPhraseRepeats;
    ForEachRepeatRun(words.ids, n, [&](size_t, size_t repeats) {
      const size_t covered = repeats * n;
      if (repeats < min_repeats ||
          (covered * 5 < total && covered < kRunWordsAlwaysDegenerate)) {
        return false;
      }
      description =
          (n == 1 ? std::string("the same word")
                  : "the same " + std::to_string(n) + "-word phrase") +
          " repeats " + std::to_string(repeats) + " times in a row (" +
          std::to_string(covered) + " of " + std::to_string(total) + " words)";
      return true;
    });
  }
  return description;
}

std::optional<std::string> FindLowVariety(const Words& words) {
  const std::vector<uint32_t>& ids = words.ids;
  if (ids.size() < kMinWordsForVariety) {
    return std::nullopt;
  }
  const size_t window = std::min(ids.size(), kVarietyWindowWords);
  std::vector<uint32_t> counts(words.vocabulary, 0);
  size_t distinct = 0;
  size_t fewest = window;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i >= window && --counts[ids[i - window]] == 0) {
      --distinct;
    }
    if (counts[ids[i]]++ == 0) {
      ++distinct;
    }
    if (i + 1 >= window) {
      fewest = std::min(fewest, distinct);
    }
  }
  if (fewest * 5 >= window) {
    return std::nullopt;
  }
  return "only " + std::to_string(fewest) + " distinct words in a stretch of " +
         std::to_string(window) + " (under 20 percent)";
}

std::optional<std::string> FindRepeatedCjkUnit(std::string_view prose) {
  std::vector<char32_t> chars;
  bool any_cjk = false;
  for (size_t pos = 0; pos < prose.size();) {
    const char32_t c = NextCodePoint(prose, &pos);
    if (!IsUnicodeSpace(c) && !IsAsciiPunctuation(c)) {
      chars.push_back(c);
      any_cjk = any_cjk || IsCjk(c);
    }
  }
  if (!any_cjk) {
    return std::nullopt;
  }
  std::optional<std::string> description;
  for (size_t length = 2; length <= kMaxUnitChars && !description; ++length) {
    ForEachRepeatRun(chars, length, [&](size_t start, size_t repeats) {
      const auto unit = chars.begin() + static_cast<std::ptrdiff_t>(start);
      if (repeats < kMinUnitRepeats ||
          std::none_of(unit, unit + static_cast<std::ptrdiff_t>(length),
                       IsCjk)) {
        return false;
      }
      description = "the same " + std::to_string(length) +
                    "-character unit repeats " + std::to_string(repeats) +
                    " times in a row";
      return true;
    });
  }
  return description;
}

}  // namespace

std::optional<std::string> FindDegenerateRepetition(std::string_view text) {
  const std::string prose = Prose(text);
  const Words words = SplitWords(prose);
  if (std::optional<std::string> phrase = FindRepeatedPhrase(words)) {
    return phrase;
  }
  if (std::optional<std::string> unit = FindRepeatedCjkUnit(prose)) {
    return unit;
  }
  return FindLowVariety(words);
}

}  // namespace duet::escalation
