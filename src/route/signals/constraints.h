// Instruction complexity: counts the interlocking constraints an
// instruction sets ("do X, but not if Y, unless Z, and format it as…"),
// the guide's sign of a request that needs precise instruction following
// (policy.md §1).
//
// Markers are phrases in English, Spanish, German, French, Chinese and
// Japanese, in four families: conditions and exceptions ("unless", "solo
// si", "es sei denn", "à moins que", "除非", "ただし"), limits ("no more
// than", "höchstens", "不超过"), prohibitions ("do not", "nunca", "不要")
// and form ("as a table", "end with", "箇条書き"). Constraints interlock
// when at least one is a condition and they span three families; plain
// lists of requirements ("short, friendly, in French") do not count.
//
// Only the first kScannedBytes of the instruction are read: constraints
// are stated up front, and pasted material must not count.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace duet {

struct ConstraintCount {
  int64_t total = 0;       // marker occurrences
  int64_t conditions = 0;  // of which conditions and exceptions
  int64_t families = 0;    // distinct families present (0-4)
  std::vector<std::string> markers;  // the phrases found, in text order

  // Enough constraints, with a condition among three families.
  bool Interlocking(int64_t threshold) const {
    return total >= threshold && conditions >= 1 && families >= 3;
  }
};

inline constexpr size_t kConstraintScannedBytes = 2048;

ConstraintCount CountConstraints(std::string_view instruction);

}  // namespace duet
