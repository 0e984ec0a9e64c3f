// The answer checks: cheap, deterministic tests that decide whether a local
// answer is good enough to return, or whether the request escalates to
// Claude (issue 7). Each check looks at the finished answer and the request
// it answers; none calls a model.
//
// The checks, by name:
//   empty       no text (after trimming whitespace, Unicode spaces included)
//               and no tool_use block. An answer holding only thinking is
//               empty.
//   truncated   stop_reason is max_tokens and the budget was short: the
//               request's max_tokens (or, when it set none, the answer's
//               output tokens) is at most truncated_budget_tokens. A short
//               budget used up means the model rambled or looped; a long
//               one used up is left to the client.
//   refusal     stop_reason is refusal, or the opening of the text (its
//               first 300 characters) holds a refusal phrase in English,
//               Spanish, German, French, Chinese or Japanese, matched
//               case-insensitively for Latin scripts (refusal_check.h has
//               the list). A phrase further into a long answer does not
//               count.
//   repetition  degenerate repetition in the text: the same word n-gram
//               repeated back to back, too few distinct words, or CJK text
//               repeating one unit (repetition_check.h has the thresholds).
//               Fenced code blocks are not examined.
//   json        the request's response_format asks for JSON: json_object
//               needs the text to be one JSON object, json_schema one JSON
//               value satisfying the schema (wire/json_check.h: one fenced
//               ```json block is accepted). Answers that call a tool
//               instead are not held to the format. A schema the checker
//               cannot apply (wire::IsSchemaError) passes: the answer cannot
//               be judged by it.
//   tool        every tool_use block names a tool the request offers, and
//               for custom tools its input is a JSON object satisfying the
//               tool's input_schema (provider tools are not checked); a
//               tool_choice of any or of one named tool needs a call (to
//               that tool), and tool_choice none forbids one.
//
// Opt-in (not in the default list; name it in `checks`):
//   confidence  the answer's mean token log-probability
//               (ChatResponse::confidence: the backend scores each sampled
//               token against its full distribution; only the local
//               engine does) is under min_mean_logprob: the model was
//               guessing. An answer without a confidence passes. The right
//               threshold depends on the model and the sampling
//               temperature; -3 (a typical token under a 5% chance) flags
//               noise, not ordinary uncertainty.
//
// Explanations are plain ASCII sentences made from counts, limits, check
// names and schema paths ("$.items[2].name", whose keys are escaped to
// ASCII); they never quote the request's or the answer's text.
//
// Thread safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/chat.h"

namespace duet {

// Every check, in the default order: the cheapest and most telling first.
inline constexpr std::array<std::string_view, 6> kAnswerCheckNames = {
    "empty", "truncated", "refusal", "repetition", "json", "tool"};
// Checks that run only when named.
inline constexpr std::array<std::string_view, 1> kOptInCheckNames = {"confidence"};

struct AnswerCheckOptions {
  // Which checks run, by name: "empty", "truncated", "refusal",
  // "repetition", "json", "tool". They run in this order; the default is
  // all of them, in kAnswerCheckNames' order.
  std::vector<std::string> checks = std::vector<std::string>(
      kAnswerCheckNames.begin(), kAnswerCheckNames.end());
  // "truncated" fires when the answer stopped at max_tokens and max_tokens
  // was at most this (a short budget used up by rambling).
  int64_t truncated_budget_tokens = 1024;
  // "confidence" fires below this mean log-probability per output token.
  double min_mean_logprob = -3.0;
};

struct CheckFailure {
  std::string check;        // the name of the check that failed
  std::string explanation;  // plain ASCII; never quotes request or answer
};

// Runs options.checks in order on `answer` to `request` and returns the
// first failure, or nullopt when the answer passes them all. Names that are
// not checks are skipped (ValidateCheckNames refuses them at startup).
std::optional<CheckFailure> CheckAnswer(const ChatRequest& request,
                                        const ChatResponse& answer,
                                        const AnswerCheckOptions& options);

// OK when every name is one of kAnswerCheckNames or kOptInCheckNames
// (repeats are harmless);
// otherwise kInvalidArgument naming the first unknown one and the known
// ones.
Status ValidateCheckNames(const std::vector<std::string>& names);

}  // namespace duet
