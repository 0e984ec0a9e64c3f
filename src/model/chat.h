// The canonical chat model: the one shape every layer between the protocol
// adapters agrees on.
//
// Anthropic's Messages API is the richest of the supported protocols, so the
// model follows its structure (content blocks, indexed stream events), and the
// OpenAI adapter maps onto it. Router, backends and ledger see only these
// types, never wire JSON. Pieces that duet carries without interpreting (tool
// schemas, tool inputs, cache_control, unknown provider fields) travel as
// RawJson: compact JSON text, valid by construction at the adapter that made it.
//
// Thread safety: plain values; copy or move them between threads freely.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/boxed.h"
#include "core/status.h"

namespace duet {

// Compact JSON text that duet carries through without interpreting.
// Empty `text` means "absent".
struct RawJson {
  std::string text;

  bool empty() const { return text.empty(); }
  friend bool operator==(const RawJson&, const RawJson&) = default;
};

// Which wire protocol a request arrived on, or a backend speaks.
enum class ApiFlavor { kAnthropic, kOpenAI };

// kSystem: a system message inside the conversation (the 2026 Messages API
// allows `role: "system"` mid-conversation; Claude Code sends one). The
// top-level system prompt stays in ChatRequest::system.
enum class Role { kUser, kAssistant, kSystem };

enum class BlockType {
  kText,
  kImage,
  kToolUse,
  kToolResult,
  kThinking,
  kRedactedThinking,
  kOther,  // any other block (document, server tool results...): see `raw`
};

struct ImageSource {
  enum class Kind { kBase64, kUrl, kFile };
  Kind kind = Kind::kBase64;
  std::string media_type;  // "image/png"; set for kBase64
  std::string data;        // base64 payload, URL, or file id, by `kind`

  friend bool operator==(const ImageSource&, const ImageSource&) = default;
};

// One content block of a message. A flat struct rather than a variant: which
// fields are meaningful depends on `type`, as documented per field.
struct ContentBlock {
  BlockType type = BlockType::kText;

  // kText: the text. kThinking: the reasoning text.
  std::string text;
  // kThinking: the provider's signature (opaque). kRedactedThinking: the
  // opaque `data` payload.
  std::string signature;
  // kImage.
  ImageSource image;
  // kToolUse: call id, tool name, and the input object.
  std::string tool_id;
  std::string tool_name;
  RawJson tool_input;
  // kToolResult: the id of the call it answers, its content and error flag.
  std::string tool_use_id;
  std::vector<ContentBlock> tool_result_content;
  bool is_error = false;
  // Any type: the block's cache_control object, carried through.
  RawJson cache_control;
  // kText: citations array when present, carried through.
  RawJson citations;
  // kOther: the whole block as received.
  RawJson raw;

  static ContentBlock Text(std::string text);
  static ContentBlock ToolUse(std::string id, std::string name, RawJson input);
  static ContentBlock Thinking(std::string thinking, std::string signature);

  friend bool operator==(const ContentBlock&, const ContentBlock&) = default;
};

struct Message {
  Role role = Role::kUser;
  std::vector<ContentBlock> content;

  friend bool operator==(const Message&, const Message&) = default;
};

// A tool the model may call. Custom (client) tools have an empty `type` and
// a JSON-schema `input_schema`; provider-hosted tools (web search, bash...)
// have their `type` and are carried whole in `raw`.
struct Tool {
  std::string name;
  std::string description;
  RawJson input_schema;
  std::optional<bool> strict;
  RawJson cache_control;
  std::string type;  // "" for custom tools
  RawJson raw;       // provider tools: the whole definition

  friend bool operator==(const Tool&, const Tool&) = default;
};

struct ToolChoice {
  enum class Mode { kAuto, kAny, kTool, kNone };
  Mode mode = Mode::kAuto;
  std::string name;  // kTool only
  bool disable_parallel_tool_use = false;

  friend bool operator==(const ToolChoice&, const ToolChoice&) = default;
};

struct ThinkingConfig {
  enum class Mode { kDisabled, kEnabled, kAdaptive };
  Mode mode = Mode::kDisabled;
  int64_t budget_tokens = 0;  // kEnabled only
  std::string display;        // "summarized" | "omitted" | ""

  friend bool operator==(const ThinkingConfig&, const ThinkingConfig&) = default;
};

// Structured output: OpenAI `response_format`, Anthropic
// `output_config.format`.
struct ResponseFormat {
  enum class Kind { kText, kJsonObject, kJsonSchema };
  Kind kind = Kind::kText;
  std::string name;  // json_schema name (OpenAI)
  RawJson schema;
  std::optional<bool> strict;

  friend bool operator==(const ResponseFormat&, const ResponseFormat&) = default;
};

struct SamplingParams {
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> top_k;
  std::optional<int64_t> seed;
  // OpenAI's penalties, -2 to 2: subtracted from a token's logit once if it
  // appeared in the answer so far (presence), and once per appearance
  // (frequency). The local engine and OpenAI-compatible upstreams apply
  // them; Claude has no such parameters and is not sent them.
  // min_p (0 to 1), as llama-server and vLLM take it beside OpenAI's
  // parameters: tokens less likely than min_p times the likeliest are
  // dropped. The local engine and OpenAI-compatible upstreams apply it.
  std::optional<double> min_p = std::nullopt;
  std::optional<double> presence_penalty = std::nullopt;
  std::optional<double> frequency_penalty = std::nullopt;
  // OpenAI's logit_bias: (token id, bias from -100 to 100) pairs, the bias
  // added to that token's logit. Ids are the answering model's own (the
  // local engine reads them as llama-server does); Claude is not sent them.
  std::vector<std::pair<int64_t, double>> logit_bias = {};

  friend bool operator==(const SamplingParams&, const SamplingParams&) = default;
};

// What the client asked of duet's routing (from request headers), as
// opposed to what it asked of the model.
struct RouteHints {
  // False when the client forbids answering from a fallback backend
  // (x-duet-fallback: never): it gets the chosen backend's error instead.
  bool allow_fallback = true;
  // x-duet-route: "local" or "cloud" forces a side (the privacy rule still
  // wins); "" lets the policy decide.
  std::string forced_side;
  // Who is asking: an id derived from the client's API key, never the key
  // itself ("" when the client sent none). Budgets and local-only keys
  // use it.
  std::string client_key;
  // x-duet-workflow: "polish" asks for a local draft improved by Claude
  // (as the pseudo-model "duet/polish" does); "" = a plain answer.
  std::string workflow;
  // duet's id for the request (the ledger's request_id, the request-id
  // header), set by the api layer; results about the answer found later
  // (shadow evaluation) are filed under it.
  std::string request_id;

  friend bool operator==(const RouteHints&, const RouteHints&) = default;
};

// One of the most likely tokens at a position of the answer (OpenAI
// `top_logprobs[]` entry).
struct TopAlternative {
  // The token's text, raw bytes: it may be part of a multi-byte character
  // (renderers write it as a JSON string with such bytes replaced, plus the
  // exact `bytes`). Special tokens show their marker ("<|im_end|>"), except
  // the sampled token itself, which reads as it does in the answer.
  std::string token;
  double logprob = 0;  // natural log; see TokenLogprob::logprob

  friend bool operator==(const TopAlternative&, const TopAlternative&) = default;
};

// One sampled token of an answer's text with its log-probability (OpenAI
// `logprobs.content[]` entry: token, logprob, bytes, top_logprobs).
struct TokenLogprob {
  // The token's text as it appears in the answer, raw bytes (may be part of
  // a multi-byte character); OpenAI's `bytes` are these bytes.
  std::string token;
  // ln p(token) under the model's full distribution at that position: the
  // softmax of the raw logits, before temperature, top-k, top-p and any
  // grammar shaped the draw. Always <= 0; a token the model had ruled out
  // entirely gets kLogprobFloor rather than -infinity, which JSON cannot
  // carry (OpenAI uses the same floor).
  double logprob = 0;
  // The most likely tokens at that position, most likely first; empty
  // unless ChatRequest::top_logprobs > 0.
  std::vector<TopAlternative> top;

  static constexpr double kLogprobFloor = -9999.0;

  friend bool operator==(const TokenLogprob&, const TokenLogprob&) = default;
};

// How sure the model was of the answer it sampled: a summary over every
// token the backend sampled for it (reasoning, tool calls and text alike,
// including any a stop sequence later cut; not the end-of-generation
// token), so `tokens` equals Usage::output_tokens. Each token is scored as
// in TokenLogprob::logprob: against the full distribution, before sampling
// settings reshaped it, so a greedy and a hot answer are judged alike.
//
// A model that knows the answer puts most of its mass on the tokens it
// writes (mean_logprob near 0, a low_probability_share near 0); one that
// is guessing spreads it out (low mean, high mean_entropy). With tokens ==
// 0 every other field is 0.
struct AnswerConfidence {
  // Below this probability a sampled token counts as a guess.
  static constexpr double kLowProbability = 0.1;

  int64_t tokens = 0;           // tokens scored
  double mean_logprob = 0;      // mean ln p(sampled token); exp() of it is
                                // the geometric-mean token probability
  double min_logprob = 0;       // the least likely sampled token
  int64_t low_probability_tokens = 0;  // sampled with p < kLowProbability
  double mean_entropy = 0;      // mean entropy of the distributions, nats

  // low_probability_tokens / tokens, or 0 when nothing was scored.
  double low_probability_share() const {
    return tokens == 0 ? 0.0
                       : static_cast<double>(low_probability_tokens) /
                             static_cast<double>(tokens);
  }
  friend bool operator==(const AnswerConfidence&, const AnswerConfidence&) = default;
};

struct ChatRequest {
  std::string model;
  std::vector<ContentBlock> system;  // text blocks, in order
  std::vector<Message> messages;
  // Required by Anthropic, optional for OpenAI; backends apply their own
  // default when absent.
  std::optional<int64_t> max_tokens;
  std::vector<std::string> stop_sequences;
  SamplingParams sampling;
  bool stream = false;
  // OpenAI stream_options.include_usage: send a final usage chunk.
  bool stream_include_usage = false;
  std::vector<Tool> tools;
  std::optional<ToolChoice> tool_choice;
  std::optional<ThinkingConfig> thinking;
  std::optional<ResponseFormat> response_format;
  std::string effort;   // output_config.effort / reasoning_effort; "" if unset
  std::string user_id;  // metadata.user_id / user
  // anthropic-beta flags, passed through to Anthropic upstreams.
  std::vector<std::string> anthropic_betas;
  // Top-level fields of the source protocol that duet does not model
  // (service_tier, container, mcp_servers...), by key; forwarded unchanged to
  // an upstream of the same protocol.
  std::map<std::string, RawJson> extra;
  // Where the request came from.
  ApiFlavor source = ApiFlavor::kAnthropic;
  RouteHints route_hints;
  // OpenAI `logprobs` / `top_logprobs` (0..20, only with logprobs): report
  // each text token's log-probability and that many alternatives. Backends
  // that cannot (Claude; the Anthropic API has no such field) answer
  // without them, and an OpenAI client then reads `logprobs: null`.
  bool logprobs = false;
  int top_logprobs = 0;
  // Set by duet's router, never from a client: it will judge this (local)
  // answer's confidence, so a backend that can should report
  // kMessageDelta's `confidence` even when `logprobs` is off.
  bool report_confidence = false;

  friend bool operator==(const ChatRequest&, const ChatRequest&) = default;
};

enum class StopReason {
  kEndTurn,
  kMaxTokens,
  kStopSequence,
  kToolUse,
  kPauseTurn,
  kRefusal,
  kContextWindowExceeded,
};

struct Usage {
  int64_t input_tokens = 0;  // not read from or written to a cache
  int64_t output_tokens = 0;  // all output, thinking included
  int64_t cache_creation_input_tokens = 0;
  int64_t cache_read_input_tokens = 0;
  int64_t thinking_tokens = 0;  // the reasoning part of output_tokens

  // input + cache writes + cache reads: the whole prompt.
  int64_t prompt_tokens() const {
    return input_tokens + cache_creation_input_tokens + cache_read_input_tokens;
  }
  friend bool operator==(const Usage&, const Usage&) = default;
};

// How an answer was routed: set by the router on kMessageStart (and on
// the error when the router refuses a request), shown to the client as
// response headers and recorded in the ledger.
struct RouteNote {
  std::string backend;  // the backend that answers ("llama", "anthropic")
  bool local = false;   // that backend runs on this machine (Locality::kLocal)
  // Set when a fallback answers: why the first choice could not.
  std::string fallback_reason;
  // Set when the policy decided: "local" or "cloud",
  // "analysis/summarization", the deciding rule, its explanation (ASCII),
  // and whether sensitive data was found.
  std::string side;
  std::string task;
  std::string rule;
  std::string explanation;
  bool sensitive = false;
  // "polish" when Claude improved a local draft (the local_attempt_*
  // fields then describe the draft).
  std::string workflow;
  // Escalation ([policy.escalation]): "" when the answer was not a
  // candidate; "passed" when the local answer passed its checks;
  // "unchecked" when it streamed before they could run; otherwise the
  // check that failed ("repetition"), and Claude answered instead.
  std::string escalation;
  std::string escalation_reason;  // the failed check's explanation (ASCII)
  // Escalated answers, on kMessageDelta (known only once Claude's answer
  // is complete): "changed" when Claude's answer passes the check the
  // local answer failed, "unchanged" when it fails it too; "" when not
  // measured (self_check, polish). The router repeats the note on
  // kMessageDelta to carry it.
  std::string escalation_outcome;
  // Polish with [policy.polish] review: the local model's review of
  // Claude's version: "agree", "disagree" (review_note says where, ASCII),
  // "unsure" (no verdict in its reply) or "failed"; "" = not reviewed.
  std::string review;
  std::string review_note;
  // The local answer that failed (set when escalated): its model, usage
  // and how long it ran.
  std::string local_attempt_model;
  Usage local_attempt_usage;
  double local_attempt_seconds = 0;
};

// One step of a streamed answer. Every answer, streamed to the client or
// not, is produced by a backend as this sequence:
//
//   kMessageStart
//   ( kBlockStart  kBlockDelta*  kBlockStop )*    blocks indexed 0, 1, 2...
//   kMessageDelta                                 stop reason + final usage
//   kMessageStop
//
// with kPing allowed anywhere, and kError allowed anywhere as the last event
// instead of the rest of the sequence.
struct ChatEvent {
  enum class Kind {
    kMessageStart,
    kBlockStart,
    kBlockDelta,
    kBlockStop,
    kMessageDelta,
    kMessageStop,
    kPing,
    kError,
  };
  enum class DeltaKind { kText, kThinking, kSignature, kInputJson };

  Kind kind = Kind::kPing;
  // kMessageStart: message id and model; kMessageStart and kMessageDelta:
  // usage so far (cumulative, never incremental).
  std::string message_id;
  std::string model;
  Usage usage;
  // kBlockStart/kBlockDelta/kBlockStop: block index.
  int index = 0;
  // kBlockStart: the empty block (type; tool id and name for kToolUse):
  // block(); see route() for why it is boxed.
  // kBlockDelta.
  DeltaKind delta_kind = DeltaKind::kText;
  std::string delta;
  // kText deltas, only when the request asked for `logprobs` and the
  // backend can score tokens: the tokens whose text begins in this delta
  // (a token split across deltas travels with the first; one with no text
  // of its own, with the next delta that has text after it). Tokens a stop
  // sequence swallowed are never reported. When an answer ends without a
  // stop sequence the last delta carries every token not reported yet (its
  // text may then be empty: an incomplete character cut by max_tokens).
  // Thinking, signature and input_json deltas carry none: OpenAI's
  // `logprobs.content` covers the answer's text only.
  std::vector<TokenLogprob> logprobs;
  // kMessageDelta.
  StopReason stop_reason = StopReason::kEndTurn;
  std::string stop_sequence;  // set when stop_reason == kStopSequence
  // kMessageDelta: set when the request asked for `logprobs` or
  // `report_confidence` and the backend can score tokens (the local
  // llama.cpp engine); absent otherwise.
  std::optional<AnswerConfidence> confidence;
  // kError.
  Status error;
  // kMessageStart: how the answer was routed (and kMessageDelta, when the
  // router repeats it; see RouteNote). The block and the note are large
  // and most events carry neither, so they live boxed on the heap: an
  // event that has neither moves as a few hundred bytes, not over a
  // kilobyte, and every event is moved several times on its way out.
  const RouteNote& route() const { return route_.get(); }
  RouteNote& mutable_route() { return route_.mutable_get(); }
  const ContentBlock& block() const { return block_.get(); }
  ContentBlock& mutable_block() { return block_.mutable_get(); }

  static ChatEvent MessageStart(std::string id, std::string model, Usage usage);
  static ChatEvent BlockStart(int index, ContentBlock empty_block);
  static ChatEvent Delta(int index, DeltaKind kind, std::string text);
  static ChatEvent BlockStop(int index);
  static ChatEvent MessageDelta(StopReason reason, Usage usage,
                                std::string stop_sequence = {});
  static ChatEvent MessageStop();
  static ChatEvent Ping();
  static ChatEvent Failure(Status status);

  bool terminal() const {
    return kind == Kind::kMessageStop || kind == Kind::kError;
  }

 private:
  Boxed<ContentBlock> block_;
  Boxed<RouteNote> route_;
};

// A complete answer: what a non-streaming client receives.
struct ChatResponse {
  std::string id;
  std::string model;
  std::vector<ContentBlock> content;
  StopReason stop_reason = StopReason::kEndTurn;
  std::string stop_sequence;
  Usage usage;
  // The logprobs of every text delta, in order (see ChatEvent::logprobs);
  // empty when none were reported.
  std::vector<TokenLogprob> logprobs;
  // kMessageDelta's confidence.
  std::optional<AnswerConfidence> confidence;

  friend bool operator==(const ChatResponse&, const ChatResponse&) = default;
};

// Model metadata for GET /v1/models.
struct ModelInfo {
  std::string id;
  std::string display_name;
  std::string owned_by;      // "duet", "anthropic", "llamacpp"...
  int64_t created_unix = 0;  // seconds since the epoch
  int64_t context_window = 0;
  int64_t max_output_tokens = 0;
  // Takes image blocks: Claude; the embedded engine's models that have a
  // vision projector; an OpenAI-compatible server's, whose server decides
  // (duet forwards them).
  bool reads_images = false;
  // What an image costs this model in input tokens, for estimates made
  // before a request is tokenised (the router's window check); 0: unknown.
  int64_t tokens_per_image = 0;
};

}  // namespace duet
