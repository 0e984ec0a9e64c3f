// SseDecoder: incremental Server-Sent Events parsing (the WHATWG rules that
// both official SDKs follow), for reading upstream streams.
//
// Bytes go in as they arrive from the network, cut anywhere (inside a line,
// inside a UTF-8 sequence, between "\r" and "\n"); complete events come out:
//
//   event: content_block_delta        -> SseEvent{event="content_block_delta",
//   data: {"type":"content_block_...     data="{\"type\":...}"}
//   <blank line>
//
// Rules: lines end in "\n", "\r\n" or "\r"; a line starting with ':' is a
// comment; one space after the field's colon is dropped; several data: lines
// join with "\n"; a blank line dispatches the event if it has data (an event
// with an event: line but no data: line is dropped, as the spec says); id:
// and retry: are accepted and ignored; unknown fields are ignored.
//
// Thread safety: none; one decoder per stream.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace duet::wire {

struct SseEvent {
  std::string event;  // "" when the event had no event: line ("message")
  std::string data;
};

class SseDecoder {
 public:
  // Feeds `bytes` and appends every event they complete to `*events` (never
  // clears it). Returns false, and stops accepting input, when one pending
  // line or event grows past `max_event_bytes` (a hostile or broken
  // upstream); the caller should fail the stream.
  bool Feed(std::string_view bytes, std::vector<SseEvent>* events);

  // Bytes of one event allowed before Feed fails. Real events are small;
  // the largest are tool inputs, a few hundred KB at most.
  static constexpr size_t kMaxEventBytes = 16 * 1024 * 1024;

 private:
  void ProcessLine(std::string_view line, std::vector<SseEvent>* events);

  std::string line_;  // the current line, without its terminator
  bool skip_lf_ = false;  // the last byte was '\r': a following '\n' is its pair
  bool has_data_ = false;
  SseEvent pending_;
  bool failed_ = false;
};

}  // namespace duet::wire
