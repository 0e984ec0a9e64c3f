// Anthropic Messages request bodies <-> the canonical ChatRequest.
//
// ParseMessagesRequest turns the body a client POSTs to /v1/messages (or
// /v1/messages/count_tokens) into a ChatRequest, validating it the way the
// real API does and naming the offending field in the error message.
// WriteMessagesRequest is the inverse, used to call the real Anthropic API
// upstream. For every request the parser accepts:
//
//   ParseMessagesRequest(WriteMessagesRequest(*ParseMessagesRequest(x)))
//       == ParseMessagesRequest(x)
//
// What survives the round trip: everything ChatRequest models, unknown
// top-level fields (in ChatRequest::extra), unknown content blocks (kOther,
// whole), provider-hosted tools (Tool::raw, whole) and cache_control on any
// block or tool. What does not: unknown keys inside a known block, message,
// custom tool, metadata or output_config object (ChatRequest has no place for
// them; see the adapter's notes for the lead).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "model/chat.h"

namespace duet::wire::anthropic {

// max_tokens written upstream when the canonical request has none (it came
// from an OpenAI client, or from count_tokens). Anthropic requires the field.
inline constexpr int64_t kDefaultMaxTokens = 4096;

// Bodies nesting arrays and objects deeper than this are rejected before
// they are parsed: JSON schemas and tool inputs of real clients stay far
// below it, and it bounds the recursion of everything downstream.
inline constexpr int kMaxNestingDepth = 128;

struct ParseOptions {
  // True for /v1/messages; false for /v1/messages/count_tokens, where
  // max_tokens is not part of the body.
  bool require_max_tokens = true;
};

// Parses a Messages request body. The result has source ==
// ApiFlavor::kAnthropic. On failure returns kInvalidArgument with a message
// in the API's style, for example:
//   "malformed JSON body: ..."             not JSON (or a number overflows)
//   "request body must be a JSON object"
//   "request body nests deeper than 128 levels"
//   "model: Field required"                (also max_tokens, messages)
//   "max_tokens: expected an integer >= 0"
//   "messages: expected a non-empty array"
//   "messages.1.role: expected 'user', 'assistant' or 'system'"
//   "messages.0.content.2.type: Field required"
//   "thinking.budget_tokens: expected an integer >= 1024"
//   "thinking.budget_tokens: must be less than max_tokens"
// Never throws and never crashes, whatever the body holds.
Result<ChatRequest> ParseMessagesRequest(std::string_view body,
                                         const ParseOptions& options = {});

// Writes `request` as a compact Messages request body. Never fails: strings
// with invalid UTF-8 are repaired, a tool_use input that is not a JSON object
// is wrapped as {"INVALID_JSON":"<text>"}, and a missing max_tokens becomes
// kDefaultMaxTokens, or budget_tokens + kDefaultMaxTokens when thinking is
// enabled with a budget that the default would not exceed. Fields Anthropic
// has no place for (sampling.seed, stream_include_usage, anthropic_betas, a
// kJsonObject response format) are left out; betas travel as a header.
// Entries of `extra` whose key is a modeled field are skipped so the body
// never has duplicate keys.
// REQUIRES: every RawJson in `request` holds valid JSON (true for all that
// duet's adapters make).
std::string WriteMessagesRequest(const ChatRequest& request);

}  // namespace duet::wire::anthropic
