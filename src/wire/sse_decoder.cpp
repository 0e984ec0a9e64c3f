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

bool SseDecoder::NextLine(std::string_view bytes, size_t* pos, std::string_view* line) {
  if (line_taken_) {
    line_.clear();
    line_taken_ = false;
  }
  if (skip_lf_ && *pos < bytes.size()) {
    skip_lf_ = false;
    if (bytes[*pos] == '\n') {
      ++*pos;
    }
  }
  if (*pos >= bytes.size()) {
    return false;
  }
  const size_t end = LineEnd(bytes, *pos);
  if (end == std::string_view::npos) {
    line_.append(bytes.substr(*pos));
    *pos = bytes.size();
    return false;
  }
  skip_lf_ = bytes[end] == '\r';
  const std::string_view rest = bytes.substr(*pos, end - *pos);
  *pos = end + 1;
  if (line_.empty()) {
    *line = rest;  // the whole line is in `bytes`: no copy
    return true;
  }
  line_.append(rest);
  line_taken_ = true;
  *line = line_;
  return true;
}

bool SseDecoder::ProcessLine(std::string_view line) {
  if (line.empty()) {
    if (has_data_) {
      return true;  // the caller hands event_ over, then clears it
    }
    ClearEvent();  // an event: line without data is dropped
    return false;
  }
  if (line.front() == ':') {
    return false;  // a comment (keep-alive)
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
    event_.event.assign(value);
  } else if (field == "data") {
    if (has_data_) {
      event_.data.push_back('\n');
    }
    event_.data.append(value);
    has_data_ = true;
  }
  // id:, retry: and unknown fields carry nothing duet uses.
  return false;
}

void SseDecoder::ClearEvent() {
  event_.event.clear();
  event_.data.clear();
  has_data_ = false;
}

bool SseDecoder::WithinLimit() {
  if (line_.size() + event_.data.size() > kMaxEventBytes) {
    failed_ = true;
  }
  return !failed_;
}

}  // namespace duet::wire
