#include "route/answer_text.h"

#include <algorithm>

namespace duet {

std::string LastUserText(const ChatRequest& request) {
  for (auto message = request.messages.rbegin(); message != request.messages.rend();
       ++message) {
    if (message->role != Role::kUser) {
      continue;
    }
    std::string text;
    for (const ContentBlock& block : message->content) {
      if (block.type == BlockType::kText) {
        text += text.empty() ? "" : "\n";
        text += block.text;
      }
    }
    if (!text.empty()) {
      return text;
    }
  }
  return {};
}

std::string AnswerDigest(const ChatResponse& answer) {
  std::string digest;
  for (const ContentBlock& block : answer.content) {
    if (block.type == BlockType::kText) {
      digest += block.text;
    } else if (block.type == BlockType::kToolUse) {
      digest += "[tool call " + block.tool_name + " " + block.tool_input.text + "]";
    }
  }
  return digest;
}

}  // namespace duet
