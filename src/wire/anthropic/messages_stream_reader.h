// StreamReader: an Anthropic Messages SSE stream, as the API sends it
// (protocols.md §1.9), read back into canonical ChatEvents. The inverse of
// StreamWriter, used by the Anthropic backend to re-emit an upstream answer
// event by event as its bytes arrive.
//
//   message_start        -> kMessageStart (id, model, usage)
//   content_block_start  -> kBlockStart (text, tool_use with id and name,
//                           thinking, redacted_thinking; any other block
//                           type is carried whole as kOther)
//   content_block_delta  -> kBlockDelta (text_delta, thinking_delta,
//                           signature_delta, input_json_delta; deltas of
//                           types duet does not model, such as
//                           citations_delta, are dropped)
//   content_block_stop   -> kBlockStop
//   message_delta        -> kMessageDelta; its usage fields overwrite the
//                           running totals from message_start (they are
//                           cumulative, never added)
//   message_stop         -> kMessageStop
//   ping                 -> kPing
//   error                -> kError with the code of its error.type
//   unknown events       -> ignored, as the API's versioning policy asks
//
// Usage is passed through as the upstream counted it, never recomputed.
//
// Thread safety: none; one reader per stream.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/chat.h"
#include "wire/sse_decoder.h"
#include "wire/stream_decoder.h"

namespace duet::wire::anthropic {

class StreamReader final : public StreamDecoder {
 public:
  // Feeds raw body bytes (cut anywhere) and appends the events they
  // complete to `*events`. Fails with kUnavailable ("upstream stream: ...")
  // when the stream breaks the protocol: data that is not a JSON object,
  // an event too large, or events out of the API's order, which is
  //   message_start, then per block content_block_start (indexes 0, 1, ...
  //   in turn), its deltas and content_block_stop, then message_delta (one
  //   or more), then message_stop; pings and unknown event types anywhere.
  // An event without an index is about the block it can only be about, and
  // a message_stop with no message_delta before it gets one (end_turn, the
  // usage so far). So the events passed on always make a well-formed
  // answer, whatever the upstream sent. After a failure, or after a terminal event (message_stop,
  // error), further input is ignored.
  Status Feed(std::string_view bytes, std::vector<ChatEvent>* events) override;
  // Fails unless message_stop or an error event was read.
  Status Finish(std::vector<ChatEvent>* events) override;

  // True once message_stop or an error event was read.
  bool finished() const override { return finished_; }
  // True once message_start was read.
  bool started() const { return started_; }

 private:
  Status OnEvent(const SseEvent& sse, std::vector<ChatEvent>* events);
  // Checks that block and message events come in the order above and
  // advances the position: `name` is a known event after message_start.
  Status CheckOrder(std::string_view name, std::optional<int64_t> index);

  SseDecoder decoder_;
  Usage usage_;
  bool started_ = false;
  int blocks_ = 0;           // content blocks started so far
  bool in_block_ = false;    // the last one has not stopped yet
  bool after_delta_ = false;  // message_delta was read
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace duet::wire::anthropic
