// WriteMessagesRequest (declared in messages_request.h): canonical request to
// an Anthropic Messages body, for calling the real API upstream.

#include <cstdint>
#include <limits>
#include <string>

#include "wire/anthropic/content_json.h"
#include "wire/anthropic/messages_request.h"
#include "core/json_writer.h"

namespace duet::wire::anthropic {
namespace {

int64_t MaxTokensFor(const ChatRequest& request) {
  if (request.max_tokens.has_value()) {
    return *request.max_tokens;
  }
  // The API rejects max_tokens <= budget_tokens, so a thinking budget at or
  // past the default gets the default on top of it.
  if (request.thinking.has_value() &&
      request.thinking->mode == ThinkingConfig::Mode::kEnabled &&
      request.thinking->budget_tokens >= kDefaultMaxTokens) {
    const int64_t budget = request.thinking->budget_tokens;
    if (budget > std::numeric_limits<int64_t>::max() - kDefaultMaxTokens) {
      return std::numeric_limits<int64_t>::max();
    }
    return budget + kDefaultMaxTokens;
  }
  return kDefaultMaxTokens;
}

void WriteBlocks(const std::vector<ContentBlock>& blocks, JsonWriter* writer) {
  writer->BeginArray();
  for (const ContentBlock& block : blocks) {
    WriteContentBlock(block, BlockStyle::kRequest, writer);
  }
  writer->EndArray();
}

void WriteMessages(const std::vector<Message>& messages, JsonWriter* writer) {
  writer->BeginArray();
  for (const Message& message : messages) {
    writer->BeginObject();
    writer->Field("role", message.role == Role::kUser        ? "user"
                          : message.role == Role::kAssistant ? "assistant"
                                                             : "system");
    writer->Key("content");
    WriteBlocks(message.content, writer);
    writer->EndObject();
  }
  writer->EndArray();
}

void WriteTool(const Tool& tool, JsonWriter* writer) {
  if (!tool.type.empty() && !tool.raw.empty()) {
    writer->Raw(tool.raw.text);
    return;
  }
  writer->BeginObject();
  if (!tool.type.empty()) {
    // A provider tool built by hand rather than parsed: what we know of it.
    writer->Field("type", tool.type);
  }
  writer->Field("name", tool.name);
  if (!tool.description.empty()) {
    writer->Field("description", tool.description);
  }
  if (tool.type.empty()) {
    // input_schema is required; a tool from an OpenAI client may have none.
    writer->Key("input_schema");
    writer->Raw(tool.input_schema.empty() ? std::string_view(R"({"type":"object"})")
                                          : tool.input_schema.text);
  }
  if (tool.strict.has_value()) {
    writer->Field("strict", *tool.strict);
  }
  if (!tool.cache_control.empty()) {
    writer->Key("cache_control");
    writer->Raw(tool.cache_control.text);
  }
  writer->EndObject();
}

std::string_view ToolChoiceType(ToolChoice::Mode mode) {
  switch (mode) {
    case ToolChoice::Mode::kAuto:
      return "auto";
    case ToolChoice::Mode::kAny:
      return "any";
    case ToolChoice::Mode::kTool:
      return "tool";
    case ToolChoice::Mode::kNone:
      return "none";
  }
  return "auto";
}

void WriteToolChoice(const ToolChoice& choice, JsonWriter* writer) {
  writer->BeginObject();
  writer->Field("type", ToolChoiceType(choice.mode));
  if (choice.mode == ToolChoice::Mode::kTool) {
    writer->Field("name", choice.name);
  }
  if (choice.disable_parallel_tool_use) {
    writer->Field("disable_parallel_tool_use", true);
  }
  writer->EndObject();
}

void WriteThinking(const ThinkingConfig& thinking, JsonWriter* writer) {
  writer->BeginObject();
  switch (thinking.mode) {
    case ThinkingConfig::Mode::kDisabled:
      writer->Field("type", "disabled");
      break;
    case ThinkingConfig::Mode::kEnabled:
      writer->Field("type", "enabled");
      writer->Field("budget_tokens", thinking.budget_tokens);
      break;
    case ThinkingConfig::Mode::kAdaptive:
      writer->Field("type", "adaptive");
      break;
  }
  if (!thinking.display.empty()) {
    writer->Field("display", thinking.display);
  }
  writer->EndObject();
}

bool HasJsonSchema(const ChatRequest& request) {
  return request.response_format.has_value() &&
         request.response_format->kind == ResponseFormat::Kind::kJsonSchema;
}

void WriteOutputConfig(const ChatRequest& request, JsonWriter* writer) {
  writer->BeginObject();
  if (!request.effort.empty()) {
    writer->Field("effort", request.effort);
  }
  if (HasJsonSchema(request)) {
    writer->Key("format");
    writer->BeginObject();
    writer->Field("type", "json_schema");
    writer->Key("schema");
    const RawJson& schema = request.response_format->schema;
    writer->Raw(schema.empty() ? std::string_view(R"({"type":"object"})")
                               : schema.text);
    writer->EndObject();
  }
  writer->EndObject();
}

// Everything after model, max_tokens, system and messages.
void WriteOptionalFields(const ChatRequest& request, JsonWriter* writer) {
  if (!request.stop_sequences.empty()) {
    writer->Key("stop_sequences");
    writer->BeginArray();
    for (const std::string& sequence : request.stop_sequences) {
      writer->String(sequence);
    }
    writer->EndArray();
  }
  if (request.sampling.temperature.has_value()) {
    writer->Key("temperature");
    writer->Double(*request.sampling.temperature);
  }
  if (request.sampling.top_p.has_value()) {
    writer->Key("top_p");
    writer->Double(*request.sampling.top_p);
  }
  if (request.sampling.top_k.has_value()) {
    writer->Field("top_k", *request.sampling.top_k);
  }
  if (request.stream) {
    writer->Field("stream", true);
  }
  if (!request.tools.empty()) {
    writer->Key("tools");
    writer->BeginArray();
    for (const Tool& tool : request.tools) {
      WriteTool(tool, writer);
    }
    writer->EndArray();
  }
  if (request.tool_choice.has_value()) {
    writer->Key("tool_choice");
    WriteToolChoice(*request.tool_choice, writer);
  }
  if (request.thinking.has_value()) {
    writer->Key("thinking");
    WriteThinking(*request.thinking, writer);
  }
  if (!request.effort.empty() || HasJsonSchema(request)) {
    writer->Key("output_config");
    WriteOutputConfig(request, writer);
  }
  if (!request.user_id.empty()) {
    writer->Key("metadata");
    writer->BeginObject();
    writer->Field("user_id", request.user_id);
    writer->EndObject();
  }
}

}  // namespace

std::string WriteMessagesRequest(const ChatRequest& request) {
  std::string out;
  out.reserve(1024);
  JsonWriter writer(&out);
  writer.BeginObject();
  writer.Field("model", request.model);
  writer.Field("max_tokens", MaxTokensFor(request));
  if (!request.system.empty()) {
    writer.Key("system");
    WriteBlocks(request.system, &writer);
  }
  writer.Key("messages");
  WriteMessages(request.messages, &writer);
  WriteOptionalFields(request, &writer);
  for (const auto& [key, value] : request.extra) {
    if (value.empty() || IsModeledRequestField(key)) {
      continue;
    }
    writer.Key(key);
    writer.Raw(value.text);
  }
  writer.EndObject();
  return out;
}

}  // namespace duet::wire::anthropic
