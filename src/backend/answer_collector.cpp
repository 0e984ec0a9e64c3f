#include "backend/answer_collector.h"

namespace duet {

void AnswerCollector::OnEvent(ChatEvent&& event) {
  if (finished_) {
    return;
  }
  const Status added = answer_.Add(event);
  if (added.ok() && !answer_.complete()) {
    return;
  }
  finished_ = true;
  if (added.ok()) {
    done_(answer_.TakeResponse());
  } else {
    done_(Error(added));
  }
}

std::string TextOf(const ChatResponse& answer) {
  std::string text;
  for (const ContentBlock& block : answer.content) {
    if (block.type == BlockType::kText) {
      text += block.text;
    }
  }
  return text;
}

}  // namespace duet
