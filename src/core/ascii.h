// ASCII case folding for protocol text: header names, URL schemes and hosts,
// hex digests. Only 'A'..'Z' change, whatever the process's C locale, and
// without std::tolower's library call per byte (which consults the locale).
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace duet {

constexpr char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline void AsciiLowerInPlace(std::string* text) {
  for (char& c : *text) {
    c = AsciiLower(c);
  }
}

inline std::string AsciiLowered(std::string_view text) {
  std::string out(text);
  AsciiLowerInPlace(&out);
  return out;
}

}  // namespace duet
