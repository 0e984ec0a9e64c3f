// Streaming Chat Completions (protocols.md §3.3): canonical ChatEvents to the
// SSE bytes an OpenAI client reads.
//
// One StreamWriter per response. Each event becomes zero or more
// `data: {json}\n\n` frames (never `event:` lines):
//
//   kMessageStart              -> delta {"role":"assistant","content":""}
//   text delta                 -> delta {"content":"..."}, and when the
//                                 delta carries logprobs "logprobs":
//                                 {"content":[...],"refusal":null} (see
//                                 WriteLogprobsObject; a delta with
//                                 logprobs but no text still gets its
//                                 chunk, with "content":"")
//   thinking delta             -> delta {"reasoning_content":"..."}
//   tool_use block start       -> delta {"tool_calls":[{"index":k,"id",
//                                 "type":"function","function":{"name",
//                                 "arguments":""}}]}
//   input_json delta           -> delta {"tool_calls":[{"index":k,
//                                 "function":{"arguments":"<fragment>"}}]}
//   kMessageDelta              -> delta {} with finish_reason
//   kMessageStop               -> (include_usage) a chunk with "choices":[]
//                                 and usage, then `data: [DONE]`
//   kError                     -> data: {"error":{...}} and no [DONE]
//   ping, signature deltas, empty deltas, other block starts, block stops
//                              -> nothing
//
// Every other chunk has "logprobs":null, as do all of them when the
// request did not ask for logprobs or Claude answered it.
//
// k counts tool calls from 0 in the order they start; it is not the block
// index, which also counts text and thinking blocks.
//
// Every chunk carries the same id, created and model: the model kMessageStart
// names (the one that answers), else the constructor's. With include_usage,
// every chunk before the usage chunk has "usage":null, as OpenAI sends them;
// without it the key is left out, as OpenAI does, so clients that never asked
// for usage see exactly the fields they know.
//
// Cost: the chunk's fixed head and tail are rendered once in the
// constructor, so a token costs two appends and one escaped string.
//
// Thread safety: none; one writer per response, used from one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/chat.h"

namespace duet::wire::openai {

class StreamWriter {
 public:
  // `id` is the "chatcmpl-..." id of the response; `model` the model named
  // until kMessageStart names one; `created_unix` seconds since the epoch;
  // `include_usage` is the request's stream_options.include_usage.
  StreamWriter(std::string id, std::string model, int64_t created_unix,
               bool include_usage);

  // Appends the SSE bytes for `event` to `out` (possibly none).
  // REQUIRES: events arrive in the order documented on ChatEvent. Out-of-
  // order events are tolerated, never crash: a content event before
  // kMessageStart gets the role chunk first, kMessageStop without
  // kMessageDelta finishes with "stop", and once the stream is finished
  // (kMessageStop or kError) nothing more is appended.
  void Append(const ChatEvent& event, std::string* out);

  // True once kMessageStop or kError was appended.
  bool finished() const { return finished_; }

 private:
  // Renders head_ and choice_head_ for `model`.
  void RenderHeads(std::string_view model);
  void AppendRoleChunkOnce(std::string* out);
  void AppendFinishChunk(StopReason reason, std::string* out);
  void AppendDelta(const ChatEvent& event, std::string* out);
  void AppendToolCallStart(const ChatEvent& event, std::string* out);
  void AppendStop(std::string* out);
  void AppendError(const Status& status, std::string* out);
  // The tool call number for a tool_use block, or -1 for any other block.
  int ToolCallIndex(int block_index) const;

  std::string id_;
  int64_t created_unix_;
  // `data: {"id":...,"object":...,"created":...,"model":...`
  std::string head_;
  // head_ + `,"choices":[{"index":0,"delta":`
  std::string choice_head_;
  // `,"usage":null}\n\n` or `}\n\n`.
  std::string tail_;
  bool include_usage_;
  bool started_ = false;
  bool finish_sent_ = false;
  bool finished_ = false;
  Usage usage_;
  // (block index, tool call index) for each tool_use block so far; searched
  // from the back because deltas almost always belong to the newest block.
  std::vector<std::pair<int, int>> tool_calls_;
};

}  // namespace duet::wire::openai
