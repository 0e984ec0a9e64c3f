// How the engine draws a request's tokens: the sampler chain, the grammar
// that constrains it (a response_format schema or the template's tool-call
// syntax), and the text of a token.
//
// Thread safety: pure functions; a sampler chain belongs to one slot.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backend/llama/prompt.h"
#include "core/status.h"
#include "llama.h"
#include "model/chat.h"

namespace duet::llama {

// The grammar a request's sampling must follow: a response_format schema,
// or the tool-call syntax of the model's template (lazy when a tool call is
// optional, started by its triggers).
struct GrammarSpec {
  // What the request asked for that the grammar enforces; error messages
  // name it ("response_format" or "tools").
  enum class Source { kResponseFormat, kTools };
  Source source = Source::kResponseFormat;
  std::string grammar;
  bool lazy = false;
  std::vector<std::string> trigger_patterns;
  std::vector<llama_token> trigger_tokens;
  // Tokens the answer's start already holds, which the grammar is advanced
  // past: for a non-lazy tool-call grammar, what the template wrote (and
  // the request's prefill); for a response_format, the prefill.
  std::vector<llama_token> prefill;
  // True when `prefill` includes the request's own prefill, which the
  // grammar may then refuse (the client's error, not the template's).
  bool prefill_from_request = false;
};

// True when `params` asks for logits to be changed before the pick: a
// logit_bias, a presence or a frequency penalty.
bool AdjustsLogits(const SamplingParams& params);

// A sampler chain: the grammar first when there is one, then the logit
// biases, then the presence and frequency penalties over the last
// `max_tokens` tokens drawn (the answer), then greedy at temperature 0, or
// top-k, top-p, min-p, temperature and a seeded draw (random seed when none
// is given). The caller owns it (llama_sampler_free).
// Errors: kInvalidArgument for a logit_bias token the vocabulary lacks, or,
// naming what spec->source is, when llama.cpp refuses the
// grammar, which the client's schemas shaped (it allows no repetition count
// above 2,000, such as a minItems or maxLength, and no rule that refers to
// itself before any input), or when the grammar does not accept the
// request's prefill; kInternal when a tool-call grammar does not accept the
// answer's opening that the template wrote.
Result<llama_sampler*> NewSampler(const SamplingParams& params, int32_t max_tokens,
                                  const llama_vocab* vocab, const GrammarSpec* spec);

// The grammar `request` must be sampled under: its response_format schema,
// or the tool-call grammar its template produced for `prompt` (never both;
// asking for both is kInvalidArgument, as is an unusable schema). nullopt
// when nothing constrains the answer. A prefill (rendered.continued) must be
// spelled by whole tokens at the end of `prompt` for a response_format to
// hold it (kInvalidArgument otherwise).
Result<std::optional<GrammarSpec>> RequestGrammar(
    const llama_vocab* vocab, const ChatRequest& request,
    const RenderedPrompt& rendered, const std::vector<llama_token>& prompt);

// The text of `token`; special tokens render as nothing unless `special`.
std::string TokenPiece(const llama_vocab* vocab, llama_token token,
                       bool special = false);

}  // namespace duet::llama
