// StreamReader: an OpenAI Chat Completions stream (chat.completion.chunk
// objects over SSE, ending with data: [DONE]) read back into canonical
// ChatEvents, for OpenAI-compatible upstreams (vLLM, llama-server, Ollama,
// hosted open-model providers). The inverse of StreamWriter.
//
//   first chunk                   -> kMessageStart (id, model)
//   delta.reasoning_content       -> a thinking block (also "reasoning",
//                                    which some servers use)
//   delta.content                 -> a text block; the chunk's
//                                    logprobs.content entries ride on its
//                                    delta (token from `bytes` when given)
//   delta.tool_calls[i]           -> a tool_use block per call index (id and
//                                    function.name open it; function.arguments
//                                    fragments become input_json deltas)
//   finish_reason                 -> the stop reason: stop -> end_turn,
//                                    length -> max_tokens, tool_calls /
//                                    function_call -> tool_use,
//                                    content_filter -> refusal
//   usage (final chunk)           -> usage: prompt_tokens less
//                                    cached_tokens is input, cached_tokens
//                                    cache reads, completion_tokens output,
//                                    reasoning_tokens thinking
//   [DONE], or the body ending after a finish_reason
//                                 -> kBlockStop, kMessageDelta, kMessageStop
//   {"error":{...}}               -> kError
//
// Blocks are opened and closed as the kind of delta changes, so the
// canonical sequence is always well formed. Only choice 0 is read.
//
// Thread safety: none; one reader per stream.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/chat.h"
#include "wire/sse_decoder.h"
#include "wire/stream_decoder.h"

namespace duet::wire::openai {

class StreamReader final : public StreamDecoder {
 public:
  Status Feed(std::string_view bytes, std::vector<ChatEvent>* events) override;
  // Completes an answer whose body ended after its finish_reason without
  // [DONE]; fails if no finish_reason was seen.
  Status Finish(std::vector<ChatEvent>* events) override;
  bool finished() const override { return finished_; }

 private:
  enum class Open { kNone, kText, kThinking, kTool };

  Status OnData(std::string_view data, std::vector<ChatEvent>* events);
  void Switch(Open kind, int tool_index, ContentBlock start,
              std::vector<ChatEvent>* events);
  void End(std::vector<ChatEvent>* events);

  SseDecoder decoder_;
  bool started_ = false;
  bool finished_ = false;
  bool failed_ = false;
  bool finish_seen_ = false;
  StopReason stop_reason_ = StopReason::kEndTurn;
  Usage usage_;
  Open open_ = Open::kNone;
  int open_tool_ = -1;  // the upstream's tool call index of the open block
  int next_index_ = 0;  // the next canonical block index
};

}  // namespace duet::wire::openai
