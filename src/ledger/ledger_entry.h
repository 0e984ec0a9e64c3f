// LedgerEntry: one answered request, as the ledger records it
// (docs/ledger.md describes every field and its column).
//
// Built by the api layer while the answer streams (ChatBridge), priced by
// AnswerPricer, then handed to an AnswerRecorder. It never holds an API
// key (client_key is the key's id) and holds prompt or answer text only
// when the user opted in and the request was not sensitive.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/chat.h"

namespace duet {

enum class AnswerOutcome {
  kOk,         // answered by the backend the router chose
  kFallback,   // answered by the fallback after the first choice failed
  kEscalated,  // a local answer failed its checks and Claude answered
  kError,      // the client got an error (in the API's shape)
  kCancelled,  // the client went away or duet shut down mid-answer
};

// "ok", "fallback", "escalated", "error", "cancelled".
std::string_view AnswerOutcomeName(AnswerOutcome outcome);

struct LedgerEntry {
  std::string request_id;      // duet's id, as sent in request-id headers
  int64_t started_at_ms = 0;   // Unix milliseconds when the request arrived
  std::string client_key;      // "key-<12 hex>" or "" (anonymous); never the key
  std::string api;             // "anthropic" or "openai"
  std::string requested_model; // what the client asked for ("auto", "claude-...")
  bool stream = false;

  // The routing decision (empty when none was made, e.g. a malformed body).
  std::string side;            // "local" or "cloud"
  std::string task;            // "analysis/summarization"
  std::string rule;            // the deciding rule ("sensitive", "task", ...)
  std::string reason;          // its explanation
  bool sensitive = false;
  std::string fallback_reason; // why the first choice did not answer

  // Who answered.
  std::string backend;         // "llama", "anthropic", an [upstreams.NAME]
  std::string model;           // the model id that answered
  bool local = false;          // the answering backend runs on this machine

  Usage usage;
  std::string stop_reason;     // "end_turn", "max_tokens", ... ("" on errors)
  int64_t ttft_ms = -1;        // first output after arrival; -1: none
  int64_t latency_ms = 0;      // arrival to the last byte
  // This answer's share of the local machine's busy time: concurrent local
  // answers split the wall time they overlap (processor sharing).
  double local_busy_seconds = 0;

  // Escalation ([policy.escalation]): "" (not a candidate), "passed",
  // "unchecked" (streamed before the checks could run), or the check that
  // failed; with outcome kEscalated Claude answered instead of the local
  // attempt described below.
  std::string escalation;
  std::string escalation_reason;
  // "polish" when Claude improved a local draft: the local_attempt_*
  // fields then describe the draft, and outcome is kOk.
  std::string workflow;
  std::string local_attempt_model;
  int64_t local_attempt_input_tokens = 0;   // the whole prompt
  int64_t local_attempt_output_tokens = 0;
  double local_attempt_seconds = 0;
  double local_attempt_usd = 0;  // its electricity (priced by the recorder)
  // Escalated: "changed" (Claude's answer passed the check the local one
  // failed), "unchanged" (it failed it too), "" (not measured).
  std::string escalation_outcome;
  // Polish with review: the local model's verdict on Claude's version
  // ("agree", "disagree", "unsure", "failed"; "" = not reviewed).
  std::string review;

  AnswerOutcome outcome = AnswerOutcome::kOk;
  std::string error_kind;      // ErrorCodeName ("unavailable") when outcome is kError
  std::string error_message;   // the message the client got (never secrets)

  // Costs in USD: what the answer cost (cloud list price, upstream price,
  // or local electricity), and what the same tokens would have cost on
  // each Claude tier the policy names (0 when the tier is not configured).
  double cost_usd = 0;
  double claude_haiku_usd = 0;
  double claude_sonnet_usd = 0;
  double claude_opus_usd = 0;

  // Only with ledger.store_content, and never for sensitive requests.
  std::optional<std::string> prompt;  // the request body as the client sent it
  std::optional<std::string> answer;  // the answer's text
};

// A client's verdict on an answer (POST /v1/duet/feedback).
struct FeedbackEntry {
  std::string request_id;  // the answer's request id
  int64_t at_ms = 0;       // Unix milliseconds when it arrived
  std::string client_key;  // who sent it (a key id, never the key)
  double score = 0;        // 0 (thumbs down) .. 1 (thumbs up)
  std::string comment;     // kept only with ledger.store_content
};

// One shadow evaluation ([policy.shadow]): a locally answered request put
// to Claude afterwards, and the judge's verdict. Never holds content.
struct ShadowEntry {
  std::string request_id;  // the locally answered request
  int64_t finished_at_ms = 0;
  std::string task;  // "writing/first_draft"
  std::string local_model;
  std::string claude_model;
  int64_t input_tokens = 0;  // Claude's whole prompt
  int64_t output_tokens = 0;
  double cost_usd = 0;  // Claude's answer and a Claude judge, list prices
  std::string judge;
  std::string verdict;  // "same", "different", "unsure", "failed"
  std::string detail;   // for "failed": the step and why
};

}  // namespace duet
