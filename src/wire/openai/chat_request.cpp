// ParseChatCompletionRequest: Chat Completions request JSON -> ChatRequest.
// See chat_request_internal.h for how the other files split the work.

#include "wire/openai/chat_request.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "wire/json_read.h"
#include "wire/openai/chat_request_internal.h"

namespace duet::wire::openai {
namespace {

// Which content part types a message role accepts.
enum class PartsAllowed { kTextOnly, kUser, kAssistant };


Status TooDeep(std::string_view what) {
  return InvalidArgument(std::string(what) + ": JSON nests deeper than " +
                         std::to_string(kMaxJsonNestingDepth) + " levels");
}

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    const char a = text[i];
    const char lower = (a >= 'A' && a <= 'Z') ? static_cast<char>(a - 'A' + 'a') : a;
    if (lower != prefix[i]) {
      return false;
    }
  }
  return true;
}

// "data:<media type>[;params];base64,<data>" -> kBase64; http(s) -> kUrl.
Result<ImageSource> ParseImageUrl(std::string_view url, std::string_view path) {
  const Status invalid = WrongType(
      path, "a base64 data URL (data:<media type>;base64,<data>) or an http(s) URL");
  ImageSource source;
  if (StartsWithIgnoringCase(url, "http://") ||
      StartsWithIgnoringCase(url, "https://")) {
    source.kind = ImageSource::Kind::kUrl;
    source.data = std::string(url);
    return source;
  }
  if (!StartsWithIgnoringCase(url, "data:")) {
    return Error(invalid);
  }
  const size_t comma = url.find(',');
  if (comma == std::string_view::npos) {
    return Error(invalid);
  }
  const std::string_view header = url.substr(5, comma - 5);
  constexpr std::string_view kBase64Marker = ";base64";
  const bool is_base64 =
      header.size() > kBase64Marker.size() &&
      StartsWithIgnoringCase(header.substr(header.size() - kBase64Marker.size()),
                             kBase64Marker);
  const std::string_view media_type = header.substr(0, header.find(';'));
  const std::string_view data = url.substr(comma + 1);
  if (!is_base64 || media_type.empty() || data.empty()) {
    return Error(invalid);
  }
  source.kind = ImageSource::Kind::kBase64;
  source.media_type = std::string(media_type);
  source.data = std::string(data);
  return source;
}

// Appends the block for one content part, or nothing for empty text.
Status ParsePart(const Json& part, const std::string& path, PartsAllowed allowed,
                 std::vector<ContentBlock>* blocks) {
  if (!part.is_object()) {
    return WrongType(path, "an object");
  }
  DUET_ASSIGN_OR_RETURN(const std::string type, RequireString(part, "type", path));
  const bool is_text = type == "text";
  const bool is_refusal = type == "refusal" && allowed == PartsAllowed::kAssistant;
  if (is_text || is_refusal) {
    // A refusal the client echoes back is what the model said: keep it as
    // text so the model sees its own turn unchanged.
    DUET_ASSIGN_OR_RETURN(std::string text,
                          RequireString(part, is_text ? "text" : "refusal", path));
    DUET_ASSIGN_OR_RETURN(std::optional<RawJson> cache_control,
                          internal::ReadOptionalObject(part, "cache_control", path));
    if (text.empty()) {
      return Status::Ok();
    }
    ContentBlock block = ContentBlock::Text(std::move(text));
    block.cache_control = cache_control.value_or(RawJson{});
    blocks->push_back(std::move(block));
    return Status::Ok();
  }
  if (type == "image_url" && allowed == PartsAllowed::kUser) {
    const std::string image_path = JoinPath(path, "image_url");
    const Json* image_url = FindMember(part, "image_url");
    if (image_url == nullptr) {
      return FieldRequired(image_path);
    }
    if (!image_url->is_object()) {
      return WrongType(image_path, "an object");
    }
    DUET_ASSIGN_OR_RETURN(const std::string url,
                          RequireString(*image_url, "url", image_path));
    ContentBlock block;
    block.type = BlockType::kImage;
    DUET_ASSIGN_OR_RETURN(block.image,
                          ParseImageUrl(url, JoinPath(image_path, "url")));
    blocks->push_back(std::move(block));
    return Status::Ok();
  }
  return InvalidArgument(JoinPath(path, "type") +
                         ": unsupported content part type \"" + type + "\"");
}

// `content` as a string or an array of parts.
Result<std::vector<ContentBlock>> ParseContent(const Json& content,
                                               const std::string& path,
                                               PartsAllowed allowed) {
  std::vector<ContentBlock> blocks;
  if (content.is_string()) {
    std::string text = content.get<std::string>();
    if (!text.empty()) {
      blocks.push_back(ContentBlock::Text(std::move(text)));
    }
    return blocks;
  }
  if (!content.is_array()) {
    return Error(WrongType(path, "a string or an array of content parts"));
  }
  for (size_t i = 0; i < content.size(); ++i) {
    DUET_RETURN_IF_ERROR(
        ParsePart(content[i], JoinPath(path, i), allowed, &blocks));
  }
  return blocks;
}

// The member `content`, required.
Result<std::vector<ContentBlock>> RequireContent(const Json& message,
                                                 const std::string& path,
                                                 PartsAllowed allowed) {
  const Json* content = FindMember(message, "content");
  const std::string content_path = JoinPath(path, "content");
  if (content == nullptr) {
    return Error(FieldRequired(content_path));
  }
  return ParseContent(*content, content_path, allowed);
}

// A tool call's `arguments`: a JSON object encoded as a string.
Result<RawJson> ParseArguments(const Json& function, const std::string& path) {
  const std::string arguments_path = JoinPath(path, "arguments");
  const Json* arguments = FindMember(function, "arguments");
  if (arguments == nullptr) {
    return RawJson{"{}"};
  }
  if (!arguments->is_string()) {
    return Error(WrongType(arguments_path, "a string holding a JSON object"));
  }
  const std::string& text = arguments->get_ref<const std::string&>();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return RawJson{"{}"};  // Some clients send "" for a call without input.
  }
  if (NestsDeeperThan(text, kMaxJsonNestingDepth)) {
    return Error(TooDeep(arguments_path));
  }
  const Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Error(InvalidArgument(arguments_path + ": invalid JSON"));
  }
  if (!parsed.is_object()) {
    return Error(WrongType(arguments_path, "a JSON object"));
  }
  return ToRawJson(parsed);
}

Result<ContentBlock> ParseToolCall(const Json& call, const std::string& path) {
  if (!call.is_object()) {
    return Error(WrongType(path, "an object"));
  }
  DUET_ASSIGN_OR_RETURN(std::string id, RequireString(call, "id", path));
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> type,
                        OptionalString(call, "type", path));
  if (type.has_value() && *type != "function") {
    return Error(InvalidArgument(JoinPath(path, "type") +
                                 ": unsupported tool call type \"" + *type +
                                 "\""));
  }
  const std::string function_path = JoinPath(path, "function");
  const Json* function = FindMember(call, "function");
  if (function == nullptr) {
    return Error(FieldRequired(function_path));
  }
  if (!function->is_object()) {
    return Error(WrongType(function_path, "an object"));
  }
  DUET_ASSIGN_OR_RETURN(std::string name,
                        RequireString(*function, "name", function_path));
  DUET_ASSIGN_OR_RETURN(RawJson input, ParseArguments(*function, function_path));
  return ContentBlock::ToolUse(std::move(id), std::move(name), std::move(input));
}

Result<std::vector<ContentBlock>> ParseAssistant(const Json& message,
                                                 const std::string& path) {
  std::vector<ContentBlock> blocks;
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> reasoning,
                        OptionalString(message, "reasoning_content", path));
  if (reasoning.has_value() && !reasoning->empty()) {
    blocks.push_back(ContentBlock::Thinking(*reasoning, ""));
  }
  if (const Json* content = FindMember(message, "content")) {
    DUET_ASSIGN_OR_RETURN(
        std::vector<ContentBlock> text,
        ParseContent(*content, JoinPath(path, "content"), PartsAllowed::kAssistant));
    for (ContentBlock& block : text) {
      blocks.push_back(std::move(block));
    }
  }
  if (const Json* calls = FindMember(message, "tool_calls")) {
    const std::string calls_path = JoinPath(path, "tool_calls");
    if (!calls->is_array()) {
      return Error(WrongType(calls_path, "an array"));
    }
    for (size_t i = 0; i < calls->size(); ++i) {
      DUET_ASSIGN_OR_RETURN(ContentBlock call,
                            ParseToolCall((*calls)[i], JoinPath(calls_path, i)));
      blocks.push_back(std::move(call));
    }
  }
  return blocks;
}

Result<ContentBlock> ParseToolMessage(const Json& message,
                                      const std::string& path) {
  ContentBlock block;
  block.type = BlockType::kToolResult;
  DUET_ASSIGN_OR_RETURN(block.tool_use_id,
                        RequireString(message, "tool_call_id", path));
  if (const Json* content = FindMember(message, "content")) {
    DUET_ASSIGN_OR_RETURN(
        block.tool_result_content,
        ParseContent(*content, JoinPath(path, "content"), PartsAllowed::kTextOnly));
  }
  return block;
}

// Appends one OpenAI message's blocks to the canonical conversation, merging
// it into the previous message when the roles match. Tool results always
// stay ahead of other content in a user message, as Anthropic requires of
// the turn that answers a tool call.
void AppendToConversation(Role role, std::vector<ContentBlock> blocks,
                          std::vector<Message>* messages) {
  if (messages->empty() || messages->back().role != role) {
    messages->push_back(Message{role, std::move(blocks)});
    return;
  }
  std::vector<ContentBlock>& content = messages->back().content;
  for (ContentBlock& block : blocks) {
    if (block.type != BlockType::kToolResult) {
      content.push_back(std::move(block));
      continue;
    }
    auto position = content.begin();
    while (position != content.end() && position->type == BlockType::kToolResult) {
      ++position;
    }
    content.insert(position, std::move(block));
  }
}

Status ParseMessage(const Json& message, const std::string& path,
                    ChatRequest* request) {
  if (!message.is_object()) {
    return WrongType(path, "an object");
  }
  DUET_ASSIGN_OR_RETURN(const std::string role,
                        RequireString(message, "role", path));
  if (role == "system" || role == "developer") {
    DUET_ASSIGN_OR_RETURN(
        std::vector<ContentBlock> blocks,
        RequireContent(message, path, PartsAllowed::kTextOnly));
    for (ContentBlock& block : blocks) {
      request->system.push_back(std::move(block));
    }
  } else if (role == "user") {
    DUET_ASSIGN_OR_RETURN(std::vector<ContentBlock> blocks,
                          RequireContent(message, path, PartsAllowed::kUser));
    AppendToConversation(Role::kUser, std::move(blocks), &request->messages);
  } else if (role == "assistant") {
    DUET_ASSIGN_OR_RETURN(std::vector<ContentBlock> blocks,
                          ParseAssistant(message, path));
    AppendToConversation(Role::kAssistant, std::move(blocks), &request->messages);
  } else if (role == "tool") {
    DUET_ASSIGN_OR_RETURN(ContentBlock result, ParseToolMessage(message, path));
    std::vector<ContentBlock> blocks;
    blocks.push_back(std::move(result));
    AppendToConversation(Role::kUser, std::move(blocks), &request->messages);
  } else {
    return WrongType(JoinPath(path, "role"),
                     "one of system, developer, user, assistant, tool");
  }
  return Status::Ok();
}

Status ParseMessages(const Json& body, ChatRequest* request) {
  const Json* messages = FindMember(body, "messages");
  if (messages == nullptr) {
    return FieldRequired("messages");
  }
  if (!messages->is_array()) {
    return WrongType("messages", "an array");
  }
  if (messages->empty()) {
    return WrongType("messages", "at least one message");
  }
  for (size_t i = 0; i < messages->size(); ++i) {
    DUET_RETURN_IF_ERROR(
        ParseMessage((*messages)[i], JoinPath("messages", i), request));
  }
  return Status::Ok();
}

Result<std::optional<int64_t>> ParseMaxTokens(const Json& body) {
  for (std::string_view key : {"max_completion_tokens", "max_tokens"}) {
    DUET_ASSIGN_OR_RETURN(std::optional<int64_t> value, OptionalInt(body, key, ""));
    if (value.has_value()) {
      if (*value < 1) {
        return Error(InvalidArgument(std::string(key) + ": must be at least 1"));
      }
      return value;
    }
  }
  return std::optional<int64_t>();
}

Status ParseStop(const Json& body, std::vector<std::string>* stop_sequences) {
  const Json* stop = FindMember(body, "stop");
  if (stop == nullptr) {
    return Status::Ok();
  }
  if (stop->is_string()) {
    stop_sequences->push_back(stop->get<std::string>());
    return Status::Ok();
  }
  if (!stop->is_array()) {
    return WrongType("stop", "a string or an array of strings");
  }
  if (stop->size() > 4) {
    return InvalidArgument("stop: expected at most 4 stop sequences");
  }
  for (size_t i = 0; i < stop->size(); ++i) {
    if (!(*stop)[i].is_string()) {
      return WrongType(JoinPath("stop", i), "a string");
    }
    stop_sequences->push_back((*stop)[i].get<std::string>());
  }
  return Status::Ok();
}

// The number `key` of `body` when it lies in [low, high]; absent gives
// nullopt, anything else kInvalidArgument naming `key`.
Result<std::optional<double>> NumberBetween(const Json& body, const char* key, double low,
                                            double high) {
  DUET_ASSIGN_OR_RETURN(const std::optional<double> value, OptionalNumber(body, key, ""));
  if (value && !(*value >= low && *value <= high)) {
    return Error(InvalidArgument(fmt::format("{}: expected a number between {} and {}", key,
                                             low, high)));
  }
  return value;
}

// logit_bias: an object from token ids (as strings) to biases, -100..100.
Status ParseLogitBias(const Json& body, std::vector<std::pair<int64_t, double>>* biases) {
  const Json* object = FindMember(body, "logit_bias");
  if (object == nullptr || object->is_null()) {
    return Status::Ok();
  }
  if (!object->is_object()) {
    return WrongType("logit_bias", "an object from token ids to biases");
  }
  for (const auto& [key, bias] : object->items()) {
    int64_t id = -1;
    const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (error != std::errc() || end != key.data() + key.size() || id < 0) {
      return InvalidArgument("logit_bias: \"" + key + "\" is not a token id");
    }
    if (!bias.is_number() || !(bias.get<double>() >= -100 && bias.get<double>() <= 100)) {
      return InvalidArgument("logit_bias." + key + ": expected a number between -100 and 100");
    }
    biases->emplace_back(id, bias.get<double>());
  }
  return Status::Ok();
}

Status ParseSampling(const Json& body, ChatRequest* request) {
  DUET_ASSIGN_OR_RETURN(request->sampling.temperature,
                        OptionalNumber(body, "temperature", ""));
  DUET_ASSIGN_OR_RETURN(request->sampling.top_p, OptionalNumber(body, "top_p", ""));
  DUET_ASSIGN_OR_RETURN(request->sampling.top_k, OptionalInt(body, "top_k", ""));
  DUET_ASSIGN_OR_RETURN(request->sampling.min_p, NumberBetween(body, "min_p", 0, 1));
  DUET_ASSIGN_OR_RETURN(request->sampling.seed, OptionalInt(body, "seed", ""));
  DUET_ASSIGN_OR_RETURN(request->sampling.presence_penalty,
                        NumberBetween(body, "presence_penalty", -2, 2));
  DUET_ASSIGN_OR_RETURN(request->sampling.frequency_penalty,
                        NumberBetween(body, "frequency_penalty", -2, 2));
  DUET_RETURN_IF_ERROR(ParseLogitBias(body, &request->sampling.logit_bias));
  DUET_ASSIGN_OR_RETURN(const std::optional<int64_t> n, OptionalInt(body, "n", ""));
  if (n.has_value() && *n != 1) {
    return InvalidArgument("n: only n=1 is supported");
  }
  return Status::Ok();
}

Status ParseLogprobs(const Json& body, ChatRequest* request) {
  DUET_ASSIGN_OR_RETURN(const std::optional<bool> logprobs,
                        OptionalBool(body, "logprobs", ""));
  request->logprobs = logprobs.value_or(false);
  Result<std::optional<int64_t>> top = OptionalInt(body, "top_logprobs", "");
  if (!top) {
    return WrongType("top_logprobs", "an integer between 0 and 20");
  }
  if (!top->has_value()) {
    return Status::Ok();
  }
  if (**top < 0 || **top > internal::kMaxTopLogprobs) {
    return InvalidArgument("top_logprobs: expected an integer between 0 and " +
                           std::to_string(internal::kMaxTopLogprobs));
  }
  // 0 asks for nothing, so it is accepted either way; clients that send
  // the default along with logprobs: false are not refused.
  if (**top > 0 && !request->logprobs) {
    return InvalidArgument("top_logprobs: requires logprobs to be true");
  }
  request->top_logprobs = static_cast<int>(**top);
  return Status::Ok();
}

Status ParseStreaming(const Json& body, ChatRequest* request) {
  DUET_ASSIGN_OR_RETURN(const std::optional<bool> stream,
                        OptionalBool(body, "stream", ""));
  request->stream = stream.value_or(false);
  const Json* options = FindMember(body, "stream_options");
  if (options == nullptr) {
    return Status::Ok();
  }
  if (!options->is_object()) {
    return WrongType("stream_options", "an object");
  }
  DUET_ASSIGN_OR_RETURN(const std::optional<bool> include_usage,
                        OptionalBool(*options, "include_usage", "stream_options"));
  // Usage chunks exist only in a stream; normalising here keeps the writer
  // from sending stream_options without stream, which OpenAI rejects.
  request->stream_include_usage = request->stream && include_usage.value_or(false);
  return Status::Ok();
}

Status ParseIdentity(const Json& body, ChatRequest* request) {
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> effort,
                        OptionalString(body, "reasoning_effort", ""));
  request->effort = effort.value_or("");
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> safety_identifier,
                        OptionalString(body, "safety_identifier", ""));
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> user,
                        OptionalString(body, "user", ""));
  // safety_identifier is user's documented replacement; prefer it.
  request->user_id = safety_identifier.value_or(user.value_or(""));
  return Status::Ok();
}

Result<ChatRequest> ParseBody(std::string_view body) {
  const NestingLimit limit{.max_depth = kMaxJsonNestingDepth,
                           .too_deep = TooDeep("request body")};
  DUET_ASSIGN_OR_RETURN(const Json json, ParseJsonObject(body, limit));
  ChatRequest request;
  request.source = ApiFlavor::kOpenAI;
  DUET_ASSIGN_OR_RETURN(request.model, RequireString(json, "model", ""));
  DUET_RETURN_IF_ERROR(ParseMessages(json, &request));
  DUET_ASSIGN_OR_RETURN(request.max_tokens, ParseMaxTokens(json));
  DUET_RETURN_IF_ERROR(ParseStop(json, &request.stop_sequences));
  DUET_RETURN_IF_ERROR(ParseSampling(json, &request));
  DUET_RETURN_IF_ERROR(ParseLogprobs(json, &request));
  DUET_RETURN_IF_ERROR(ParseStreaming(json, &request));
  DUET_RETURN_IF_ERROR(internal::ParseToolFields(json, &request));
  DUET_RETURN_IF_ERROR(ParseIdentity(json, &request));
  for (const auto& [key, value] : json.items()) {
    if (!internal::IsModelledRequestField(key)) {
      request.extra[key] = ToRawJson(value);
    }
  }
  return request;
}

}  // namespace

namespace internal {

Result<std::optional<RawJson>> ReadOptionalObject(const Json& object,
                                                  std::string_view key,
                                                  std::string_view path) {
  const Json* value = FindMember(object, key);
  if (value == nullptr) {
    return std::optional<RawJson>();
  }
  if (!value->is_object()) {
    return Error(WrongType(JoinPath(path, key), "an object"));
  }
  return std::optional<RawJson>(ToRawJson(*value));
}

}  // namespace internal

Result<ChatRequest> ParseChatCompletionRequest(std::string_view body) {
  // The readers check every type before converting, so nothing here should
  // throw; the catch keeps a missed case a client error rather than a crash.
  try {
    return ParseBody(body);
  } catch (const Json::exception& e) {
    return Error(InvalidArgument(std::string("malformed request: ") + e.what()));
  }
}

}  // namespace duet::wire::openai
