#include "wire/anthropic/messages_stream_reader.h"

#include <optional>
#include <string>

#include "wire/json_read.h"
#include "wire/upstream_error.h"

namespace duet::wire::anthropic {
namespace {

Status ProtocolError(std::string_view what) {
  return Unavailable("upstream stream: " + std::string(what));
}

std::string StringMember(const Json& object, std::string_view key) {
  const Json* value = FindMember(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>()
                                                : std::string();
}

std::optional<int64_t> IntMember(const Json& object, std::string_view key) {
  const Json* value = FindMember(object, key);
  if (value == nullptr || !value->is_number_integer()) {
    return std::nullopt;
  }
  return value->get<int64_t>();
}

// Overwrites the usage fields that `json` carries; absent ones keep their
// value (message_delta usage is cumulative and may be partial).
void MergeUsage(const Json* json, Usage* usage) {
  if (json == nullptr || !json->is_object()) {
    return;
  }
  if (auto v = IntMember(*json, "input_tokens")) {
    usage->input_tokens = *v;
  }
  if (auto v = IntMember(*json, "output_tokens")) {
    usage->output_tokens = *v;
  }
  if (auto v = IntMember(*json, "cache_creation_input_tokens")) {
    usage->cache_creation_input_tokens = *v;
  }
  if (auto v = IntMember(*json, "cache_read_input_tokens")) {
    usage->cache_read_input_tokens = *v;
  }
}

std::optional<StopReason> ParseStopReason(std::string_view name) {
  if (name == "end_turn") return StopReason::kEndTurn;
  if (name == "max_tokens") return StopReason::kMaxTokens;
  if (name == "stop_sequence") return StopReason::kStopSequence;
  if (name == "tool_use") return StopReason::kToolUse;
  if (name == "pause_turn") return StopReason::kPauseTurn;
  if (name == "refusal") return StopReason::kRefusal;
  if (name == "model_context_window_exceeded") {
    return StopReason::kContextWindowExceeded;
  }
  return std::nullopt;
}

// The empty block of a content_block_start. Lenient where the API varies
// (thinking blocks come with or without "signature").
ContentBlock StartedBlock(const Json& json) {
  const std::string type = StringMember(json, "type");
  ContentBlock block;
  if (type == "text") {
    block.type = BlockType::kText;
  } else if (type == "tool_use") {
    block.type = BlockType::kToolUse;
    block.tool_id = StringMember(json, "id");
    block.tool_name = StringMember(json, "name");
  } else if (type == "thinking") {
    block.type = BlockType::kThinking;
    block.signature = StringMember(json, "signature");
  } else if (type == "redacted_thinking") {
    block.type = BlockType::kRedactedThinking;
    block.signature = StringMember(json, "data");
  } else {
    block.type = BlockType::kOther;
    block.raw = ToRawJson(json);
  }
  return block;
}

std::optional<ChatEvent::DeltaKind> DeltaKindOf(std::string_view type) {
  if (type == "text_delta") return ChatEvent::DeltaKind::kText;
  if (type == "thinking_delta") return ChatEvent::DeltaKind::kThinking;
  if (type == "signature_delta") return ChatEvent::DeltaKind::kSignature;
  if (type == "input_json_delta") return ChatEvent::DeltaKind::kInputJson;
  return std::nullopt;
}

std::string_view DeltaFieldOf(ChatEvent::DeltaKind kind) {
  switch (kind) {
    case ChatEvent::DeltaKind::kText:
      return "text";
    case ChatEvent::DeltaKind::kThinking:
      return "thinking";
    case ChatEvent::DeltaKind::kSignature:
      return "signature";
    case ChatEvent::DeltaKind::kInputJson:
      return "partial_json";
  }
  return "text";
}

}  // namespace

Status StreamReader::Feed(std::string_view bytes,
                          std::vector<ChatEvent>* events) {
  if (failed_ || finished_) {
    return Status::Ok();
  }
  pending_.clear();
  if (!decoder_.Feed(bytes, &pending_)) {
    failed_ = true;
    return ProtocolError("an event exceeds the size limit");
  }
  for (const SseEvent& sse : pending_) {
    Status status = OnEvent(sse, events);
    if (!status.ok()) {
      failed_ = true;
      return status;
    }
    if (finished_) {
      break;
    }
  }
  return Status::Ok();
}

Status StreamReader::Finish(std::vector<ChatEvent>*) {
  return finished_ ? Status::Ok()
                   : ProtocolError("the stream ended before message_stop");
}

Status StreamReader::OnEvent(const SseEvent& sse,
                             std::vector<ChatEvent>* events) {
  Result<Json> parsed = ParseJsonObject(sse.data);
  if (!parsed) {
    return ProtocolError("event data is not a JSON object");
  }
  const Json& data = *parsed;
  // Both SDKs dispatch on the event: line; fall back to the JSON type for
  // upstreams that omit it.
  const std::string name =
      sse.event.empty() ? StringMember(data, "type") : sse.event;

  if (name == "ping") {
    events->push_back(ChatEvent::Ping());
    return Status::Ok();
  }
  if (name == "error") {
    const Json* error = FindMember(data, "error");
    std::string message = "upstream stream failed";
    ErrorCode code = ErrorCode::kUnavailable;
    if (error != nullptr && error->is_object()) {
      code = ErrorCodeForAnthropicType(StringMember(*error, "type"),
                                       ErrorCode::kUnavailable);
      if (std::string m = StringMember(*error, "message"); !m.empty()) {
        message = std::move(m);
      }
    }
    finished_ = true;
    events->push_back(ChatEvent::Failure(Status(code, std::move(message))));
    return Status::Ok();
  }
  if (name == "message_start") {
    if (started_) {
      return ProtocolError("a second message_start");
    }
    const Json* message = FindMember(data, "message");
    if (message == nullptr || !message->is_object()) {
      return ProtocolError("message_start without a message");
    }
    started_ = true;
    MergeUsage(FindMember(*message, "usage"), &usage_);
    events->push_back(ChatEvent::MessageStart(StringMember(*message, "id"),
                                              StringMember(*message, "model"),
                                              usage_));
    return Status::Ok();
  }
  const bool known = name == "content_block_start" ||
                     name == "content_block_delta" ||
                     name == "content_block_stop" ||
                     name == "message_delta" || name == "message_stop";
  if (!known) {
    return Status::Ok();  // an event type added after this code was written
  }
  if (!started_) {
    return ProtocolError(name + " before message_start");
  }
  const int index = static_cast<int>(IntMember(data, "index").value_or(0));
  if (name == "content_block_start") {
    const Json* block = FindMember(data, "content_block");
    if (block == nullptr || !block->is_object()) {
      return ProtocolError("content_block_start without a content_block");
    }
    events->push_back(ChatEvent::BlockStart(index, StartedBlock(*block)));
  } else if (name == "content_block_delta") {
    const Json* delta = FindMember(data, "delta");
    if (delta == nullptr || !delta->is_object()) {
      return ProtocolError("content_block_delta without a delta");
    }
    const std::optional<ChatEvent::DeltaKind> kind =
        DeltaKindOf(StringMember(*delta, "type"));
    if (kind) {
      events->push_back(ChatEvent::Delta(
          index, *kind, StringMember(*delta, DeltaFieldOf(*kind))));
    }
  } else if (name == "content_block_stop") {
    events->push_back(ChatEvent::BlockStop(index));
  } else if (name == "message_delta") {
    MergeUsage(FindMember(data, "usage"), &usage_);
    StopReason reason = StopReason::kEndTurn;
    std::string stop_sequence;
    if (const Json* delta = FindMember(data, "delta");
        delta != nullptr && delta->is_object()) {
      reason = ParseStopReason(StringMember(*delta, "stop_reason"))
                   .value_or(StopReason::kEndTurn);
      stop_sequence = StringMember(*delta, "stop_sequence");
    }
    events->push_back(
        ChatEvent::MessageDelta(reason, usage_, std::move(stop_sequence)));
  } else {  // message_stop
    finished_ = true;
    events->push_back(ChatEvent::MessageStop());
  }
  return Status::Ok();
}

}  // namespace duet::wire::anthropic
