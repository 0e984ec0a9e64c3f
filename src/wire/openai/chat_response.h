// Non-streaming Chat Completions responses (protocols.md §3.2), written from
// the canonical ChatResponse, plus the pieces the stream writer shares with
// it: finish_reason names and the usage object.
//
// Mapping (protocols.md §3.7):
//   text blocks      -> message.content, concatenated with no separator (the
//                       same text a streaming client assembles from deltas);
//                       null when there is no text but there are tool calls
//   tool_use blocks  -> message.tool_calls, arguments as a JSON string
//   thinking blocks  -> message.reasoning_content (llama-server / DeepSeek
//                       style), only when there was thinking
//   redacted thinking, kOther blocks -> dropped: no Chat Completions client
//                       can read or send them back
//   usage            -> prompt_tokens = input + cache writes + cache reads,
//                       cached_tokens = cache reads, completion_tokens =
//                       output, reasoning_tokens = thinking
//   logprobs         -> choices[0].logprobs = {"content":[...],
//                       "refusal":null} when the answer carries any (a
//                       request with logprobs: true that the local engine
//                       or an OpenAI-compatible upstream answered); null
//                       otherwise, e.g. when Claude answered, which has no
//                       logprobs. The confidence summary is duet's own
//                       and never reaches the client.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"
#include "model/chat.h"

namespace duet::wire::openai {

// The whole `chat.completion` object as compact JSON. `response.id` is used
// as given (the caller makes a "chatcmpl-..." id); `created_unix` is seconds
// since the epoch. Never fails.
std::string WriteChatCompletion(const ChatResponse& response,
                                int64_t created_unix);

// finish_reason for a stop reason: "stop" (end_turn, stop_sequence,
// pause_turn), "length" (max_tokens, model_context_window_exceeded),
// "tool_calls" (tool_use) or "content_filter" (refusal).
std::string_view FinishReasonName(StopReason reason);

// Writes the `usage` object ({prompt_tokens, completion_tokens, total_tokens,
// prompt_tokens_details:{cached_tokens}, completion_tokens_details:
// {reasoning_tokens}}) as the next value of `writer`.
void WriteUsageObject(const Usage& usage, JsonWriter* writer);

// Writes a choice's `logprobs` as the next value of `writer`: null when
// `logprobs` is empty, else {"content":[{"token","logprob","bytes",
// "top_logprobs":[{"token","logprob","bytes"}]}],"refusal":null}. `token`
// is a JSON string (bytes of a split character become U+FFFD there);
// `bytes` gives the token's exact bytes.
void WriteLogprobsObject(const std::vector<TokenLogprob>& logprobs,
                         JsonWriter* writer);

}  // namespace duet::wire::openai
