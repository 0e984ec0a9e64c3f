#include "route/signals/token_estimate.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace duet {
namespace {

// Counts in one pass: single-byte characters, CJK characters (3-byte
// sequences from U+3040 on: lead bytes E3..E9 and EA..ED for Hangul) and
// other multi-byte characters.
struct CharCounts {
  int64_t narrow = 0;
  int64_t cjk = 0;
};

constexpr bool IsCjkLead(unsigned char byte) {
  return byte >= 0xE3 && byte <= 0xED;
}

// A character starts at every byte that is not a UTF-8 continuation byte
// (10xxxxxx). Long prompts are counted on every request, so bytes go
// sixteen at a time with SSE2 (every x86-64 has it), then eight at a time,
// then one at a time.
//
// SSE2: as signed bytes, continuation bytes (80..BF) are below -64 and CJK
// lead bytes (E3..ED) lie in -29..-19. Each compare is -1 in every byte that
// matches; subtracting it counts per byte lane, and the lanes are summed
// (psadbw) every 255 blocks, before a lane can overflow.
//
// Eight at a time: only words holding a byte >= E0 can hold a CJK lead
// byte, so ASCII and Latin text costs a few instructions per word.
void Count(std::string_view text, CharCounts* counts) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  int64_t starts = 0;
  int64_t cjk = 0;
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i continuation_below = _mm_set1_epi8(-64);
  const __m128i cjk_above = _mm_set1_epi8(static_cast<char>(0xE3 - 1));
  const __m128i cjk_below = _mm_set1_epi8(static_cast<char>(0xED + 1));
  const __m128i zero = _mm_setzero_si128();
  const auto lane_sum = [zero](__m128i per_byte) {
    const __m128i halves = _mm_sad_epu8(per_byte, zero);  // two 16-bit sums
    return static_cast<int64_t>(_mm_cvtsi128_si32(halves) + _mm_extract_epi16(halves, 4));
  };
  while (i + 16 <= size) {
    const size_t blocks = std::min<size_t>((size - i) / 16, 255);
    __m128i continuations = zero;
    __m128i cjk_leads = zero;
    for (size_t block = 0; block < blocks; ++block, i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i));
      continuations = _mm_sub_epi8(continuations, _mm_cmplt_epi8(v, continuation_below));
      cjk_leads = _mm_sub_epi8(cjk_leads, _mm_and_si128(_mm_cmpgt_epi8(v, cjk_above),
                                                        _mm_cmplt_epi8(v, cjk_below)));
    }
    starts += static_cast<int64_t>(blocks * 16) - lane_sum(continuations);
    cjk += lane_sum(cjk_leads);
  }
#endif
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes + i, sizeof(word));
    // Bit 7 of each continuation byte (bit 7 set, bit 6 clear), moved to
    // bit 0 and summed into the top byte by the multiplication (std::popcount
    // is a library call without -mpopcnt).
    const uint64_t continuation = (word & ~(word << 1) & kHighs) >> 7;
    starts += 8 - static_cast<int64_t>((continuation * kOnes) >> 56);
    // Bit 7 of each byte >= E0 (its top three bits set).
    if ((word & (word << 1) & (word << 2) & kHighs) != 0) {
      for (size_t j = i; j < i + 8; ++j) {
        cjk += IsCjkLead(bytes[j]) ? 1 : 0;
      }
    }
  }
  for (; i < size; ++i) {
    starts += (bytes[i] & 0xC0) != 0x80 ? 1 : 0;
    cjk += IsCjkLead(bytes[i]) ? 1 : 0;
  }
  counts->narrow += starts - cjk;
  counts->cjk += cjk;
}

void CountBlock(const ContentBlock& block, CharCounts* counts,
                int64_t* images) {
  switch (block.type) {
    case BlockType::kText:
    case BlockType::kThinking:
      Count(block.text, counts);
      break;
    case BlockType::kImage:
      ++*images;
      break;
    case BlockType::kToolUse:
      Count(block.tool_name, counts);
      Count(block.tool_input.text, counts);
      break;
    case BlockType::kToolResult:
      for (const ContentBlock& inner : block.tool_result_content) {
        CountBlock(inner, counts, images);
      }
      break;
    case BlockType::kRedactedThinking:
      break;
    case BlockType::kOther:
      Count(block.raw.text, counts);
      break;
  }
}

int64_t Tokens(const CharCounts& counts, int64_t images) {
  return (counts.narrow + 3) / 4 + counts.cjk + images * kImageTokenEstimate;
}

}  // namespace

int64_t EstimateTextTokens(std::string_view text) {
  CharCounts counts;
  Count(text, &counts);
  return Tokens(counts, 0);
}

int64_t EstimateRequestTokens(const ChatRequest& request) {
  CharCounts counts;
  int64_t images = 0;
  for (const ContentBlock& block : request.system) {
    CountBlock(block, &counts, &images);
  }
  for (const Message& message : request.messages) {
    for (const ContentBlock& block : message.content) {
      CountBlock(block, &counts, &images);
    }
  }
  for (const Tool& tool : request.tools) {
    Count(tool.name, &counts);
    Count(tool.description, &counts);
    Count(tool.input_schema.text, &counts);
    Count(tool.raw.text, &counts);
  }
  return Tokens(counts, images);
}

}  // namespace duet
