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
  // Feeds `bytes` and calls `on_event(const SseEvent&)` for every event they
  // complete, in order. The event is the decoder's own and valid only during
  // the call: its strings keep their capacity from event to event, so a
  // stream decodes without allocating. `on_event` returns false to stop: the
  // rest of `bytes` is dropped (the caller has given up on the stream).
  // Returns false, and stops accepting input, when one pending line or event
  // grows past kMaxEventBytes (a hostile or broken upstream); the caller
  // should fail the stream.
  template <typename OnEvent>
  bool Feed(std::string_view bytes, OnEvent&& on_event) {
    if (failed_) {
      return false;
    }
    size_t pos = 0;
    std::string_view line;
    while (NextLine(bytes, &pos, &line)) {
      if (ProcessLine(line)) {
        const bool go_on = on_event(static_cast<const SseEvent&>(event_));
        ClearEvent();
        if (!go_on) {
          return true;
        }
      }
    }
    return WithinLimit();
  }

  // Bytes of one event allowed before Feed fails. Real events are small;
  // the largest are tool inputs, a few hundred KB at most.
  static constexpr size_t kMaxEventBytes = 16 * 1024 * 1024;

 private:
  // The next complete line of `bytes` from *pos, without its terminator:
  // a view into `bytes`, or into line_ when it began in an earlier Feed.
  // False when `bytes` ends first; the unfinished line waits in line_.
  bool NextLine(std::string_view bytes, size_t* pos, std::string_view* line);
  // True when `line` completes an event (event_ is then ready).
  bool ProcessLine(std::string_view line);
  void ClearEvent();
  bool WithinLimit();

  std::string line_;  // the unfinished line, without its terminator
  bool line_taken_ = false;  // line_ was handed out whole: clear it first
  bool skip_lf_ = false;  // the last byte was '\r': a following '\n' is its pair
  bool has_data_ = false;
  SseEvent event_;
  bool failed_ = false;
};

}  // namespace duet::wire
