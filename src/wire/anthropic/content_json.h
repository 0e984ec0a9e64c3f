// Content blocks and usage in the Anthropic Messages JSON shape, both ways.
//
// Internal to the Anthropic adapter: the request parser and writer
// (messages_request.h), the response writer (messages_response.h) and the
// stream writer (messages_stream.h) share these so that a block looks the same
// everywhere it appears. Other code should use those three headers instead.
//
// Parsers return kInvalidArgument with an API-style message naming the field
// ("messages.0.content.2.type: Field required") and never throw on a parsed
// Json value. Writers never fail: strings with invalid UTF-8 are repaired by
// JsonWriter, and a tool input that is not a JSON object is wrapped (see
// WriteToolInput), so the output is always valid JSON.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "wire/json_read.h"
#include "core/json_writer.h"
#include "core/status.h"
#include "model/chat.h"

namespace duet::wire::anthropic {

// The member `key` of `object` when it is a JSON object; nullptr when absent
// or null. Fails with "<path>.<key>: expected an object" on another type.
// REQUIRES: object.is_object().
Result<const Json*> OptionalObject(const Json& object, std::string_view key,
                                   std::string_view path);
// As OptionalObject, but absence fails with "<path>.<key>: Field required".
Result<const Json*> RequireObject(const Json& object, std::string_view key,
                                  std::string_view path);

// The block's `cache_control` object as RawJson; empty when absent.
// REQUIRES: block.is_object().
Result<RawJson> ParseCacheControl(const Json& block, std::string_view path);

// One content block found at `path` (for example "messages.0.content.2").
// Known types become their BlockType; any other `type` becomes kOther with
// the whole block in `raw`. tool_result content is parsed recursively.
Result<ContentBlock> ParseContentBlock(const Json& block,
                                       std::string_view path);

// A `content` value: a string (one text block) or an array of blocks.
// `path` names the value itself ("messages.0.content").
Result<std::vector<ContentBlock>> ParseContent(const Json& content,
                                               std::string_view path);

// How a block is rendered:
//   kRequest:     as a client sends it; cache_control and citations only
//                 when carried.
//   kResponse:    as the API answers it; text blocks always have
//                 "citations" (null unless carried), no cache_control.
//   kStreamStart: the block in content_block_start; like kResponse, except
//                 that text blocks have no "citations" key.
enum class BlockStyle { kRequest, kResponse, kStreamStart };

// Appends `block` as one JSON object value. A kOther block is its `raw` text
// verbatim ("{}" when `raw` is empty).
void WriteContentBlock(const ContentBlock& block, BlockStyle style,
                       JsonWriter* writer);

// Appends a tool_use `input`: "{}" when empty, the text itself when it is a
// JSON object, and otherwise {"INVALID_JSON":"<text>"}. The last case covers
// model output that never became valid JSON (for example fine-grained tool
// streaming cut short by max_tokens), so one bad tool call cannot make the
// whole body invalid.
void WriteToolInput(const RawJson& input, JsonWriter* writer);

// True for the top-level request fields that ChatRequest models (model,
// messages, tools...); every other key of a request body belongs in
// ChatRequest::extra.
bool IsModeledRequestField(std::string_view key);

// The wire names of a content_block_delta of `kind`: its delta.type
// ("text_delta", "thinking_delta", "signature_delta", "input_json_delta")
// and the field holding its text ("text", "thinking", "signature",
// "partial_json"). The views point at string literals.
std::string_view DeltaTypeName(ChatEvent::DeltaKind kind);
std::string_view DeltaFieldName(ChatEvent::DeltaKind kind);

// Appends the usage object of a message (non-streaming and message_start):
// input_tokens, output_tokens, cache_creation_input_tokens,
// cache_read_input_tokens, always all four.
void WriteUsage(const Usage& usage, JsonWriter* writer);

}  // namespace duet::wire::anthropic
