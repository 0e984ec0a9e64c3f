#include "model/text_size.h"

#include <algorithm>

namespace duet {

size_t CountChars(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

size_t BlockChars(const ContentBlock& block) {
  switch (block.type) {
    case BlockType::kText:
    case BlockType::kThinking:
      return CountChars(block.text);
    case BlockType::kToolUse:
      return CountChars(block.tool_name) + CountChars(block.tool_input.text);
    case BlockType::kToolResult: {
      size_t chars = 0;
      for (const ContentBlock& inner : block.tool_result_content) {
        chars += BlockChars(inner);
      }
      return chars;
    }
    default:
      return 0;
  }
}

size_t RequestChars(const ChatRequest& request) {
  size_t chars = 0;
  for (const ContentBlock& block : request.system) {
    chars += BlockChars(block);
  }
  for (const Message& message : request.messages) {
    for (const ContentBlock& block : message.content) {
      chars += BlockChars(block);
    }
  }
  for (const Tool& tool : request.tools) {
    chars += CountChars(tool.name) + CountChars(tool.description) +
             CountChars(tool.input_schema.text);
  }
  return chars;
}

size_t CountImages(const ChatRequest& request) {
  size_t images = 0;
  for (const Message& message : request.messages) {
    for (const ContentBlock& block : message.content) {
      images += block.type == BlockType::kImage ? 1 : 0;
      for (const ContentBlock& part : block.tool_result_content) {
        images += part.type == BlockType::kImage ? 1 : 0;
      }
    }
  }
  return images;
}

}  // namespace duet
