// The Claude simulator's answers: deterministic content, stop reasons and
// token counts, so tests can assert exact usage and costs.
//
// Token counting (protocols.md §6.2), documented so tests can compute it:
//   input_tokens  = max(1, ceil(C / 4)), C = Unicode characters of every
//                   system text block; every message's text, thinking text,
//                   tool_use name and input JSON, and tool_result text; and
//                   every tool's name, description and input_schema JSON.
//   output_tokens = max(1, ceil(C / 4)) over the answer's text, thinking
//                   text and tool_use input JSON.
//
// The answer is the turn's content, or else an echo of the last user
// message's text (its tool results' text when it has no text; "(empty)"
// when it has neither). Requests with thinking enabled get a thinking block
// first when the turn has none. Then, in order:
//   - a stop sequence found in a text block cuts the text before it and
//     ends the answer with stop_reason stop_sequence;
//   - text beyond max_tokens (as counted above) is cut, later blocks are
//     dropped, and stop_reason is max_tokens;
//   - otherwise stop_reason is tool_use when a tool_use block is present,
//     else end_turn; a turn's stop_reason overrides all of these.
// Tool calls without an id get "toolu_sim_<n>".
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/chat.h"
#include "sim/sim_turn.h"

namespace duet::sim {

int64_t CountInputTokens(const ChatRequest& request);
int64_t CountOutputTokens(std::string_view text);

ChatResponse BuildAnswer(const ChatRequest& request, const SimTurn& turn,
                         std::string message_id);

// The SSE event sequence of protocols.md §1.9 for `answer`: message_start
// with output_tokens 1; blocks from index 0; one ping after the first
// content_block_start; text in pieces of up to 16 bytes; tool input as
// input_json_delta fragments of 7 bytes after an empty first one (cutting
// through JSON tokens, as real streams do); thinking followed by one
// signature_delta; a message_delta with cumulative usage; message_stop.
// Pieces never split a UTF-8 sequence.
std::vector<ChatEvent> StreamEvents(const ChatResponse& answer);

}  // namespace duet::sim
