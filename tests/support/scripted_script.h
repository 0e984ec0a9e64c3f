// The deterministic part of the scripted test backend: reading a request's
// directives and turning them into the exact ChatEvent sequence to deliver.
//
// ScriptedBackend (scripted_backend.h) documents the behaviour for test
// authors; this header is its pure, synchronous core, kept apart so the
// answer logic can be read (and unit-tested) without the threading.
//
// Thread safety: pure functions over values.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/chat.h"

namespace duet::testing {

// Everything the backend needs to deliver one answer.
struct Script {
  std::vector<ChatEvent> events;  // ends with one terminal event
  // Wait before each event after the first (from [[slow:MS]], otherwise the
  // backend's default).
  std::chrono::milliseconds delay_between_events{0};
  bool delay_from_directive = false;
  // How many tool_use blocks the script uses (ids already assigned).
  int tool_calls = 0;
};

// Ids the script gives the message and its tool calls: `msg_scripted_<n>` and
// `toolu_scripted_<first_tool_number + k>`.
struct ScriptIds {
  int64_t message_number = 1;
  int64_t first_tool_number = 1;
};

// Input tokens of `request` under the documented rule: ceil(bytes / 4), at
// least 1, where bytes counts the UTF-8 bytes of every system text block and,
// in every message, text and thinking text, tool_use input JSON and the text
// blocks inside tool_result content.
int64_t CountScriptedInputTokens(const ChatRequest& request);

// Whitespace-separated words in `text` (the scripted output-token unit).
int64_t CountWords(std::string_view text);

// Splits `text` into words that keep the whitespace following them; leading
// whitespace stays with the first piece. Concatenating the pieces gives
// `text` back. Empty text gives no pieces.
std::vector<std::string> SplitWordsKeepingSpace(std::string_view text);

// Builds the whole answer for `request`, whose model must already be known to
// be served. Directive errors (malformed [[tool:...]], unknown error code)
// give a script whose only event is kError(kInvalidArgument).
Script BuildScript(const ChatRequest& request, const std::string& model,
                   const ScriptIds& ids);

}  // namespace duet::testing
