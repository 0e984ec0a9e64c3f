// OpenAI Chat Completions requests ⇄ the canonical ChatRequest.
//
// ParseChatCompletionRequest reads the body a client POSTs to
// /v1/chat/completions; WriteChatCompletionRequest renders a canonical request
// as that body again, to call OpenAI-compatible upstreams (Ollama, vLLM,
// llama-server). The mapping follows protocols.md §3.1 and §3.7:
//
//   system / developer messages   -> ChatRequest::system text blocks, in order
//   user content (string / parts) -> text and image blocks
//   assistant reasoning_content   -> a thinking block (before the text)
//   assistant content             -> text blocks
//   assistant tool_calls          -> tool_use blocks (arguments parsed)
//   tool messages                 -> tool_result blocks, grouped with the
//                                    following user content into ONE user
//                                    message, tool results first
//   consecutive same-role messages are merged into one canonical message.
//
// `presence_penalty` and `frequency_penalty` (numbers from -2 to 2, as
// OpenAI bounds them), `logit_bias` (token ids to biases from -100 to 100)
// and, as llama-server and vLLM take them, `top_k` and `min_p` (0 to 1)
// become SamplingParams fields.
//
// `logprobs` and `top_logprobs` (an integer 0..20; above 0 only with
// logprobs: true) become ChatRequest::logprobs / top_logprobs and are
// written back for upstreams that can report them.
//
// What the canonical model has no room for is dropped on parse and never
// comes back on write: message `name`, image `detail`, the assistant
// `refusal` field, json_schema `description`, stream_options
// `include_obfuscation`. Every other top-level key the adapter does not model
// (metadata, store, ...) is kept whole in
// ChatRequest::extra and written back unchanged.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "model/chat.h"

namespace duet::wire::openai {

// Deepest JSON nesting accepted in a body or in a tool call's `arguments`.
// Far beyond any real tool schema; it bounds the recursion of the JSON
// printer when duet copies nested values through.
inline constexpr int kMaxJsonNestingDepth = 128;

// Parses a Chat Completions request body. The result has
// source == ApiFlavor::kOpenAI.
//
// Returns kInvalidArgument, with a message that names the offending field the
// way the API does, when:
//   - the body is not valid JSON, not an object, or nests deeper than
//     kMaxJsonNestingDepth ("malformed JSON body: ...",
//     "request body must be a JSON object");
//   - a required field is missing ("model: Field required",
//     "messages.1.tool_call_id: Field required") or has the wrong type
//     ("messages.0.role: expected one of system, developer, user, assistant,
//     tool", "temperature: expected a number");
//   - a value is outside what duet supports ("n: only n=1 is supported",
//     "stop: expected at most 4 stop sequences",
//     "top_logprobs: expected an integer between 0 and 20",
//     "top_logprobs: requires logprobs to be true",
//     "messages.1.content.0.type: unsupported content part type
//     \"input_audio\"", a tool call `arguments` string that is not a JSON
//     object).
// Empty text (a "" content string or text part) carries nothing and is not
// turned into a block. Never throws, whatever the input.
Result<ChatRequest> ParseChatCompletionRequest(std::string_view body);

// Renders `request` as a Chat Completions request body (compact JSON).
//
// For any request that ParseChatCompletionRequest returned,
// ParseChatCompletionRequest(WriteChatCompletionRequest(r)) == r.
// Requests from other sources (Anthropic) lose what Chat Completions cannot
// express; each drop is deliberate, because an OpenAI-compatible upstream
// would reject or misread it:
//   - redacted thinking and kOther blocks (opaque to every non-Anthropic
//     model), thinking signatures, images in assistant turns or inside tool
//     results (OpenAI accepts only text there), tool_result is_error flags;
//   - provider-hosted tools (Tool::type non-empty), the thinking config and
//     anthropic betas;
//   - ChatRequest::extra unless source == ApiFlavor::kOpenAI (those keys
//     belong to the source protocol).
// The token limit is written as `max_tokens`, the field every OpenAI-
// compatible server reads (Ollama, vLLM and llama-server alike).
// Never fails.
std::string WriteChatCompletionRequest(const ChatRequest& request);

}  // namespace duet::wire::openai
