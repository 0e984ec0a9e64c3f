#include "core/json_writer.h"

#include <array>
#include <bit>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace duet {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  uint32_t min_code = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    min_code = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    min_code = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    min_code = 0x10000;
  } else {
    return 0;
  }
  if (i + length > s.size()) {
    return 0;
  }
  uint32_t code = lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    const unsigned char c = byte(i + k);
    if ((c & 0xC0) != 0x80) {
      return 0;
    }
    code = (code << 6) | (c & 0x3F);
  }
  // Reject overlong forms, surrogates and code points past U+10FFFF.
  if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
    return 0;
  }
  return length;
}

// Whether JSON carries byte `c` of a string as it is: printable ASCII other
// than the quote and the backslash.
bool IsPlainJsonByte(unsigned char c) {
  return c >= 0x20 && c != '"' && c != '\\' && c < 0x80;
}

// Length of the prefix of `value` made of plain bytes (IsPlainJsonByte).
// Inlined into its callers: every string written starts with it, and a call
// costs as much as scanning a short key.
//
// Sixteen bytes at a time with SSE2 (every x86-64 has it): compared as
// signed bytes, both the control bytes (below 0x20) and the bytes with the
// high bit (negative) are less than 0x20, so three compares find every
// special byte. Then eight at a time: a word is plain when none of its bytes
// is below 0x20, has the high bit, or equals '"' or '\\'. Each test can only
// flag a byte wrongly above a byte it flags rightly (a borrow runs upwards),
// so the lowest flag is the first special byte.
[[gnu::always_inline]] inline size_t PlainJsonPrefix(std::string_view value) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  for (; i + 16 <= value.size(); i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(value.data() + i));
    const __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)),
                     _mm_cmplt_epi8(bytes, space));
    if (const auto mask = static_cast<unsigned>(_mm_movemask_epi8(special)); mask != 0) {
      return i + static_cast<size_t>(std::countr_zero(mask));
    }
  }
#endif
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const auto zero_bytes = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  if constexpr (std::endian::native == std::endian::little) {
    for (; i + 8 <= value.size(); i += 8) {
      uint64_t word;
      std::memcpy(&word, value.data() + i, sizeof(word));
      const uint64_t special = (word & kHighs) | ((word - kOnes * 0x20) & ~word & kHighs) |
                               zero_bytes(word ^ (kOnes * '"')) |
                               zero_bytes(word ^ (kOnes * '\\'));
      if (special != 0) {
        return i + static_cast<size_t>(std::countr_zero(special) / 8);
      }
    }
  }
  while (i < value.size() && IsPlainJsonByte(static_cast<unsigned char>(value[i]))) {
    ++i;
  }
  return i;
}

// The two-byte escape of `c`, or 0 when it takes the \u00XX form.
constexpr std::array<char, 0x80> kShortEscapes = [] {
  std::array<char, 0x80> escapes{};
  escapes['"'] = '"';
  escapes['\\'] = '\\';
  escapes['\n'] = 'n';
  escapes['\r'] = 'r';
  escapes['\t'] = 't';
  escapes['\b'] = 'b';
  escapes['\f'] = 'f';
  return escapes;
}();

}  // namespace

void AppendJsonString(std::string* out, std::string_view value) {
  // Keys and most values are plain ASCII: one scan, then one copy.
  size_t i = PlainJsonPrefix(value);
  const size_t at = out->size();
  if (i == value.size()) {
    out->resize(at + value.size() + 2);
    char* to = out->data() + at;
    to[0] = '"';
    std::memcpy(to + 1, value.data(), value.size());
    to[value.size() + 1] = '"';
    return;
  }
  out->reserve(at + value.size() + 2);
  out->push_back('"');
  size_t run_start = 0;  // plain bytes from here to i are not yet copied
  while (i < value.size()) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(value, i);
      if (length > 0) {
        i += length;
        i += PlainJsonPrefix(value.substr(i));
        continue;
      }
      out->append(value.data() + run_start, i - run_start);
      out->append("\xEF\xBF\xBD");  // U+FFFD replaces one invalid byte.
    } else {
      out->append(value.data() + run_start, i - run_start);
      out->push_back('\\');
      if (const char short_escape = kShortEscapes[c]; short_escape != 0) {
        out->push_back(short_escape);
      } else {
        const char escaped[] = {'u', '0', '0', kHexDigits[c >> 4], kHexDigits[c & 0xF]};
        out->append(escaped, sizeof(escaped));
      }
    }
    ++i;
    run_start = i;
    i += PlainJsonPrefix(value.substr(i));
  }
  out->append(value.data() + run_start, i - run_start);
  out->push_back('"');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ > 0) {
    if (has_element_[depth_]) {
      out_->push_back(',');
    }
    has_element_[depth_] = true;
  }
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_->push_back('{');
  assert(depth_ < kMaxDepth);
  has_element_[++depth_] = false;
}

void JsonWriter::EndObject() {
  assert(depth_ > 0 && !after_key_);
  --depth_;
  out_->push_back('}');
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_->push_back('[');
  assert(depth_ < kMaxDepth);
  has_element_[++depth_] = false;
}

void JsonWriter::EndArray() {
  assert(depth_ > 0 && !after_key_);
  --depth_;
  out_->push_back(']');
}

void JsonWriter::Key(std::string_view key) {
  assert(depth_ > 0 && !after_key_);
  const bool comma = has_element_[depth_];
  has_element_[depth_] = true;
  after_key_ = true;
  // Keys are short and plain: the comma, the quoted key and the colon are
  // put together here and appended at once (every rendered field has one).
  constexpr size_t kShortKey = 48;
  if (key.size() <= kShortKey && PlainJsonPrefix(key) == key.size()) {
    std::array<char, kShortKey + 4> text;
    size_t length = 0;
    if (comma) {
      text[length++] = ',';
    }
    text[length++] = '"';
    std::memcpy(text.data() + length, key.data(), key.size());
    length += key.size();
    text[length++] = '"';
    text[length++] = ':';
    out_->append(text.data(), length);
    return;
  }
  if (comma) {
    out_->push_back(',');
  }
  AppendJsonString(out_, key);
  out_->push_back(':');
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(out_, value);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  std::array<char, 24> buffer;
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out_->append(buffer.data(), end);
}

void JsonWriter::Double(double value) {
  BeforeValue();
  if (!std::isfinite(value)) {  // JSON has no NaN or infinity.
    out_->append("null");
    return;
  }
  std::array<char, 32> buffer;
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out_->append(buffer.data(), end);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_->append(value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_->append("null");
}

void JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_->append(json);
}

}  // namespace duet
