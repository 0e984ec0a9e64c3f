// Character and image counts of canonical requests, for token estimates
// and for finding a model that reads a request's images.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

#include "model/chat.h"

namespace duet {

// Unicode characters in UTF-8 `text` (bytes that do not continue a
// sequence).
size_t CountChars(std::string_view text);

// Characters of what a model reads from one block: text and thinking text,
// a tool call's name and input JSON, a tool result's inner blocks.
size_t BlockChars(const ContentBlock& block);

// Characters of a whole request: system blocks, every message's blocks, and
// every tool's name, description and input schema JSON.
size_t RequestChars(const ChatRequest& request);

// Image blocks in the request's messages, tool results' included.
size_t CountImages(const ChatRequest& request);

}  // namespace duet
