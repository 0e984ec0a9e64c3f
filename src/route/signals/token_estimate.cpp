#include "route/signals/token_estimate.h"

namespace duet {
namespace {

// Counts in one pass: single-byte characters, CJK characters (3-byte
// sequences from U+3040 on: lead bytes E3..E9 and EA..ED for Hangul) and
// other multi-byte characters.
struct CharCounts {
  int64_t narrow = 0;
  int64_t cjk = 0;
};

// Written as three independent sums over local counters so the compiler
// vectorises it (stores through `counts` inside the loop would have to be
// assumed to change `text`, since char pointers alias everything): long
// prompts are counted on every request.
void Count(std::string_view text, CharCounts* counts) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  int64_t single = 0;  // bytes < 0x80
  int64_t leads = 0;   // the lead byte of a multi-byte sequence
  int64_t cjk = 0;     // a lead byte E3..ED
  for (size_t i = 0; i < size; ++i) {
    const unsigned char byte = bytes[i];
    single += byte < 0x80 ? 1 : 0;
    leads += byte >= 0xC0 ? 1 : 0;
    cjk += byte >= 0xE3 && byte <= 0xED ? 1 : 0;
  }
  counts->narrow += single + leads - cjk;
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
