// ShapeForModel: makes a canonical request acceptable to one Claude model
// before it goes upstream, instead of forwarding it into a 400.
//
//   - max_tokens: absent (OpenAI clients may omit it) becomes
//     min(default_max_tokens, the model's max_output_tokens); above the
//     model's maximum it is lowered to it.
//   - fixed_sampling models: temperature, top_p and top_k are dropped.
//   - adaptive_thinking_only models: thinking.type "enabled" becomes
//     "adaptive" (the budget is dropped).
//   - thinking with a budget that no longer fits under max_tokens gets
//     max_tokens raised to budget + 1024 (within the model's maximum) or,
//     failing that, the budget lowered.
//   - no messages, only a system prompt (an OpenAI client may send nothing
//     but system or developer messages, and its models answer them): the
//     system prompt becomes the one user message, as Claude needs one.
//   - the upstream request always streams (one code path, and long answers
//     never hit the API's non-streaming time limit); whether the client
//     streams is decided on duet's side.
//
// Returns the list of changes made, for the debug log ("dropped
// temperature"). Thread safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "model/chat.h"
#include "model/claude_catalog.h"

namespace duet::anthropic {

inline constexpr int64_t kDefaultMaxTokens = 4096;

std::vector<std::string> ShapeForModel(const ClaudeModel& model,
                                       ChatRequest* request);

}  // namespace duet::anthropic
