// Pieces shared by the files that implement chat_request.h; not part of the
// adapter's interface.
//
//   chat_request.cpp        parsing: messages, sampling, streaming, identity
//   chat_request_write.cpp  writing: the same, in reverse
//   chat_request_tools.cpp  tools, tool_choice, parallel_tool_calls and
//                           response_format, both ways
//
// Thread safety: constants and pure functions.
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "wire/json_read.h"
#include "core/json_writer.h"
#include "core/status.h"
#include "model/chat.h"

namespace duet::wire::openai::internal {

// The top-level request fields the adapter models; every other key travels
// in ChatRequest::extra, so the parser and the writer must agree on this.
inline constexpr std::array<std::string_view, 25> kModelledRequestFields = {
    "model",           "messages",         "max_completion_tokens",
    "max_tokens",      "stop",             "temperature",
    "top_p",           "top_k",            "seed",
    "n",               "stream",           "stream_options",
    "tools",           "tool_choice",      "parallel_tool_calls",
    "response_format", "reasoning_effort", "user",
    "safety_identifier", "logprobs",       "top_logprobs",
    "presence_penalty", "frequency_penalty", "logit_bias", "min_p",
};

// OpenAI's limit on top_logprobs.
inline constexpr int kMaxTopLogprobs = 20;

inline bool IsModelledRequestField(std::string_view key) {
  return std::find(kModelledRequestFields.begin(), kModelledRequestFields.end(),
                   key) != kModelledRequestFields.end();
}

// The member `key` of `object` as compact JSON; absent or null gives
// nullopt, any non-object kInvalidArgument ("<path>.<key>: expected an
// object").
Result<std::optional<RawJson>> ReadOptionalObject(const Json& object,
                                                  std::string_view key,
                                                  std::string_view path);

// Reads `tools`, `tool_choice`, `parallel_tool_calls` and `response_format`
// from the request object `body` into `request`. Returns kInvalidArgument
// naming the field on a bad value.
Status ParseToolFields(const Json& body, ChatRequest* request);

// Writes the same four fields as members of the object `writer` is inside,
// leaving out those that are unset.
void WriteToolFields(const ChatRequest& request, JsonWriter* writer);

}  // namespace duet::wire::openai::internal
