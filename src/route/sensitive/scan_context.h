// Internal to route/sensitive: the state one Scan call carries (the text and
// where findings go) and the byte helpers every detector uses.
//
// Detectors are free functions `size_t DetectX(ScanContext&, size_t pos)`:
// they look at the text around `pos`, report what they find through
// ScanContext::Report, and return the end offset of what they reported, or
// kNoFinding (0) when they reported nothing. The main loop resumes after a
// reported end, so one detector's findings never overlap.
//
// Thread safety: a ScanContext belongs to one Scan call on one thread.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "route/sensitive/sensitive_scanner.h"

namespace duet::sensitive {

inline constexpr size_t kNoFinding = 0;

// ASCII character classes as a table, so hot loops do one load per byte.
enum CharBits : uint8_t {
  kDigitBit = 1,
  kUpperBit = 2,
  kLowerBit = 4,
  kSpaceBit = 8,  // ' ', '\t', '\r', '\n', '\f', '\v'
  kNonAsciiBit = 16,
};

inline constexpr std::array<uint8_t, 256> kCharBits = [] {
  std::array<uint8_t, 256> bits{};
  for (int c = '0'; c <= '9'; ++c) {
    bits[c] = kDigitBit;
  }
  for (int c = 'A'; c <= 'Z'; ++c) {
    bits[c] = kUpperBit;
  }
  for (int c = 'a'; c <= 'z'; ++c) {
    bits[c] = kLowerBit;
  }
  for (char c : {' ', '\t', '\r', '\n', '\f', '\v'}) {
    bits[static_cast<uint8_t>(c)] = kSpaceBit;
  }
  for (int c = 0x80; c < 256; ++c) {
    bits[c] = kNonAsciiBit;
  }
  return bits;
}();

inline bool IsDigit(uint8_t c) { return kCharBits[c] & kDigitBit; }
inline bool IsUpper(uint8_t c) { return kCharBits[c] & kUpperBit; }
inline bool IsLower(uint8_t c) { return kCharBits[c] & kLowerBit; }
inline bool IsAlpha(uint8_t c) {
  return kCharBits[c] & (kUpperBit | kLowerBit);
}
inline bool IsAlnum(uint8_t c) {
  return kCharBits[c] & (kDigitBit | kUpperBit | kLowerBit);
}
inline bool IsSpace(uint8_t c) { return kCharBits[c] & kSpaceBit; }
inline bool IsHexLower(uint8_t c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f');
}
inline uint8_t AsciiLower(uint8_t c) {
  return IsUpper(c) ? static_cast<uint8_t>(c + ('a' - 'A')) : c;
}

// End of the run of ASCII letters and digits that starts at `pos`. Eight
// bytes at a time where it can (words end at unpredictable places, and a
// byte loop mispredicts its exit on nearly every word).
inline size_t AlnumRunEnd(const uint8_t* p, size_t pos, size_t n) {
  if constexpr (std::endian::native == std::endian::little) {
    constexpr uint64_t kOnes = ~uint64_t{0} / 255;
    constexpr uint64_t kLow7 = kOnes * 127;
    constexpr uint64_t kHigh = kOnes * 128;
    // High bit of each byte b < 128 with lo < b < hi (Bit Twiddling Hacks,
    // "determine if a word has a byte between m and n").
    auto between = [](uint64_t x, uint64_t lo, uint64_t hi) {
      return (kOnes * (127 + hi) - (x & kLow7)) & ~x &
             ((x & kLow7) + kOnes * (127 - lo)) & kHigh;
    };
    while (pos + 8 <= n) {
      uint64_t x;
      std::memcpy(&x, p + pos, 8);
      const uint64_t alnum = between(x, '0' - 1, '9' + 1) |
                             between(x | (kOnes * 0x20), 'a' - 1, 'z' + 1);
      const uint64_t stop = ~alnum & kHigh;
      if (stop != 0) {
        return pos + static_cast<size_t>(std::countr_zero(stop) / 8);
      }
      pos += 8;
    }
  }
  while (pos < n && IsAlnum(p[pos])) {
    ++pos;
  }
  return pos;
}

// Case-insensitive (ASCII) comparison of text at `pos` with a lowercase
// literal; false when the text is too short.
bool StartsWithLower(std::string_view text, size_t pos,
                     std::string_view lower_literal);
// Case-insensitive (ASCII) search for a lowercase literal in
// text[begin, end); npos when absent.
size_t FindLower(std::string_view text, size_t begin, size_t end,
                 std::string_view lower_literal);

// A run of bytes of one class, [begin, end), that a detector measured: a
// detector measuring again from inside it knows the answer at once, so text
// made of one prefix repeated ("sk-sk-sk-...") stays linear.
struct RunMemo {
  uint8_t byte_class = 0;  // 0: nothing measured yet
  size_t begin = 0;
  size_t end = 0;
};

class ScanContext {
 public:
  // `allow` holds lowercased allow-list entries; it and `out` must outlive
  // the context.
  ScanContext(std::string_view text,
              const std::unordered_set<std::string>* allow, size_t limit,
              std::vector<SensitiveFinding>* out);

  std::string_view text() const { return text_; }
  size_t size() const { return text_.size(); }
  // The byte at `i`, or 0 past either end (so lookarounds need no bounds
  // checks of their own).
  uint8_t At(size_t i) const {
    return i < text_.size() ? static_cast<uint8_t>(text_[i]) : 0;
  }
  uint8_t Before(size_t i) const { return i == 0 ? 0 : At(i - 1); }
  // The text from `i` on; empty past the end.
  std::string_view From(size_t i) const {
    return i < text_.size() ? text_.substr(i) : std::string_view();
  }

  // Records a finding unless its text is on the allow list, it overlaps the
  // last finding of its kind, or the cap is reached. Returns offset + length
  // when recorded, kNoFinding otherwise.
  size_t Report(SensitiveKind kind, std::string_view rule, size_t offset,
                size_t length);
  bool full() const { return recorded_ >= limit_; }
  // The last run of one character class a detector measured (see RunMemo).
  RunMemo& run_memo() { return run_memo_; }
  // Bytes known to start no person's name, for the medical detector.
  RunMemo& no_person() { return no_person_; }
  // End of the last finding of `kind` recorded in this pass; 0 before one.
  size_t last_end(SensitiveKind kind) const {
    return last_end_[static_cast<size_t>(kind)];
  }
  // Starts another pass over the text (user words, user patterns): its
  // findings may overlap those of the passes before.
  void StartPass() { last_end_.fill(0); }
  size_t recorded() const { return recorded_; }

 private:
  std::string_view text_;
  const std::unordered_set<std::string>* allow_;
  size_t limit_;
  size_t recorded_ = 0;
  std::vector<SensitiveFinding>* out_;
  RunMemo run_memo_;
  RunMemo no_person_;
  // End of the last recorded finding of each kind.
  std::array<size_t, static_cast<size_t>(SensitiveKind::kCustom) + 1>
      last_end_{};
};

}  // namespace duet::sensitive
