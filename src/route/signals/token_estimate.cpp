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

void Count(std::string_view text, CharCounts* counts) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  for (size_t i = 0; i < size; ++i) {
    const unsigned char byte = bytes[i];
    if (byte < 0x80) {
      ++counts->narrow;
    } else if (byte >= 0xC0) {  // the lead byte of a sequence
      if (byte >= 0xE3 && byte <= 0xED) {
        ++counts->cjk;
      } else {
        ++counts->narrow;
      }
    }
  }
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
