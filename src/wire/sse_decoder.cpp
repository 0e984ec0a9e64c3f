#include "wire/sse_decoder.h"

#include <cstring>

namespace duet::wire {
namespace {

// The first '\r' or '\n' at or after `pos`, or npos. Two memchr scans: a
// string_view's find_first_of("\r\n") calls memchr once per input byte.
size_t LineEnd(std::string_view bytes, size_t pos) {
  const char* begin = bytes.data() + pos;
  const size_t size = bytes.size() - pos;
  const auto* lf = static_cast<const char*>(std::memchr(begin, '\n', size));
  const size_t lf_offset = lf != nullptr ? static_cast<size_t>(lf - begin) : size;
  const auto* cr = static_cast<const char*>(std::memchr(begin, '\r', lf_offset));
  if (cr != nullptr) {
    return pos + static_cast<size_t>(cr - begin);
  }
  return lf != nullptr ? pos + lf_offset : std::string_view::npos;
}

}  // namespace

bool SseDecoder::Feed(std::string_view bytes, std::vector<SseEvent>* events) {
  if (failed_) {
    return false;
  }
  size_t pos = 0;
  while (pos < bytes.size()) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (bytes[pos] == '\n') {
        ++pos;
        continue;
      }
    }
    // Take the run up to the next line terminator in one append.
    const size_t end = LineEnd(bytes, pos);
    if (end == std::string_view::npos) {
      line_.append(bytes.substr(pos));
      break;
    }
    line_.append(bytes.substr(pos, end - pos));
    skip_lf_ = bytes[end] == '\r';
    pos = end + 1;
    ProcessLine(line_, events);
    line_.clear();
  }
  if (line_.size() + pending_.data.size() > kMaxEventBytes) {
    failed_ = true;
    return false;
  }
  return true;
}

void SseDecoder::ProcessLine(std::string_view line,
                             std::vector<SseEvent>* events) {
  if (line.empty()) {
    if (has_data_) {
      events->push_back(std::move(pending_));
    }
    pending_ = SseEvent();
    has_data_ = false;
    return;
  }
  if (line.front() == ':') {
    return;  // a comment (keep-alive)
  }
  const size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
  }
  if (field == "event") {
    pending_.event.assign(value);
  } else if (field == "data") {
    if (has_data_) {
      pending_.data.push_back('\n');
    }
    pending_.data.append(value);
    has_data_ = true;
  }
  // id:, retry: and unknown fields carry nothing duet uses.
}

}  // namespace duet::wire
