#include "backend/llama/stop_matcher.h"

#include <algorithm>
#include <utility>

namespace duet::llama {

size_t CompleteUtf8Prefix(std::string_view text) {
  // Look back at most 3 bytes for the lead byte of a final sequence.
  const size_t size = text.size();
  for (size_t back = 1; back <= std::min<size_t>(4, size); ++back) {
    const auto byte = static_cast<unsigned char>(text[size - back]);
    if ((byte & 0xC0) == 0x80) {
      continue;  // continuation byte: keep looking for the lead
    }
    size_t length = 1;
    if ((byte & 0xE0) == 0xC0) {
      length = 2;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
    }
    return back < length ? size - back : size;
  }
  return size;
}

StopMatcher::StopMatcher(std::vector<std::string> stop_sequences)
    : stops_(std::move(stop_sequences)) {
  std::erase_if(stops_, [](const std::string& stop) { return stop.empty(); });
}

std::string StopMatcher::Push(std::string_view piece) {
  if (stopped()) {
    return {};
  }
  pending_ += piece;

  // The earliest complete stop sequence wins.
  size_t stop_at = std::string::npos;
  for (const std::string& stop : stops_) {
    const size_t at = pending_.find(stop);
    if (at != std::string::npos && at < stop_at) {
      stop_at = at;
      matched_ = stop;
    }
  }
  if (stop_at != std::string::npos) {
    std::string out = pending_.substr(0, stop_at);
    pending_.clear();
    return out;
  }

  // Hold back the longest tail that could still grow into a stop sequence.
  size_t hold = 0;
  for (const std::string& stop : stops_) {
    const size_t longest = std::min(stop.size() - 1, pending_.size());
    for (size_t length = longest; length > hold; --length) {
      if (std::string_view(pending_).substr(pending_.size() - length) ==
          std::string_view(stop).substr(0, length)) {
        hold = length;
        break;
      }
    }
  }
  size_t release = pending_.size() - hold;
  release = CompleteUtf8Prefix(std::string_view(pending_).substr(0, release));
  std::string out = pending_.substr(0, release);
  pending_.erase(0, release);
  return out;
}

std::string StopMatcher::Finish() {
  if (stopped()) {
    return {};
  }
  std::string out = pending_.substr(0, CompleteUtf8Prefix(pending_));
  pending_.clear();
  return out;
}

}  // namespace duet::llama
