// SimTurn: what the Claude simulator does for one request, and how a test
// asks for it.
//
// A turn comes from the simulator's script queue (POST /_sim/script) or from
// a directive line in the request's last user message:
//
//   sim: {"fault":"rate_limit","retry_after_ms":5}
//
// The JSON object may hold:
//   "text"                 reply with one text block
//   "content"              reply with these blocks: {"type":"text","text"},
//                          {"type":"tool_use","name","input"[, "id"]},
//                          {"type":"thinking","thinking"}
//   "stop_reason"          force end_turn | max_tokens | stop_sequence |
//                          tool_use | pause_turn | refusal
//   "fault"                rate_limit (429), overloaded (529), api_error
//                          (500), too_large (413), timeout (504),
//                          stream_error (200, then an error event),
//                          drop (the connection closes mid-answer)
//   "error_type"           the error event's type for stream_error
//                          (default overloaded_error)
//   "retry_after"          seconds, sent as retry-after on 429/529
//   "retry_after_ms"       sent as retry-after-ms
//   "after_events"         stream_error/drop: events sent first (default 3)
//   "delay_ms"             pause between stream events (slow streams)
//   "first_byte_delay_ms"  pause before the response starts
//
// With no turn, the simulator echoes the last user message's text.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/chat.h"

namespace duet::sim {

enum class Fault {
  kNone,
  kRateLimit,
  kOverloaded,
  kApiError,
  kTooLarge,
  kTimeout,
  kStreamError,
  kDrop,
};

struct SimTurn {
  std::vector<ContentBlock> content;  // empty: echo
  std::optional<StopReason> stop_reason;
  Fault fault = Fault::kNone;
  std::string error_type = "overloaded_error";
  std::optional<double> retry_after_seconds;
  std::optional<int64_t> retry_after_ms;
  int after_events = 3;
  std::chrono::milliseconds delay{0};
  std::chrono::milliseconds first_byte_delay{0};
};

// Parses one turn object (the JSON text of an object). Fails with
// kInvalidArgument naming the bad field.
Result<SimTurn> ParseSimTurn(std::string_view json);

// Parses POST /_sim/script bodies: one turn object or an array of them.
Result<std::vector<SimTurn>> ParseSimScript(std::string_view json);

// Finds a "sim: {...}" line in the text blocks of the last user message,
// removes it from `request` (so echoes and token counts do not include it)
// and returns it parsed; nullopt when there is none.
Result<std::optional<SimTurn>> TakeDirective(ChatRequest* request);

}  // namespace duet::sim
