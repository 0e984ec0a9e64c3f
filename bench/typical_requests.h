// Typical client requests for benchmarks: one coding-assistant turn (system
// prompt, a short history with a tool call and its result, one tool
// definition), about 2 KB, in each API's shape.
#pragma once

#include <string>
#include <string_view>

namespace duet::bench {

// The Anthropic Messages body, asking `model`; streaming when `stream`.
std::string TypicalAnthropicBody(std::string_view model = "claude-sonnet-4-5",
                                 bool stream = true);

// The same conversation as an OpenAI Chat Completions body; when `stream`,
// with stream_options.include_usage.
std::string TypicalOpenAIBody(std::string_view model = "gpt-4o",
                              bool stream = true);

}  // namespace duet::bench
