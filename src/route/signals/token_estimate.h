// Token estimates for routing decisions, before any model has tokenized
// the request.
//
// The estimate leans high on purpose, because it decides whether a request
// fits a context window: about 4 characters a token for alphabetic text,
// one token per CJK character (Chinese and Japanese tokenize at roughly
// 0.7-1.5 characters a token), and a fixed 1,600 tokens per image.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "model/chat.h"

namespace duet {

inline constexpr int64_t kImageTokenEstimate = 1600;

// Tokens of UTF-8 `text`.
int64_t EstimateTextTokens(std::string_view text);

// Tokens of the whole request: system, every message's blocks (tool calls
// and results included), and tool definitions.
int64_t EstimateRequestTokens(const ChatRequest& request);

}  // namespace duet
