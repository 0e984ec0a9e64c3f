// Helpers for the sensitive scanner's tests: scan a text with default
// options and look at the findings by rule or by matched text.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "route/sensitive/sensitive_scanner.h"

namespace duet::testing {

inline SensitiveScanner DefaultScanner() {
  Result<SensitiveScanner> scanner = SensitiveScanner::Create({});
  EXPECT_TRUE(scanner.has_value());
  return *scanner;
}

inline std::vector<SensitiveFinding> FindAll(std::string_view text) {
  static const SensitiveScanner scanner = DefaultScanner();
  std::vector<SensitiveFinding> findings;
  scanner.Scan(text, &findings);
  return findings;
}

// "rule=matched text" for every finding, in order: easy to read in a
// failure message and to compare.
inline std::vector<std::string> Describe(std::string_view text) {
  std::vector<std::string> out;
  for (const SensitiveFinding& f : FindAll(text)) {
    out.push_back(f.rule + "=" + std::string(text.substr(f.offset, f.length)));
  }
  return out;
}

inline std::vector<std::string> Kinds(std::string_view text) {
  std::vector<std::string> out;
  for (const SensitiveFinding& f : FindAll(text)) {
    out.emplace_back(SensitiveKindName(f.kind));
  }
  return out;
}

}  // namespace duet::testing
