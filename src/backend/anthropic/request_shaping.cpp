#include "backend/anthropic/request_shaping.h"

#include <algorithm>

namespace duet::anthropic {

std::vector<std::string> ShapeForModel(const ClaudeModel& model,
                                       ChatRequest* request) {
  std::vector<std::string> changes;
  if (!request->max_tokens) {
    request->max_tokens = std::min(kDefaultMaxTokens, model.max_output_tokens);
    changes.push_back("set max_tokens to " + std::to_string(*request->max_tokens));
  } else if (*request->max_tokens > model.max_output_tokens) {
    request->max_tokens = model.max_output_tokens;
    changes.push_back("lowered max_tokens to the model's " +
                      std::to_string(model.max_output_tokens));
  }
  if (model.fixed_sampling) {
    SamplingParams& s = request->sampling;
    if (s.temperature) changes.push_back("dropped temperature");
    if (s.top_p) changes.push_back("dropped top_p");
    if (s.top_k) changes.push_back("dropped top_k");
    s.temperature.reset();
    s.top_p.reset();
    s.top_k.reset();
  }
  if (request->thinking &&
      request->thinking->mode == ThinkingConfig::Mode::kEnabled) {
    ThinkingConfig& thinking = *request->thinking;
    if (model.adaptive_thinking_only) {
      thinking.mode = ThinkingConfig::Mode::kAdaptive;
      thinking.budget_tokens = 0;
      changes.push_back("thinking enabled -> adaptive");
    } else if (thinking.budget_tokens >= *request->max_tokens) {
      const int64_t wanted = thinking.budget_tokens + 1024;
      if (wanted <= model.max_output_tokens) {
        request->max_tokens = wanted;
        changes.push_back("raised max_tokens above the thinking budget");
      } else {
        thinking.budget_tokens = std::max<int64_t>(1024, *request->max_tokens - 1024);
        changes.push_back("lowered the thinking budget under max_tokens");
      }
    }
  }
  if (request->messages.empty() && !request->system.empty()) {
    Message only;
    only.role = Role::kUser;
    only.content = std::move(request->system);
    request->system.clear();
    request->messages.push_back(std::move(only));
    changes.push_back("sent the system prompt as the user message (there was no other)");
  }
  request->stream = true;
  return changes;
}

}  // namespace duet::anthropic
