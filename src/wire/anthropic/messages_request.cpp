#include "wire/anthropic/messages_request.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "wire/anthropic/content_json.h"
#include "wire/json_read.h"

namespace duet::wire::anthropic {
namespace {

constexpr int64_t kMinThinkingBudget = 1024;

Result<std::vector<ContentBlock>> ParseSystem(const Json& system) {
  if (system.is_string()) {
    return std::vector<ContentBlock>{
        ContentBlock::Text(system.get<std::string>())};
  }
  if (!system.is_array()) {
    return Error(WrongType("system", "a string or an array of text blocks"));
  }
  std::vector<ContentBlock> blocks;
  blocks.reserve(system.size());
  for (size_t i = 0; i < system.size(); ++i) {
    const std::string path = JoinPath("system", i);
    const Json& item = system[i];
    // Checked first so that an image here is reported as the wrong type,
    // not as an image missing its source.
    if (item.is_object()) {
      const Json* type = FindMember(item, "type");
      if (type != nullptr && type->is_string() && *type != "text") {
        return Error(WrongType(JoinPath(path, "type"), "'text'"));
      }
    }
    DUET_ASSIGN_OR_RETURN(ContentBlock block, ParseContentBlock(item, path));
    blocks.push_back(std::move(block));
  }
  return blocks;
}

Result<Message> ParseMessage(const Json& json, std::string_view path) {
  if (!json.is_object()) {
    return Error(WrongType(path, "an object"));
  }
  Message message;
  DUET_ASSIGN_OR_RETURN(const std::string role,
                        RequireString(json, "role", path));
  if (role == "user") {
    message.role = Role::kUser;
  } else if (role == "assistant") {
    message.role = Role::kAssistant;
  } else if (role == "system") {
    message.role = Role::kSystem;
  } else {
    return Error(WrongType(JoinPath(path, "role"),
                           "'user', 'assistant' or 'system'"));
  }
  const std::string content_path = JoinPath(path, "content");
  const Json* content = FindMember(json, "content");
  if (content == nullptr) {
    return Error(FieldRequired(content_path));
  }
  DUET_ASSIGN_OR_RETURN(message.content, ParseContent(*content, content_path));
  return message;
}

Result<std::vector<Message>> ParseMessages(const Json& body) {
  const Json* json = FindMember(body, "messages");
  if (json == nullptr) {
    return Error(FieldRequired("messages"));
  }
  if (!json->is_array() || json->empty()) {
    return Error(WrongType("messages", "a non-empty array"));
  }
  std::vector<Message> messages;
  messages.reserve(json->size());
  for (size_t i = 0; i < json->size(); ++i) {
    DUET_ASSIGN_OR_RETURN(Message message,
                          ParseMessage((*json)[i], JoinPath("messages", i)));
    messages.push_back(std::move(message));
  }
  return messages;
}

Result<std::vector<std::string>> ParseStopSequences(const Json& json) {
  if (!json.is_array()) {
    return Error(WrongType("stop_sequences", "an array of strings"));
  }
  std::vector<std::string> sequences;
  sequences.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    if (!json[i].is_string()) {
      return Error(WrongType(JoinPath("stop_sequences", i), "a string"));
    }
    sequences.push_back(json[i].get<std::string>());
  }
  return sequences;
}

Result<Tool> ParseTool(const Json& json, std::string_view path) {
  if (!json.is_object()) {
    return Error(WrongType(path, "an object"));
  }
  Tool tool;
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> type,
                        OptionalString(json, "type", path));
  DUET_ASSIGN_OR_RETURN(tool.cache_control, ParseCacheControl(json, path));
  if (type.has_value() && *type != "custom") {
    // A provider-hosted tool (web_search_20250305, bash_20250124...): its
    // fields differ per type, so it travels whole.
    tool.type = *type;
    DUET_ASSIGN_OR_RETURN(const std::optional<std::string> name,
                          OptionalString(json, "name", path));
    tool.name = name.value_or("");
    tool.raw = ToRawJson(json);
    return tool;
  }
  DUET_ASSIGN_OR_RETURN(tool.name, RequireString(json, "name", path));
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> description,
                        OptionalString(json, "description", path));
  tool.description = description.value_or("");
  DUET_ASSIGN_OR_RETURN(const Json* schema,
                        RequireObject(json, "input_schema", path));
  tool.input_schema = ToRawJson(*schema);
  DUET_ASSIGN_OR_RETURN(tool.strict, OptionalBool(json, "strict", path));
  return tool;
}

Result<std::vector<Tool>> ParseTools(const Json& json) {
  if (!json.is_array()) {
    return Error(WrongType("tools", "an array"));
  }
  std::vector<Tool> tools;
  tools.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    DUET_ASSIGN_OR_RETURN(Tool tool, ParseTool(json[i], JoinPath("tools", i)));
    tools.push_back(std::move(tool));
  }
  return tools;
}

Result<ToolChoice> ParseToolChoice(const Json& json) {
  constexpr std::string_view kPath = "tool_choice";
  ToolChoice choice;
  DUET_ASSIGN_OR_RETURN(const std::string type,
                        RequireString(json, "type", kPath));
  if (type == "auto") {
    choice.mode = ToolChoice::Mode::kAuto;
  } else if (type == "any") {
    choice.mode = ToolChoice::Mode::kAny;
  } else if (type == "tool") {
    choice.mode = ToolChoice::Mode::kTool;
    DUET_ASSIGN_OR_RETURN(choice.name, RequireString(json, "name", kPath));
  } else if (type == "none") {
    choice.mode = ToolChoice::Mode::kNone;
  } else {
    return Error(WrongType("tool_choice.type",
                           "'auto', 'any', 'tool' or 'none'"));
  }
  DUET_ASSIGN_OR_RETURN(
      const std::optional<bool> disable_parallel,
      OptionalBool(json, "disable_parallel_tool_use", kPath));
  choice.disable_parallel_tool_use = disable_parallel.value_or(false);
  return choice;
}

Result<ThinkingConfig> ParseThinking(const Json& json,
                                     std::optional<int64_t> max_tokens) {
  constexpr std::string_view kPath = "thinking";
  ThinkingConfig thinking;
  DUET_ASSIGN_OR_RETURN(const std::string type,
                        RequireString(json, "type", kPath));
  if (type == "enabled") {
    thinking.mode = ThinkingConfig::Mode::kEnabled;
    DUET_ASSIGN_OR_RETURN(const std::optional<int64_t> budget,
                          OptionalInt(json, "budget_tokens", kPath));
    if (!budget.has_value()) {
      return Error(FieldRequired("thinking.budget_tokens"));
    }
    if (*budget < kMinThinkingBudget) {
      return Error(WrongType("thinking.budget_tokens", "an integer >= 1024"));
    }
    if (max_tokens.has_value() && *budget >= *max_tokens) {
      return Error(InvalidArgument(
          "thinking.budget_tokens: must be less than max_tokens"));
    }
    thinking.budget_tokens = *budget;
  } else if (type == "disabled") {
    thinking.mode = ThinkingConfig::Mode::kDisabled;
  } else if (type == "adaptive") {
    thinking.mode = ThinkingConfig::Mode::kAdaptive;
  } else {
    return Error(WrongType("thinking.type",
                           "'enabled', 'disabled' or 'adaptive'"));
  }
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> display,
                        OptionalString(json, "display", kPath));
  thinking.display = display.value_or("");
  return thinking;
}

Status ParseOutputConfig(const Json& json, ChatRequest* request) {
  constexpr std::string_view kPath = "output_config";
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> effort,
                        OptionalString(json, "effort", kPath));
  request->effort = effort.value_or("");
  DUET_ASSIGN_OR_RETURN(const Json* format,
                        OptionalObject(json, "format", kPath));
  if (format == nullptr) {
    return Status::Ok();
  }
  constexpr std::string_view kFormatPath = "output_config.format";
  DUET_ASSIGN_OR_RETURN(const std::string type,
                        RequireString(*format, "type", kFormatPath));
  if (type != "json_schema") {
    return WrongType("output_config.format.type", "'json_schema'");
  }
  DUET_ASSIGN_OR_RETURN(const Json* schema,
                        RequireObject(*format, "schema", kFormatPath));
  ResponseFormat response_format;
  response_format.kind = ResponseFormat::Kind::kJsonSchema;
  response_format.schema = ToRawJson(*schema);
  request->response_format = std::move(response_format);
  return Status::Ok();
}

// The fields that take more than one line each; `request` already holds
// model and max_tokens.
Status ParseOptionalSections(const Json& body, ChatRequest* request) {
  if (const Json* system = FindMember(body, "system")) {
    DUET_ASSIGN_OR_RETURN(request->system, ParseSystem(*system));
  }
  if (const Json* stop = FindMember(body, "stop_sequences")) {
    DUET_ASSIGN_OR_RETURN(request->stop_sequences, ParseStopSequences(*stop));
  }
  if (const Json* tools = FindMember(body, "tools")) {
    DUET_ASSIGN_OR_RETURN(request->tools, ParseTools(*tools));
  }
  DUET_ASSIGN_OR_RETURN(const Json* tool_choice,
                        OptionalObject(body, "tool_choice", ""));
  if (tool_choice != nullptr) {
    DUET_ASSIGN_OR_RETURN(request->tool_choice, ParseToolChoice(*tool_choice));
  }
  DUET_ASSIGN_OR_RETURN(const Json* thinking,
                        OptionalObject(body, "thinking", ""));
  if (thinking != nullptr) {
    DUET_ASSIGN_OR_RETURN(request->thinking,
                          ParseThinking(*thinking, request->max_tokens));
  }
  DUET_ASSIGN_OR_RETURN(const Json* output_config,
                        OptionalObject(body, "output_config", ""));
  if (output_config != nullptr) {
    DUET_RETURN_IF_ERROR(ParseOutputConfig(*output_config, request));
  }
  DUET_ASSIGN_OR_RETURN(const Json* metadata,
                        OptionalObject(body, "metadata", ""));
  if (metadata != nullptr) {
    DUET_ASSIGN_OR_RETURN(const std::optional<std::string> user_id,
                          OptionalString(*metadata, "user_id", "metadata"));
    request->user_id = user_id.value_or("");
  }
  return Status::Ok();
}

Result<ChatRequest> ParseBody(const Json& body, const ParseOptions& options) {
  ChatRequest request;
  request.source = ApiFlavor::kAnthropic;
  DUET_ASSIGN_OR_RETURN(request.model, RequireString(body, "model", ""));
  DUET_ASSIGN_OR_RETURN(request.max_tokens,
                        OptionalInt(body, "max_tokens", ""));
  if (!request.max_tokens.has_value() && options.require_max_tokens) {
    return Error(FieldRequired("max_tokens"));
  }
  if (request.max_tokens.has_value() && *request.max_tokens < 0) {
    return Error(WrongType("max_tokens", "an integer >= 0"));
  }
  DUET_ASSIGN_OR_RETURN(request.messages, ParseMessages(body));
  DUET_RETURN_IF_ERROR(ParseOptionalSections(body, &request));
  DUET_ASSIGN_OR_RETURN(request.sampling.temperature,
                        OptionalNumber(body, "temperature", ""));
  DUET_ASSIGN_OR_RETURN(request.sampling.top_p,
                        OptionalNumber(body, "top_p", ""));
  DUET_ASSIGN_OR_RETURN(request.sampling.top_k, OptionalInt(body, "top_k", ""));
  DUET_ASSIGN_OR_RETURN(const std::optional<bool> stream,
                        OptionalBool(body, "stream", ""));
  request.stream = stream.value_or(false);
  for (const auto& [key, value] : body.items()) {
    if (!IsModeledRequestField(key)) {
      request.extra[key] = ToRawJson(value);
    }
  }
  return request;
}

}  // namespace

Result<ChatRequest> ParseMessagesRequest(std::string_view body,
                                         const ParseOptions& options) {
  const NestingLimit limit{
      .max_depth = kMaxNestingDepth,
      .too_deep = InvalidArgument("request body nests deeper than " +
                                  std::to_string(kMaxNestingDepth) + " levels")};
  // nlohmann reports some malformed input (a number that overflows a double)
  // by throwing out_of_range even where parse errors are not thrown; this is
  // the edge where such exceptions stop.
  try {
    DUET_ASSIGN_OR_RETURN(const Json json, ParseJsonObject(body, limit));
    return ParseBody(json, options);
  } catch (const Json::exception& e) {
    return Error(InvalidArgument(std::string("malformed JSON body: ") +
                                 e.what()));
  }
}

}  // namespace duet::wire::anthropic
