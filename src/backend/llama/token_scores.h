// Scoring sampled tokens against the model's full distribution: the numbers
// behind OpenAI `logprobs` and the AnswerConfidence summary (model/chat.h).
//
// A token's log-probability is taken from the raw logits of its position
// (what llama_get_logits_ith returns), as log-softmax over the whole
// vocabulary: the distribution the model itself predicted, before
// temperature, top-k, top-p or a grammar reshaped the draw.
//
// Cost: ScoreToken reads the logit row twice (its maximum, then one
// log-sum-exp pass that also gathers the entropy), plus a third time for
// the `top_n` alternatives: O(vocabulary) per token. The passes are
// written to vectorise; measured at -O3 on x86-64 (SSE2), about 70 us per
// token for a 32,000-token vocabulary and 330 us for 152,000 (Qwen), plus
// about 30% with alternatives; a plain std::exp loop takes 3x as long.
// The engine only calls it for requests that ask (logprobs or
// report_confidence).
//
// Thread safety: pure functions; a ConfidenceTally belongs to one answer.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "model/chat.h"

namespace duet::llama {

struct TokenScore {
  // ln p(token), never below TokenLogprob::kLogprobFloor.
  double logprob = 0;
  // Entropy of the whole distribution, in nats.
  double entropy = 0;
  // The `top_n` most likely tokens as (token id, ln p), most likely first;
  // equal logits keep the lower id first.
  std::vector<std::pair<int32_t, double>> top;
};

// Scores `token` against `logits`. Numerically stable for any finite
// logits; -infinity logits (tokens a model rules out) count as probability
// 0. A row with no finite logit at all scores the floor and entropy 0.
// REQUIRES: `logits` holds `vocabulary` floats; 0 <= token < vocabulary;
// top_n >= 0 (more than `vocabulary` gives every token).
TokenScore ScoreToken(const float* logits, int32_t vocabulary, int32_t token,
                      int top_n);

// The index of the largest logit: what a greedy sampler picks, without the
// candidate array a llama.cpp sampler chain builds. The first of equal
// maxima wins, as with std::max_element; NaN never wins; a row with no
// comparable logit (all NaN) gives 0. One vectorised pass finds the maximum
// of each span of 1,024 logits, and the first span holding the largest is
// searched for it, so the row is read once: std::max_element's one running
// maximum is a dependency chain through every element (460 us for 152,000
// logits on this VM; at 8 threads a 0.5B model decodes a token in about
// 9 ms, so that was 5% of decode), and a second scan of the whole row up to
// the maximum cost as much as the first pass again.
// REQUIRES: `logits` holds `vocabulary` > 0 floats.
int32_t MostLikelyToken(const float* logits, int32_t vocabulary);

// Sums scores into the AnswerConfidence of one answer.
class ConfidenceTally {
 public:
  void Add(const TokenScore& score);
  AnswerConfidence Summary() const;

 private:
  int64_t tokens_ = 0;
  double logprob_sum_ = 0;
  double min_logprob_ = 0;
  int64_t low_probability_ = 0;
  double entropy_sum_ = 0;
};

}  // namespace duet::llama
