// Internal to route/escalation: degenerate repetition, the way small models
// fail when they loop ("the the the", one sentence over and over,
// "好的好的好的好的好的").
//
// The text is read without its fenced code blocks (``` or ~~~ fences): code
// repeats itself legitimately. What remains is split into words at
// whitespace; ASCII punctuation at a word's edges is dropped (so Markdown
// list markers and table bars are not words) and ASCII letters are
// lowercased. It is degenerate when any of these holds:
//   * one word repeats kMinWordRepeats times in a row, or an n-word phrase
//     (n = 2..kMaxPhraseWords) kMinPhraseRepeats times in a row, and the
//     run covers at least a fifth of the words or kRunWordsAlwaysDegenerate
//     words;
//   * the text has at least kMinWordsForVariety words and some stretch of
//     kVarietyWindowWords words (the whole text when shorter) holds fewer
//     than 20% distinct words: the test for loops longer than a phrase;
//   * CJK text, read without whitespace and ASCII punctuation, repeats one
//     unit of 2..kMaxUnitChars characters, one of them CJK,
//     kMinUnitRepeats times in a row.
// Numbered lists, tables and ordinary prose vary from line to line, which
// these runs need not to.
//
// Thread safety: pure function.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace duet::escalation {

inline constexpr size_t kMinWordRepeats = 8;
inline constexpr size_t kMaxPhraseWords = 8;
inline constexpr size_t kMinPhraseRepeats = 4;
inline constexpr size_t kRunWordsAlwaysDegenerate = 64;
inline constexpr size_t kMinWordsForVariety = 60;
inline constexpr size_t kVarietyWindowWords = 200;
inline constexpr size_t kMaxUnitChars = 20;
inline constexpr size_t kMinUnitRepeats = 5;
// Only this much of a longer text is read, which bounds the cost.
inline constexpr size_t kRepetitionScannedBytes = 256 * 1024;

// An ASCII sentence describing the repetition found in `text` (counts
// only, never the words), or nullopt when there is none.
std::optional<std::string> FindDegenerateRepetition(std::string_view text);

}  // namespace duet::escalation
