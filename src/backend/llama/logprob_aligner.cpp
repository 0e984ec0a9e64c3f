#include "backend/llama/logprob_aligner.h"

#include <utility>

namespace duet::llama {

void LogprobAligner::Add(TokenLogprob entry) {
  const size_t size = entry.token.size();
  held_.push_back({added_, std::move(entry)});
  added_ += size;
}

std::vector<TokenLogprob> LogprobAligner::Release(size_t bytes) {
  released_ += bytes;
  std::vector<TokenLogprob> out;
  // `start < released_` also holds back a textless token sitting exactly
  // at the end of the released text: the text after it is not out yet.
  while (!held_.empty() && held_.front().start < released_) {
    out.push_back(std::move(held_.front().entry));
    held_.pop_front();
  }
  return out;
}

std::vector<TokenLogprob> LogprobAligner::TakeAll() {
  std::vector<TokenLogprob> out;
  out.reserve(held_.size());
  for (Held& held : held_) {
    out.push_back(std::move(held.entry));
  }
  Clear();
  return out;
}

void LogprobAligner::Clear() {
  held_.clear();
  added_ = 0;
  released_ = 0;
}

void AttachParserLogprobs(std::vector<ChatEvent>* events,
                          std::vector<TokenLogprob>* logprobs) {
  ChatEvent* text_delta = nullptr;
  bool other_output = false;
  for (ChatEvent& event : *events) {
    if (event.kind == ChatEvent::Kind::kBlockDelta) {
      if (event.delta_kind == ChatEvent::DeltaKind::kText) {
        text_delta = &event;
      } else {
        other_output = true;
      }
    } else if (event.kind == ChatEvent::Kind::kBlockStart &&
               event.block().type == BlockType::kToolUse) {
      other_output = true;
    }
  }
  if (text_delta != nullptr) {
    text_delta->logprobs = std::move(*logprobs);
    logprobs->clear();
  } else if (other_output) {
    logprobs->clear();
  }
}

}  // namespace duet::llama
