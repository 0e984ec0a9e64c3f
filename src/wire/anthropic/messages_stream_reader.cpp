#include "wire/anthropic/messages_stream_reader.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wire/anthropic/content_json.h"
#include "wire/anthropic/messages_response.h"
#include "wire/event_json.h"
#include "wire/json_read.h"
#include "wire/upstream_error.h"

namespace duet::wire::anthropic {
namespace {

using simdjson::dom::object;

// Overwrites the usage fields that `json` carries; absent ones, and ones
// that are no count (TokenCountOf), keep their value (message_delta usage
// is cumulative and may be partial).
void MergeUsage(std::optional<object> json, Usage* usage) {
  if (!json) {
    return;
  }
  // One pass over the members instead of a search per count. A repeated
  // key counts with its last value, as FindMember reads it.
  constexpr std::array<std::string_view, 4> kKeys = {
      "input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"};
  const std::array<int64_t*, 4> counts = {&usage->input_tokens, &usage->output_tokens,
                                          &usage->cache_creation_input_tokens,
                                          &usage->cache_read_input_tokens};
  std::array<std::optional<simdjson::dom::element>, 4> values;
  for (simdjson::dom::key_value_pair member : *json) {
    for (size_t i = 0; i < kKeys.size(); ++i) {
      if (member.key == kKeys[i]) {
        values[i] = member.value;
        break;
      }
    }
  }
  for (size_t i = 0; i < kKeys.size(); ++i) {
    if (values[i]) {
      if (const std::optional<int64_t> count = TokenCountOf(*values[i])) {
        *counts[i] = *count;
      }
    }
  }
}

// A block of a type duet does not model, carried whole. Its RawJson is
// nlohmann's rendering, as it always was, so the event data is parsed
// again with nlohmann here; such blocks are rare.
ContentBlock OtherBlock(std::string_view event_data) {
  ContentBlock block;
  block.type = BlockType::kOther;
  const Json data = Json::parse(event_data, /*cb=*/nullptr,
                                /*allow_exceptions=*/false);
  if (data.is_object()) {
    if (const Json* raw = FindMember(data, "content_block")) {
      block.raw = ToRawJson(*raw);
    }
  }
  return block;
}

// The empty block of a content_block_start. Lenient where the API varies
// (thinking blocks come with or without "signature").
ContentBlock StartedBlock(object json, std::string_view event_data) {
  const std::string_view type = StringOrEmpty(json, "type");
  ContentBlock block;
  if (type == "text") {
    block.type = BlockType::kText;
  } else if (type == "tool_use") {
    block.type = BlockType::kToolUse;
    block.tool_id = StringOrEmpty(json, "id");
    block.tool_name = StringOrEmpty(json, "name");
  } else if (type == "thinking") {
    block.type = BlockType::kThinking;
    block.signature = StringOrEmpty(json, "signature");
  } else if (type == "redacted_thinking") {
    block.type = BlockType::kRedactedThinking;
    block.signature = StringOrEmpty(json, "data");
  } else {
    block = OtherBlock(event_data);
  }
  return block;
}

std::optional<ChatEvent::DeltaKind> DeltaKindOf(std::string_view type) {
  for (ChatEvent::DeltaKind kind :
       {ChatEvent::DeltaKind::kText, ChatEvent::DeltaKind::kThinking,
        ChatEvent::DeltaKind::kSignature, ChatEvent::DeltaKind::kInputJson}) {
    if (DeltaTypeName(kind) == type) {
      return kind;
    }
  }
  return std::nullopt;
}

}  // namespace

Status StreamReader::Feed(std::string_view bytes,
                          std::vector<ChatEvent>* events) {
  if (failed_ || finished_) {
    return Status::Ok();
  }
  return FeedSseEvents(decoder_, bytes, finished_, &failed_,
                       [&](const SseEvent& sse) { return OnEvent(sse, events); });
}

Status StreamReader::Finish(std::vector<ChatEvent>*) {
  return finished_ ? Status::Ok()
                   : StreamProtocolError("the stream ended before message_stop");
}

Status StreamReader::CheckOrder(std::string_view name,
                                std::optional<int64_t> index) {
  if (name == "content_block_start") {
    if (in_block_ || after_delta_) {
      return StreamProtocolError(
          in_block_ ? "content_block_start inside another block"
                    : "content_block_start after message_delta");
    }
    if (index.value_or(blocks_) != blocks_) {
      return StreamProtocolError("content_block_start with index " +
                                 std::to_string(*index) + ", expected " +
                                 std::to_string(blocks_));
    }
    ++blocks_;
    in_block_ = true;
  } else if (name == "content_block_delta" || name == "content_block_stop") {
    if (!in_block_ || index.value_or(blocks_ - 1) != blocks_ - 1) {
      return StreamProtocolError(
          std::string(name) + " for a block that is not open (index " +
          (index ? std::to_string(*index) : "missing") + ")");
    }
    in_block_ = name == "content_block_delta";
  } else if (name == "message_delta") {
    if (in_block_) {
      return StreamProtocolError("message_delta inside a block");
    }
    after_delta_ = true;
  } else if (name == "message_stop" && in_block_) {
    return StreamProtocolError("message_stop inside a block");
  }
  return Status::Ok();
}

Status StreamReader::OnEvent(const SseEvent& sse,
                             std::vector<ChatEvent>* events) {
  EventJson json;
  Result<object> parsed = json.Parse(sse.data);
  if (!parsed) {
    return StreamProtocolError("event data is not a JSON object");
  }
  const object data = *parsed;
  // Both SDKs dispatch on the event: line; fall back to the JSON type for
  // upstreams that omit it.
  const std::string_view name =
      sse.event.empty() ? StringOrEmpty(data, "type") : sse.event;

  if (name == "ping") {
    events->push_back(ChatEvent::Ping());
    return Status::Ok();
  }
  if (name == "error") {
    std::string message = "upstream stream failed";
    ErrorCode code = ErrorCode::kUnavailable;
    if (std::optional<object> error = FindObject(data, "error")) {
      code = ErrorCodeForAnthropicType(StringOrEmpty(*error, "type"),
                                       ErrorCode::kUnavailable);
      if (std::string_view m = StringOrEmpty(*error, "message"); !m.empty()) {
        message = m;
      }
    }
    finished_ = true;
    events->push_back(ChatEvent::Failure(Status(code, std::move(message))));
    return Status::Ok();
  }
  if (name == "message_start") {
    if (started_) {
      return StreamProtocolError("a second message_start");
    }
    const std::optional<object> message = FindObject(data, "message");
    if (!message) {
      return StreamProtocolError("message_start without a message");
    }
    started_ = true;
    MergeUsage(FindObject(*message, "usage"), &usage_);
    events->push_back(ChatEvent::MessageStart(
        std::string(StringOrEmpty(*message, "id")),
        std::string(StringOrEmpty(*message, "model")), usage_));
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
    return StreamProtocolError(std::string(name) + " before message_start");
  }
  if (Status in_order = CheckOrder(name, IntIfPresent(data, "index"));
      !in_order.ok()) {
    return in_order;
  }
  const int index = blocks_ - 1;  // the block the event is about, if any
  if (name == "content_block_start") {
    const std::optional<object> block = FindObject(data, "content_block");
    if (!block) {
      return StreamProtocolError("content_block_start without a content_block");
    }
    events->push_back(
        ChatEvent::BlockStart(index, StartedBlock(*block, sse.data)));
  } else if (name == "content_block_delta") {
    const std::optional<object> delta = FindObject(data, "delta");
    if (!delta) {
      return StreamProtocolError("content_block_delta without a delta");
    }
    const std::optional<ChatEvent::DeltaKind> kind =
        DeltaKindOf(StringOrEmpty(*delta, "type"));
    if (kind) {
      events->push_back(ChatEvent::Delta(
          index, *kind,
          std::string(StringOrEmpty(*delta, DeltaFieldName(*kind)))));
    }
  } else if (name == "content_block_stop") {
    events->push_back(ChatEvent::BlockStop(index));
  } else if (name == "message_delta") {
    MergeUsage(FindObject(data, "usage"), &usage_);
    StopReason reason = StopReason::kEndTurn;
    std::string stop_sequence;
    if (const std::optional<object> delta = FindObject(data, "delta")) {
      reason = StopReasonFromName(StringOrEmpty(*delta, "stop_reason"))
                   .value_or(StopReason::kEndTurn);
      stop_sequence = StringOrEmpty(*delta, "stop_sequence");
    }
    events->push_back(
        ChatEvent::MessageDelta(reason, usage_, std::move(stop_sequence)));
  } else {  // message_stop
    if (!after_delta_) {  // an upstream that left it out: the default reason
      events->push_back(ChatEvent::MessageDelta(StopReason::kEndTurn, usage_, ""));
    }
    finished_ = true;
    events->push_back(ChatEvent::MessageStop());
  }
  return Status::Ok();
}

}  // namespace duet::wire::anthropic
