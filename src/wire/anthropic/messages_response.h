// The non-streaming Anthropic Messages answer: a canonical ChatResponse
// rendered as the `Message` object of protocols.md §1.4.
//
//   {"id":"msg_...","type":"message","role":"assistant","model":"...",
//    "content":[...],"stop_reason":"end_turn","stop_sequence":null,
//    "usage":{"input_tokens":12,"output_tokens":6,
//             "cache_creation_input_tokens":0,"cache_read_input_tokens":0}}
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/chat.h"

namespace duet::wire::anthropic {

// The wire name of `reason`: "end_turn", "max_tokens", "stop_sequence",
// "tool_use", "pause_turn", "refusal" or "model_context_window_exceeded".
// The view points at a string literal; it never dangles.
std::string_view StopReasonName(StopReason reason);
// The inverse: the StopReason a wire name stands for; nullopt for a name
// duet does not know.
std::optional<StopReason> StopReasonFromName(std::string_view name);

// The full response body, compact JSON in the key order above. Content
// blocks: text as {type, text, citations} (citations null unless carried),
// tool_use as {type, id, name, input} (input "{}" when empty, and wrapped as
// {"INVALID_JSON":"<text>"} when it is not a JSON object), thinking as
// {type, thinking, signature}, redacted_thinking as {type, data}, kOther as
// its raw JSON. stop_sequence is null unless `response.stop_sequence` is
// non-empty. Never fails; invalid UTF-8 in strings is repaired.
std::string WriteMessage(const ChatResponse& response);

}  // namespace duet::wire::anthropic
