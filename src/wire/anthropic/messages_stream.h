// StreamWriter: canonical ChatEvents to Anthropic Messages SSE bytes
// (protocols.md §1.9).
//
// Each event becomes
//
//   event: <name>\n
//   data: <one-line JSON whose "type" is <name>>\n
//   \n
//
// message_start   {"type":"message_start","message":{"id","type":"message",
//                  "role":"assistant","content":[],"model","stop_reason":null,
//                  "stop_sequence":null,"usage":{input_tokens, output_tokens,
//                  cache_creation_input_tokens, cache_read_input_tokens}}}
// content_block_start  {"type","index","content_block":<the empty block>}:
//                  text {"type":"text","text":""}, tool_use {"type",
//                  "id","name","input":{}}, thinking {"type","thinking":"",
//                  "signature":""}; other blocks as carried
// content_block_delta  {"type","index","delta":{"type":"text_delta","text"}}
//                  or thinking_delta/thinking, signature_delta/signature,
//                  input_json_delta/partial_json
// content_block_stop   {"type","index"}
// message_delta   {"type","delta":{"stop_reason","stop_sequence"},
//                  "usage":{...,"output_tokens"}}; usage is cumulative and
//                  also carries input_tokens and the cache_* counts when they
//                  are non-zero (before output_tokens, as the API orders them)
// message_stop    {"type":"message_stop"}
// ping            {"type":"ping"}
// error           {"type":"error","error":{"type","message"}} (kError)
//
// The writer holds one flag of state, so it is cheap to make one per stream
// and Append is a handful of appends per token. The caller writes and flushes
// the appended bytes to the client after each Append: SDKs need each event as
// soon as it exists.
//
// Thread safety: none; one writer per stream, used from one thread at a time.
#pragma once

#include <string>

#include "model/chat.h"

namespace duet::wire::anthropic {

class StreamWriter {
 public:
  // Appends the SSE bytes for `event` to `*out` (never clears it). After a
  // terminal event (message_stop or error) further calls append nothing: the
  // stream is over for the client. Never fails; invalid UTF-8 in text is
  // repaired.
  // REQUIRES: events arrive in the order documented on ChatEvent; the writer
  // does not check it (ResponseAccumulator does). out != nullptr.
  void Append(const ChatEvent& event, std::string* out);

  // True once a terminal event was written.
  bool finished() const { return finished_; }

 private:
  bool finished_ = false;
};

}  // namespace duet::wire::anthropic
