#include "wire/openai/chat_response.h"

namespace duet::wire::openai {

std::string_view FinishReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kEndTurn:
    case StopReason::kStopSequence:
    case StopReason::kPauseTurn:
      return "stop";
    case StopReason::kMaxTokens:
    case StopReason::kContextWindowExceeded:
      return "length";
    case StopReason::kToolUse:
      return "tool_calls";
    case StopReason::kRefusal:
      return "content_filter";
  }
  return "stop";
}

void WriteUsageObject(const Usage& usage, JsonWriter* writer) {
  const int64_t prompt_tokens = usage.prompt_tokens();
  writer->BeginObject();
  writer->Field("prompt_tokens", prompt_tokens);
  writer->Field("completion_tokens", usage.output_tokens);
  writer->Field("total_tokens", prompt_tokens + usage.output_tokens);
  writer->Key("prompt_tokens_details");
  writer->BeginObject();
  writer->Field("cached_tokens", usage.cache_read_input_tokens);
  writer->EndObject();
  writer->Key("completion_tokens_details");
  writer->BeginObject();
  writer->Field("reasoning_tokens", usage.thinking_tokens);
  writer->EndObject();
  writer->EndObject();
}

namespace {

void WriteTokenFields(const std::string& token, double logprob,
                      JsonWriter* writer) {
  writer->Field("token", token);
  writer->Key("logprob");
  writer->Double(logprob);
  writer->Key("bytes");
  writer->BeginArray();
  for (const char byte : token) {
    writer->Int(static_cast<unsigned char>(byte));
  }
  writer->EndArray();
}

}  // namespace

void WriteLogprobsObject(const std::vector<TokenLogprob>& logprobs,
                         JsonWriter* writer) {
  if (logprobs.empty()) {
    writer->Null();
    return;
  }
  writer->BeginObject();
  writer->Key("content");
  writer->BeginArray();
  for (const TokenLogprob& entry : logprobs) {
    writer->BeginObject();
    WriteTokenFields(entry.token, entry.logprob, writer);
    writer->Key("top_logprobs");
    writer->BeginArray();
    for (const TopAlternative& alternative : entry.top) {
      writer->BeginObject();
      WriteTokenFields(alternative.token, alternative.logprob, writer);
      writer->EndObject();
    }
    writer->EndArray();
    writer->EndObject();
  }
  writer->EndArray();
  writer->Key("refusal");
  writer->Null();
  writer->EndObject();
}

namespace {

void WriteMessage(const ChatResponse& response, JsonWriter* writer) {
  std::string text;
  std::string reasoning;
  bool has_text = false;
  bool has_thinking = false;
  bool has_tool_calls = false;
  for (const ContentBlock& block : response.content) {
    if (block.type == BlockType::kText) {
      text += block.text;
      has_text = true;
    } else if (block.type == BlockType::kThinking) {
      reasoning += block.text;
      has_thinking = true;
    } else if (block.type == BlockType::kToolUse) {
      has_tool_calls = true;
    }
  }
  writer->BeginObject();
  writer->Field("role", "assistant");
  writer->Key("content");
  if (!has_text && has_tool_calls) {
    writer->Null();
  } else {
    writer->String(text);
  }
  writer->Key("refusal");
  writer->Null();
  if (has_tool_calls) {
    writer->Key("tool_calls");
    writer->BeginArray();
    for (const ContentBlock& block : response.content) {
      if (block.type != BlockType::kToolUse) {
        continue;
      }
      writer->BeginObject();
      writer->Field("id", block.tool_id);
      writer->Field("type", "function");
      writer->Key("function");
      writer->BeginObject();
      writer->Field("name", block.tool_name);
      writer->Field("arguments", block.tool_input.empty()
                                     ? std::string_view("{}")
                                     : std::string_view(block.tool_input.text));
      writer->EndObject();
      writer->EndObject();
    }
    writer->EndArray();
  }
  if (has_thinking) {
    writer->Field("reasoning_content", reasoning);
  }
  writer->EndObject();
}

}  // namespace

std::string WriteChatCompletion(const ChatResponse& response,
                                int64_t created_unix) {
  std::string out;
  JsonWriter writer(&out);
  writer.BeginObject();
  writer.Field("id", response.id);
  writer.Field("object", "chat.completion");
  writer.Field("created", created_unix);
  writer.Field("model", response.model);
  writer.Key("choices");
  writer.BeginArray();
  writer.BeginObject();
  writer.Field("index", 0);
  writer.Key("message");
  WriteMessage(response, &writer);
  writer.Key("logprobs");
  WriteLogprobsObject(response.logprobs, &writer);
  writer.Field("finish_reason", FinishReasonName(response.stop_reason));
  writer.EndObject();
  writer.EndArray();
  writer.Key("usage");
  WriteUsageObject(response.usage, &writer);
  writer.Key("system_fingerprint");
  writer.Null();
  writer.EndObject();
  return out;
}

}  // namespace duet::wire::openai
