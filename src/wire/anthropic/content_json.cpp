#include "wire/anthropic/content_json.h"

#include <string>
#include <utility>

namespace duet::wire::anthropic {
namespace {

constexpr std::string_view kModeledRequestFields[] = {
    "model",       "max_tokens",  "messages", "system",   "stop_sequences",
    "temperature", "top_p",       "top_k",    "stream",   "tools",
    "tool_choice", "metadata",    "thinking", "output_config",
};

Result<ImageSource> ParseImageSource(const Json& block,
                                     std::string_view block_path) {
  DUET_ASSIGN_OR_RETURN(const Json* source,
                        RequireObject(block, "source", block_path));
  const std::string path = JoinPath(block_path, "source");
  DUET_ASSIGN_OR_RETURN(const std::string type,
                        RequireString(*source, "type", path));
  ImageSource image;
  if (type == "base64") {
    image.kind = ImageSource::Kind::kBase64;
    DUET_ASSIGN_OR_RETURN(image.media_type,
                          RequireString(*source, "media_type", path));
    DUET_ASSIGN_OR_RETURN(image.data, RequireString(*source, "data", path));
  } else if (type == "url") {
    image.kind = ImageSource::Kind::kUrl;
    DUET_ASSIGN_OR_RETURN(image.data, RequireString(*source, "url", path));
  } else if (type == "file") {
    image.kind = ImageSource::Kind::kFile;
    DUET_ASSIGN_OR_RETURN(image.data, RequireString(*source, "file_id", path));
  } else {
    return Error(WrongType(JoinPath(path, "type"), "'base64', 'url' or 'file'"));
  }
  return image;
}

Status ParseToolResult(const Json& json, std::string_view path,
                       ContentBlock* block) {
  DUET_ASSIGN_OR_RETURN(block->tool_use_id,
                        RequireString(json, "tool_use_id", path));
  if (const Json* content = FindMember(json, "content")) {
    DUET_ASSIGN_OR_RETURN(block->tool_result_content,
                          ParseContent(*content, JoinPath(path, "content")));
  }
  DUET_ASSIGN_OR_RETURN(const std::optional<bool> is_error,
                        OptionalBool(json, "is_error", path));
  block->is_error = is_error.value_or(false);
  return Status::Ok();
}

void WriteImageSource(const ImageSource& image, JsonWriter* writer) {
  writer->BeginObject();
  switch (image.kind) {
    case ImageSource::Kind::kBase64:
      writer->Field("type", "base64");
      writer->Field("media_type", image.media_type);
      writer->Field("data", image.data);
      break;
    case ImageSource::Kind::kUrl:
      writer->Field("type", "url");
      writer->Field("url", image.data);
      break;
    case ImageSource::Kind::kFile:
      writer->Field("type", "file");
      writer->Field("file_id", image.data);
      break;
  }
  writer->EndObject();
}

// True when `text` is one JSON object (and nothing else).
bool IsJsonObjectText(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || text[first] != '{') {
    return false;
  }
  // accept() validates without building a tree and never throws.
  return Json::accept(text);
}

}  // namespace

Result<const Json*> OptionalObject(const Json& object, std::string_view key,
                                   std::string_view path) {
  const Json* value = FindMember(object, key);
  if (value != nullptr && !value->is_object()) {
    return Error(WrongType(JoinPath(path, key), "an object"));
  }
  return value;
}

Result<const Json*> RequireObject(const Json& object, std::string_view key,
                                  std::string_view path) {
  DUET_ASSIGN_OR_RETURN(const Json* value, OptionalObject(object, key, path));
  if (value == nullptr) {
    return Error(FieldRequired(JoinPath(path, key)));
  }
  return value;
}

Result<RawJson> ParseCacheControl(const Json& block, std::string_view path) {
  DUET_ASSIGN_OR_RETURN(const Json* cache_control,
                        OptionalObject(block, "cache_control", path));
  if (cache_control == nullptr) {
    return RawJson{};
  }
  return ToRawJson(*cache_control);
}

Result<ContentBlock> ParseContentBlock(const Json& json,
                                       std::string_view path) {
  if (!json.is_object()) {
    return Error(WrongType(path, "an object"));
  }
  DUET_ASSIGN_OR_RETURN(const std::string type,
                        RequireString(json, "type", path));
  ContentBlock block;
  DUET_ASSIGN_OR_RETURN(block.cache_control, ParseCacheControl(json, path));
  if (type == "text") {
    block.type = BlockType::kText;
    DUET_ASSIGN_OR_RETURN(block.text, RequireString(json, "text", path));
    if (const Json* citations = FindMember(json, "citations")) {
      if (!citations->is_array()) {
        return Error(WrongType(JoinPath(path, "citations"), "an array"));
      }
      block.citations = ToRawJson(*citations);
    }
  } else if (type == "image") {
    block.type = BlockType::kImage;
    DUET_ASSIGN_OR_RETURN(block.image, ParseImageSource(json, path));
  } else if (type == "tool_use") {
    block.type = BlockType::kToolUse;
    DUET_ASSIGN_OR_RETURN(block.tool_id, RequireString(json, "id", path));
    DUET_ASSIGN_OR_RETURN(block.tool_name, RequireString(json, "name", path));
    DUET_ASSIGN_OR_RETURN(const Json* input,
                          RequireObject(json, "input", path));
    block.tool_input = ToRawJson(*input);
  } else if (type == "tool_result") {
    block.type = BlockType::kToolResult;
    DUET_RETURN_IF_ERROR(ParseToolResult(json, path, &block));
  } else if (type == "thinking") {
    block.type = BlockType::kThinking;
    DUET_ASSIGN_OR_RETURN(block.text, RequireString(json, "thinking", path));
    DUET_ASSIGN_OR_RETURN(block.signature,
                          RequireString(json, "signature", path));
  } else if (type == "redacted_thinking") {
    block.type = BlockType::kRedactedThinking;
    DUET_ASSIGN_OR_RETURN(block.signature, RequireString(json, "data", path));
  } else {
    // document, search_result, server tool blocks and types not invented
    // yet: carried whole, so upstream Anthropic sees exactly what was sent.
    block.type = BlockType::kOther;
    block.raw = ToRawJson(json);
  }
  return block;
}

Result<std::vector<ContentBlock>> ParseContent(const Json& content,
                                               std::string_view path) {
  std::vector<ContentBlock> blocks;
  if (content.is_string()) {
    blocks.push_back(ContentBlock::Text(content.get<std::string>()));
    return blocks;
  }
  if (!content.is_array()) {
    return Error(WrongType(path, "a string or an array of content blocks"));
  }
  blocks.reserve(content.size());
  for (size_t i = 0; i < content.size(); ++i) {
    DUET_ASSIGN_OR_RETURN(ContentBlock block,
                          ParseContentBlock(content[i], JoinPath(path, i)));
    blocks.push_back(std::move(block));
  }
  return blocks;
}

void WriteContentBlock(const ContentBlock& block, BlockStyle style,
                       JsonWriter* writer) {
  if (block.type == BlockType::kOther) {
    writer->Raw(block.raw.empty() ? std::string_view("{}") : block.raw.text);
    return;
  }
  writer->BeginObject();
  switch (block.type) {
    case BlockType::kText:
      writer->Field("type", "text");
      writer->Field("text", block.text);
      if (!block.citations.empty()) {
        writer->Key("citations");
        writer->Raw(block.citations.text);
      } else if (style == BlockStyle::kResponse) {
        writer->Key("citations");
        writer->Null();
      }
      break;
    case BlockType::kImage:
      writer->Field("type", "image");
      writer->Key("source");
      WriteImageSource(block.image, writer);
      break;
    case BlockType::kToolUse:
      writer->Field("type", "tool_use");
      writer->Field("id", block.tool_id);
      writer->Field("name", block.tool_name);
      writer->Key("input");
      WriteToolInput(block.tool_input, writer);
      break;
    case BlockType::kToolResult:
      writer->Field("type", "tool_result");
      writer->Field("tool_use_id", block.tool_use_id);
      if (!block.tool_result_content.empty()) {
        writer->Key("content");
        writer->BeginArray();
        for (const ContentBlock& inner : block.tool_result_content) {
          WriteContentBlock(inner, style, writer);
        }
        writer->EndArray();
      }
      if (block.is_error) {
        writer->Field("is_error", true);
      }
      break;
    case BlockType::kThinking:
      writer->Field("type", "thinking");
      writer->Field("thinking", block.text);
      writer->Field("signature", block.signature);
      break;
    case BlockType::kRedactedThinking:
      writer->Field("type", "redacted_thinking");
      writer->Field("data", block.signature);
      break;
    case BlockType::kOther:
      break;  // written above
  }
  // cache_control is an input-only field: answers never carry it.
  if (style == BlockStyle::kRequest && !block.cache_control.empty()) {
    writer->Key("cache_control");
    writer->Raw(block.cache_control.text);
  }
  writer->EndObject();
}

void WriteToolInput(const RawJson& input, JsonWriter* writer) {
  if (input.empty()) {
    writer->BeginObject();
    writer->EndObject();
    return;
  }
  if (IsJsonObjectText(input.text)) {
    writer->Raw(input.text);
    return;
  }
  writer->BeginObject();
  writer->Field("INVALID_JSON", input.text);
  writer->EndObject();
}

bool IsModeledRequestField(std::string_view key) {
  for (const std::string_view field : kModeledRequestFields) {
    if (field == key) {
      return true;
    }
  }
  return false;
}

void WriteUsage(const Usage& usage, JsonWriter* writer) {
  writer->BeginObject();
  writer->Field("input_tokens", usage.input_tokens);
  writer->Field("output_tokens", usage.output_tokens);
  writer->Field("cache_creation_input_tokens",
                usage.cache_creation_input_tokens);
  writer->Field("cache_read_input_tokens", usage.cache_read_input_tokens);
  writer->EndObject();
}

std::string_view DeltaTypeName(ChatEvent::DeltaKind kind) {
  switch (kind) {
    case ChatEvent::DeltaKind::kText:
      return "text_delta";
    case ChatEvent::DeltaKind::kThinking:
      return "thinking_delta";
    case ChatEvent::DeltaKind::kSignature:
      return "signature_delta";
    case ChatEvent::DeltaKind::kInputJson:
      return "input_json_delta";
  }
  return "text_delta";
}

std::string_view DeltaFieldName(ChatEvent::DeltaKind kind) {
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

}  // namespace duet::wire::anthropic
