#include "wire/anthropic/messages_response.h"

#include "wire/anthropic/content_json.h"
#include "core/json_writer.h"

namespace duet::wire::anthropic {

std::string_view StopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kEndTurn:
      return "end_turn";
    case StopReason::kMaxTokens:
      return "max_tokens";
    case StopReason::kStopSequence:
      return "stop_sequence";
    case StopReason::kToolUse:
      return "tool_use";
    case StopReason::kPauseTurn:
      return "pause_turn";
    case StopReason::kRefusal:
      return "refusal";
    case StopReason::kContextWindowExceeded:
      return "model_context_window_exceeded";
  }
  return "end_turn";
}

std::optional<StopReason> StopReasonFromName(std::string_view name) {
  for (StopReason reason :
       {StopReason::kEndTurn, StopReason::kMaxTokens, StopReason::kStopSequence,
        StopReason::kToolUse, StopReason::kPauseTurn, StopReason::kRefusal,
        StopReason::kContextWindowExceeded}) {
    if (StopReasonName(reason) == name) {
      return reason;
    }
  }
  return std::nullopt;
}

std::string WriteMessage(const ChatResponse& response) {
  std::string out;
  out.reserve(256);
  JsonWriter writer(&out);
  writer.BeginObject();
  writer.Field("id", response.id);
  writer.Field("type", "message");
  writer.Field("role", "assistant");
  writer.Field("model", response.model);
  writer.Key("content");
  writer.BeginArray();
  for (const ContentBlock& block : response.content) {
    WriteContentBlock(block, BlockStyle::kResponse, &writer);
  }
  writer.EndArray();
  writer.Field("stop_reason", StopReasonName(response.stop_reason));
  writer.Key("stop_sequence");
  if (response.stop_sequence.empty()) {
    writer.Null();
  } else {
    writer.String(response.stop_sequence);
  }
  writer.Key("usage");
  WriteUsage(response.usage, &writer);
  writer.EndObject();
  return out;
}

}  // namespace duet::wire::anthropic
