// Internal to route/escalation: the UTF-8 reading the text checks share.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace duet::escalation {

// Decodes the code point at text[*pos] and moves *pos past it.
// Malformed bytes decode as U+FFFD, one byte at a time.
// REQUIRES: *pos < text.size().
char32_t NextCodePoint(std::string_view text, size_t* pos);

// Appends `code_point` to `out` as UTF-8.
void AppendUtf8(char32_t code_point, std::string* out);

// ASCII whitespace and the Unicode space separators (no-break, em, ideographic
// and zero-width spaces, line and paragraph separators, the BOM).
bool IsUnicodeSpace(char32_t code_point);

// Han ideographs, kana and Hangul: scripts written without spaces.
bool IsCjk(char32_t code_point);

// `text` without leading and trailing IsUnicodeSpace characters.
std::string_view TrimUnicodeSpace(std::string_view text);

}  // namespace duet::escalation
