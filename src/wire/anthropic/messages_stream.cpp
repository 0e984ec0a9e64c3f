#include "wire/anthropic/messages_stream.h"

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "wire/anthropic/content_json.h"
#include "wire/anthropic/messages_response.h"
#include "wire/error_response.h"
#include "core/json_writer.h"

namespace duet::wire::anthropic {
namespace {

// Starts an event and its data object with "type":"<name>" in it.
void BeginEvent(std::string_view name, std::string* out, JsonWriter* writer) {
  out->append("event: ");
  out->append(name);
  out->append("\ndata: ");
  writer->BeginObject();
  writer->Field("type", name);
}

void EndEvent(std::string* out, JsonWriter* writer) {
  writer->EndObject();
  out->append("\n\n");
}

void AppendMessageStart(const ChatEvent& event, std::string* out) {
  JsonWriter writer(out);
  BeginEvent("message_start", out, &writer);
  writer.Key("message");
  writer.BeginObject();
  writer.Field("id", event.message_id);
  writer.Field("type", "message");
  writer.Field("role", "assistant");
  writer.Key("content");
  writer.BeginArray();
  writer.EndArray();
  writer.Field("model", event.model);
  writer.Key("stop_reason");
  writer.Null();
  writer.Key("stop_sequence");
  writer.Null();
  writer.Key("usage");
  WriteUsage(event.usage, &writer);
  writer.EndObject();
  EndEvent(out, &writer);
}

void AppendBlockStart(const ChatEvent& event, std::string* out) {
  JsonWriter writer(out);
  BeginEvent("content_block_start", out, &writer);
  writer.Field("index", event.index);
  writer.Key("content_block");
  const size_t block_start = out->size();
  WriteContentBlock(event.block(), BlockStyle::kStreamStart, &writer);
  // Carried RawJson (a kOther block) may hold newlines between tokens, which
  // would end the SSE data line early. Outside strings they are only
  // whitespace, and inside strings valid JSON escapes them, so a space is
  // always a safe replacement.
  std::replace(out->begin() + static_cast<std::ptrdiff_t>(block_start),
               out->end(), '\n', ' ');
  std::replace(out->begin() + static_cast<std::ptrdiff_t>(block_start),
               out->end(), '\r', ' ');
  EndEvent(out, &writer);
}

void AppendBlockDelta(const ChatEvent& event, std::string* out) {
  JsonWriter writer(out);
  BeginEvent("content_block_delta", out, &writer);
  writer.Field("index", event.index);
  writer.Key("delta");
  writer.BeginObject();
  writer.Field("type", DeltaTypeName(event.delta_kind));
  writer.Field(DeltaFieldName(event.delta_kind), event.delta);
  writer.EndObject();
  EndEvent(out, &writer);
}

void AppendBlockStop(const ChatEvent& event, std::string* out) {
  JsonWriter writer(out);
  BeginEvent("content_block_stop", out, &writer);
  writer.Field("index", event.index);
  EndEvent(out, &writer);
}

void AppendMessageDelta(const ChatEvent& event, std::string* out) {
  JsonWriter writer(out);
  BeginEvent("message_delta", out, &writer);
  writer.Key("delta");
  writer.BeginObject();
  writer.Field("stop_reason", StopReasonName(event.stop_reason));
  writer.Key("stop_sequence");
  if (event.stop_sequence.empty()) {
    writer.Null();
  } else {
    writer.String(event.stop_sequence);
  }
  writer.EndObject();
  writer.Key("usage");
  writer.BeginObject();
  const Usage& usage = event.usage;
  if (usage.input_tokens != 0) {
    writer.Field("input_tokens", usage.input_tokens);
  }
  if (usage.cache_creation_input_tokens != 0) {
    writer.Field("cache_creation_input_tokens",
                 usage.cache_creation_input_tokens);
  }
  if (usage.cache_read_input_tokens != 0) {
    writer.Field("cache_read_input_tokens", usage.cache_read_input_tokens);
  }
  writer.Field("output_tokens", usage.output_tokens);
  writer.EndObject();
  EndEvent(out, &writer);
}

// message_stop and ping: events with nothing but their type.
void AppendBareEvent(std::string_view name, std::string* out) {
  JsonWriter writer(out);
  BeginEvent(name, out, &writer);
  EndEvent(out, &writer);
}

void AppendError(const ChatEvent& event, std::string* out) {
  std::string error_object;
  AppendAnthropicErrorObject(event.error, &error_object);
  JsonWriter writer(out);
  BeginEvent("error", out, &writer);
  writer.Key("error");
  writer.Raw(error_object);
  EndEvent(out, &writer);
}

}  // namespace

void StreamWriter::Append(const ChatEvent& event, std::string* out) {
  if (finished_) {
    return;
  }
  switch (event.kind) {
    case ChatEvent::Kind::kMessageStart:
      AppendMessageStart(event, out);
      break;
    case ChatEvent::Kind::kBlockStart:
      AppendBlockStart(event, out);
      break;
    case ChatEvent::Kind::kBlockDelta:
      AppendBlockDelta(event, out);
      break;
    case ChatEvent::Kind::kBlockStop:
      AppendBlockStop(event, out);
      break;
    case ChatEvent::Kind::kMessageDelta:
      AppendMessageDelta(event, out);
      break;
    case ChatEvent::Kind::kMessageStop:
      AppendBareEvent("message_stop", out);
      finished_ = true;
      break;
    case ChatEvent::Kind::kPing:
      AppendBareEvent("ping", out);
      break;
    case ChatEvent::Kind::kError:
      AppendError(event, out);
      finished_ = true;
      break;
  }
}

}  // namespace duet::wire::anthropic
