#include "wire/openai/chat_stream.h"

#include "wire/error_response.h"
#include "wire/openai/chat_response.h"
#include "core/json_writer.h"

namespace duet::wire::openai {
namespace {

constexpr std::string_view kNoFinishReason =
    R"(,"logprobs":null,"finish_reason":null}])";

}  // namespace

StreamWriter::StreamWriter(std::string id, std::string model,
                           int64_t created_unix, bool include_usage)
    : id_(std::move(id)),
      created_unix_(created_unix),
      include_usage_(include_usage) {
  RenderHeads(model);
  tail_ = include_usage_ ? ",\"usage\":null}\n\n" : "}\n\n";
}

void StreamWriter::RenderHeads(std::string_view model) {
  // The head is an object left open on purpose: each chunk completes it.
  head_ = "data: {\"id\":";
  AppendJsonString(&head_, id_);
  head_ += R"(,"object":"chat.completion.chunk","created":)";
  head_ += std::to_string(created_unix_);
  head_ += R"(,"model":)";
  AppendJsonString(&head_, model);
  choice_head_ = head_ + R"(,"choices":[{"index":0,"delta":)";
}

void StreamWriter::Append(const ChatEvent& event, std::string* out) {
  if (finished_) {
    return;
  }
  switch (event.kind) {
    case ChatEvent::Kind::kMessageStart:
      usage_ = event.usage;
      if (!started_ && !event.model.empty()) {
        // The model that answers, which is not the one asked for when the
        // router fell back or resolved "auto"; the non-streaming answer
        // says the same.
        RenderHeads(event.model);
      }
      AppendRoleChunkOnce(out);
      return;
    case ChatEvent::Kind::kBlockStart:
      if (event.block().type == BlockType::kToolUse) {
        AppendToolCallStart(event, out);
      }
      return;
    case ChatEvent::Kind::kBlockDelta:
      AppendDelta(event, out);
      return;
    case ChatEvent::Kind::kMessageDelta:
      usage_ = event.usage;
      AppendFinishChunk(event.stop_reason, out);
      return;
    case ChatEvent::Kind::kMessageStop:
      AppendStop(out);
      return;
    case ChatEvent::Kind::kError:
      AppendError(event.error, out);
      return;
    case ChatEvent::Kind::kBlockStop:
    case ChatEvent::Kind::kPing:
      return;
  }
}

void StreamWriter::AppendRoleChunkOnce(std::string* out) {
  if (started_) {
    return;
  }
  started_ = true;
  *out += choice_head_;
  *out += R"({"role":"assistant","content":""})";
  *out += kNoFinishReason;
  *out += tail_;
}

void StreamWriter::AppendFinishChunk(StopReason reason, std::string* out) {
  if (finish_sent_) {
    return;
  }
  AppendRoleChunkOnce(out);
  finish_sent_ = true;
  *out += choice_head_;
  *out += R"({},"logprobs":null,"finish_reason":)";
  AppendJsonString(out, FinishReasonName(reason));
  *out += "}]";
  *out += tail_;
}

void StreamWriter::AppendDelta(const ChatEvent& event, std::string* out) {
  // Logprobs only ever ride on text deltas; any on other kinds are not
  // the answer's content and have no place in the chunk.
  const bool has_logprobs = event.delta_kind == ChatEvent::DeltaKind::kText &&
                            !event.logprobs.empty();
  if (event.delta.empty() && !has_logprobs) {
    return;  // Nothing to say; an empty chunk would only cost the client.
  }
  std::string_view key;
  int tool_call = -1;
  switch (event.delta_kind) {
    case ChatEvent::DeltaKind::kText:
      key = "content";
      break;
    case ChatEvent::DeltaKind::kThinking:
      key = "reasoning_content";
      break;
    case ChatEvent::DeltaKind::kInputJson:
      tool_call = ToolCallIndex(event.index);
      if (tool_call < 0) {
        return;  // Arguments for a call never started: nothing to attach to.
      }
      break;
    case ChatEvent::DeltaKind::kSignature:
      return;  // Chat Completions has nowhere to put a signature.
  }
  AppendRoleChunkOnce(out);
  *out += choice_head_;
  JsonWriter writer(out);
  writer.BeginObject();
  if (tool_call < 0) {
    writer.Field(key, event.delta);
  } else {
    writer.Key("tool_calls");
    writer.BeginArray();
    writer.BeginObject();
    writer.Field("index", tool_call);
    writer.Key("function");
    writer.BeginObject();
    writer.Field("arguments", event.delta);
    writer.EndObject();
    writer.EndObject();
    writer.EndArray();
  }
  writer.EndObject();
  if (has_logprobs) {
    *out += R"(,"logprobs":)";
    JsonWriter logprobs_writer(out);
    WriteLogprobsObject(event.logprobs, &logprobs_writer);
    *out += R"(,"finish_reason":null}])";
  } else {
    *out += kNoFinishReason;
  }
  *out += tail_;
}

void StreamWriter::AppendToolCallStart(const ChatEvent& event, std::string* out) {
  const int tool_call = static_cast<int>(tool_calls_.size());
  tool_calls_.emplace_back(event.index, tool_call);
  AppendRoleChunkOnce(out);
  *out += choice_head_;
  JsonWriter writer(out);
  writer.BeginObject();
  writer.Key("tool_calls");
  writer.BeginArray();
  writer.BeginObject();
  writer.Field("index", tool_call);
  writer.Field("id", event.block().tool_id);
  writer.Field("type", "function");
  writer.Key("function");
  writer.BeginObject();
  writer.Field("name", event.block().tool_name);
  writer.Field("arguments", "");
  writer.EndObject();
  writer.EndObject();
  writer.EndArray();
  writer.EndObject();
  *out += kNoFinishReason;
  *out += tail_;
}

void StreamWriter::AppendStop(std::string* out) {
  AppendFinishChunk(StopReason::kEndTurn, out);  // No-op after kMessageDelta.
  if (include_usage_) {
    *out += head_;
    *out += R"(,"choices":[],"usage":)";
    JsonWriter writer(out);
    WriteUsageObject(usage_, &writer);
    *out += "}\n\n";
  }
  *out += "data: [DONE]\n\n";
  finished_ = true;
}

void StreamWriter::AppendError(const Status& status, std::string* out) {
  *out += R"(data: {"error":)";
  AppendOpenAIErrorObject(status, out);
  *out += "}\n\n";
  finished_ = true;
}

int StreamWriter::ToolCallIndex(int block_index) const {
  for (auto it = tool_calls_.rbegin(); it != tool_calls_.rend(); ++it) {
    if (it->first == block_index) {
      return it->second;
    }
  }
  return -1;
}

}  // namespace duet::wire::openai
