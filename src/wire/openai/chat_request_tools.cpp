// Tool definitions, tool_choice, parallel_tool_calls and response_format,
// read from and written to Chat Completions request JSON.

#include <optional>
#include <string>
#include <utility>

#include "wire/openai/chat_request_internal.h"

namespace duet::wire::openai::internal {
namespace {

// What a function tool without `parameters` accepts: no arguments.
constexpr std::string_view kEmptyObjectSchema =
    R"({"type":"object","properties":{}})";

Result<Tool> ParseTool(const Json& entry, const std::string& path) {
  if (!entry.is_object()) {
    return Error(WrongType(path, "an object"));
  }
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> type,
                        OptionalString(entry, "type", path));
  if (type.has_value() && *type != "function") {
    return Error(InvalidArgument(JoinPath(path, "type") +
                                 ": unsupported tool type \"" + *type +
                                 "\"; expected \"function\""));
  }
  const std::string function_path = JoinPath(path, "function");
  const Json* function = FindMember(entry, "function");
  if (function == nullptr) {
    return Error(FieldRequired(function_path));
  }
  if (!function->is_object()) {
    return Error(WrongType(function_path, "an object"));
  }
  Tool tool;
  DUET_ASSIGN_OR_RETURN(tool.name, RequireString(*function, "name", function_path));
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> description,
                        OptionalString(*function, "description", function_path));
  tool.description = description.value_or("");
  DUET_ASSIGN_OR_RETURN(const std::optional<RawJson> parameters,
                        ReadOptionalObject(*function, "parameters", function_path));
  tool.input_schema =
      parameters.value_or(RawJson{std::string(kEmptyObjectSchema)});
  DUET_ASSIGN_OR_RETURN(tool.strict,
                        OptionalBool(*function, "strict", function_path));
  return tool;
}

Result<ToolChoice> ParseToolChoice(const Json& choice) {
  ToolChoice result;
  if (choice.is_string()) {
    const std::string& mode = choice.get_ref<const std::string&>();
    if (mode == "none") {
      result.mode = ToolChoice::Mode::kNone;
    } else if (mode == "auto") {
      result.mode = ToolChoice::Mode::kAuto;
    } else if (mode == "required") {
      result.mode = ToolChoice::Mode::kAny;
    } else {
      return Error(WrongType("tool_choice", "one of none, auto, required"));
    }
    return result;
  }
  if (!choice.is_object()) {
    return Error(WrongType("tool_choice", "a string or an object"));
  }
  DUET_ASSIGN_OR_RETURN(const std::string type,
                        RequireString(choice, "type", "tool_choice"));
  if (type != "function") {
    return Error(InvalidArgument("tool_choice.type: unsupported tool_choice type \"" +
                                 type + "\"; expected \"function\""));
  }
  const Json* function = FindMember(choice, "function");
  if (function == nullptr) {
    return Error(FieldRequired("tool_choice.function"));
  }
  if (!function->is_object()) {
    return Error(WrongType("tool_choice.function", "an object"));
  }
  result.mode = ToolChoice::Mode::kTool;
  DUET_ASSIGN_OR_RETURN(result.name,
                        RequireString(*function, "name", "tool_choice.function"));
  return result;
}

Result<ResponseFormat> ParseResponseFormat(const Json& format) {
  if (!format.is_object()) {
    return Error(WrongType("response_format", "an object"));
  }
  DUET_ASSIGN_OR_RETURN(const std::string type,
                        RequireString(format, "type", "response_format"));
  ResponseFormat result;
  if (type == "text") {
    result.kind = ResponseFormat::Kind::kText;
    return result;
  }
  if (type == "json_object") {
    result.kind = ResponseFormat::Kind::kJsonObject;
    return result;
  }
  if (type != "json_schema") {
    return Error(WrongType("response_format.type",
                           "one of text, json_object, json_schema"));
  }
  constexpr std::string_view kPath = "response_format.json_schema";
  const Json* schema = FindMember(format, "json_schema");
  if (schema == nullptr) {
    return Error(FieldRequired(kPath));
  }
  if (!schema->is_object()) {
    return Error(WrongType(kPath, "an object"));
  }
  result.kind = ResponseFormat::Kind::kJsonSchema;
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> name,
                        OptionalString(*schema, "name", kPath));
  result.name = name.value_or("");
  DUET_ASSIGN_OR_RETURN(const std::optional<RawJson> json_schema,
                        ReadOptionalObject(*schema, "schema", kPath));
  result.schema = json_schema.value_or(RawJson{});
  DUET_ASSIGN_OR_RETURN(result.strict, OptionalBool(*schema, "strict", kPath));
  return result;
}

void WriteToolChoice(const ToolChoice& choice, JsonWriter* writer) {
  switch (choice.mode) {
    case ToolChoice::Mode::kNone:
      writer->String("none");
      return;
    case ToolChoice::Mode::kAuto:
      writer->String("auto");
      return;
    case ToolChoice::Mode::kAny:
      writer->String("required");
      return;
    case ToolChoice::Mode::kTool:
      writer->BeginObject();
      writer->Field("type", "function");
      writer->Key("function");
      writer->BeginObject();
      writer->Field("name", choice.name);
      writer->EndObject();
      writer->EndObject();
      return;
  }
}

void WriteResponseFormat(const ResponseFormat& format, JsonWriter* writer) {
  writer->BeginObject();
  switch (format.kind) {
    case ResponseFormat::Kind::kText:
      writer->Field("type", "text");
      break;
    case ResponseFormat::Kind::kJsonObject:
      writer->Field("type", "json_object");
      break;
    case ResponseFormat::Kind::kJsonSchema:
      writer->Field("type", "json_schema");
      writer->Key("json_schema");
      writer->BeginObject();
      if (!format.name.empty()) {
        writer->Field("name", format.name);
      }
      if (!format.schema.empty()) {
        writer->Key("schema");
        writer->Raw(format.schema.text);
      }
      if (format.strict.has_value()) {
        writer->Field("strict", *format.strict);
      }
      writer->EndObject();
      break;
  }
  writer->EndObject();
}

}  // namespace

Status ParseToolFields(const Json& body, ChatRequest* request) {
  if (const Json* tools = FindMember(body, "tools")) {
    if (!tools->is_array()) {
      return WrongType("tools", "an array");
    }
    for (size_t i = 0; i < tools->size(); ++i) {
      DUET_ASSIGN_OR_RETURN(Tool tool,
                            ParseTool((*tools)[i], JoinPath("tools", i)));
      request->tools.push_back(std::move(tool));
    }
  }
  if (const Json* choice = FindMember(body, "tool_choice")) {
    DUET_ASSIGN_OR_RETURN(request->tool_choice, ParseToolChoice(*choice));
  }
  DUET_ASSIGN_OR_RETURN(const std::optional<bool> parallel,
                        OptionalBool(body, "parallel_tool_calls", ""));
  if (parallel.has_value() && !*parallel) {
    // Canonically the flag lives on ToolChoice; "auto" is what OpenAI means
    // when tool_choice is left out.
    if (!request->tool_choice.has_value()) {
      request->tool_choice = ToolChoice{};
    }
    request->tool_choice->disable_parallel_tool_use = true;
  }
  if (const Json* format = FindMember(body, "response_format")) {
    DUET_ASSIGN_OR_RETURN(request->response_format, ParseResponseFormat(*format));
  }
  return Status::Ok();
}

void WriteToolFields(const ChatRequest& request, JsonWriter* writer) {
  bool tools_open = false;
  for (const Tool& tool : request.tools) {
    if (!tool.type.empty()) {
      continue;  // A provider-hosted tool only its own provider can run.
    }
    if (!tools_open) {
      writer->Key("tools");
      writer->BeginArray();
      tools_open = true;
    }
    writer->BeginObject();
    writer->Field("type", "function");
    writer->Key("function");
    writer->BeginObject();
    writer->Field("name", tool.name);
    if (!tool.description.empty()) {
      writer->Field("description", tool.description);
    }
    writer->Key("parameters");
    writer->Raw(tool.input_schema.empty() ? kEmptyObjectSchema
                                          : std::string_view(tool.input_schema.text));
    if (tool.strict.has_value()) {
      writer->Field("strict", *tool.strict);
    }
    writer->EndObject();
    writer->EndObject();
  }
  if (tools_open) {
    writer->EndArray();
  }
  if (request.tool_choice.has_value()) {
    writer->Key("tool_choice");
    WriteToolChoice(*request.tool_choice, writer);
    if (request.tool_choice->disable_parallel_tool_use) {
      writer->Field("parallel_tool_calls", false);
    }
  }
  if (request.response_format.has_value()) {
    writer->Key("response_format");
    WriteResponseFormat(*request.response_format, writer);
  }
}

}  // namespace duet::wire::openai::internal
