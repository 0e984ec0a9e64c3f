#include "backend/llama/token_scores.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace duet::llama {
namespace {

// Heap order for the running top-N: the least likely candidate on top, so
// it is the one a better token replaces.
bool MoreLikely(const std::pair<float, int32_t>& a,
                const std::pair<float, int32_t>& b) {
  return a.first != b.first ? a.first > b.first : a.second < b.second;
}

// Tokens per block of the passes over the vocabulary: small enough that a
// block's scratch stays in L1.
constexpr int32_t kBlock = 256;

// Below this, e^x underflows a float's normal range.
constexpr float kMinExponent = -87.0F;

// e^x for kMinExponent <= x <= 0, within about 2e-7 relative (a float's
// own precision). Range reduction x = n ln2 + r with |r| <= ln2 / 2 (ln2 in
// two parts, so n ln2 is exact enough), then 2^n * e^r with e^r from its
// Taylor series to r^6 (the first term left out is below 1.2e-7). No
// library call and no branch, unlike std::exp, so the loop calling it can
// be vectorised.
inline float ExpOfNonPositive(float x) {
  constexpr float kLog2E = 1.44269504F;
  constexpr float kLn2High = 0.693359375F;  // exact in a few bits
  constexpr float kLn2Low = -2.12194440e-4F;
  // Rounds x log2(e) <= 0 to the nearest integer: truncation toward zero
  // of y - 0.5 (one SSE2 instruction, where std::floor is a call).
  const auto whole = static_cast<int32_t>(x * kLog2E - 0.5F);
  const auto n = static_cast<float>(whole);
  const float r = (x - n * kLn2High) - n * kLn2Low;
  float taylor = 1.0F / 720;
  taylor = taylor * r + 1.0F / 120;
  taylor = taylor * r + 1.0F / 24;
  taylor = taylor * r + 1.0F / 6;
  taylor = taylor * r + 0.5F;
  taylor = taylor * r + 1.0F;
  taylor = taylor * r + 1.0F;
  // n is in [-126, 0]: 2^n is a normal float, built from its exponent bits.
  const int32_t exponent = whole + 127;
  return taylor * std::bit_cast<float>(exponent << 23);
}

// The largest of `values`, in independent lanes so the loop vectorises
// (std::max_element follows one running maximum). NaN never wins.
float MaxOf(const float* values, int32_t count) {
  constexpr int32_t kLanes = 8;
  std::array<float, kLanes> lanes;
  lanes.fill(-std::numeric_limits<float>::infinity());
  int32_t next = 0;
  for (; next + kLanes <= count; next += kLanes) {
    for (int32_t lane = 0; lane < kLanes; ++lane) {
      const float value = values[next + lane];
      lanes[lane] = value > lanes[lane] ? value : lanes[lane];
    }
  }
  for (; next < count; ++next) {
    lanes[0] = values[next] > lanes[0] ? values[next] : lanes[0];
  }
  float largest = lanes[0];
  for (const float lane : lanes) {
    largest = lane > largest ? lane : largest;
  }
  return largest;
}

}  // namespace

int32_t MostLikelyToken(const float* logits, int32_t vocabulary) {
  // One pass over the row, span by span, remembers the first span holding
  // the largest value; only that span is searched for its first occurrence.
  constexpr int32_t kSpan = 1024;
  float largest = -std::numeric_limits<float>::infinity();
  int32_t span_start = 0;
  for (int32_t start = 0; start < vocabulary; start += kSpan) {
    const float span_largest = MaxOf(logits + start, std::min(kSpan, vocabulary - start));
    if (span_largest > largest) {
      largest = span_largest;
      span_start = start;
    }
  }
  const float* const begin = logits + span_start;
  const float* const span_end = begin + std::min(kSpan, vocabulary - span_start);
  if (const float* const found = std::find(begin, span_end, largest); found != span_end) {
    return static_cast<int32_t>(found - logits);
  }
  // Only when no value beats -infinity (every logit NaN or ruled out): the
  // first -infinity, wherever it is, else 0.
  const float* const end = logits + vocabulary;
  const float* const found = std::find(logits, end, largest);
  return found == end ? 0 : static_cast<int32_t>(found - logits);
}

TokenScore ScoreToken(const float* logits, int32_t vocabulary, int32_t token,
                      int top_n) {
  TokenScore score;
  const float max_logit = MaxOf(logits, vocabulary);
  if (!std::isfinite(max_logit)) {
    score.logprob = TokenLogprob::kLogprobFloor;
    return score;
  }
  // Shifting by the maximum keeps every exp() in (0, 1]: no overflow for
  // large logits, and the largest term is exactly 1, so the sum is >= 1.
  // -infinity is clamped to kMinExponent, whose e^x is ~1e-38: a ruled-out
  // token adds nothing measurable, and no 0 * -inf makes a NaN.
  //
  // This pass over the vocabulary is the whole cost, so it runs in blocks
  // written to vectorise (about 3x faster than std::exp in a plain loop):
  // a branch-free exp over the block, then sums in independent lanes,
  // since without -ffast-math the compiler may not reorder one running
  // sum.
  constexpr int32_t kLanes = 8;
  std::array<float, kBlock> shifted{};
  std::array<float, kBlock> weights{};
  double sum = 0;
  double weighted = 0;  // sum of w_i * (l_i - max), for the entropy
  for (int32_t start = 0; start < vocabulary; start += kBlock) {
    const int32_t count = std::min(kBlock, vocabulary - start);
    for (int32_t j = 0; j < count; ++j) {
      // A select on values rather than std::max, which returns a
      // reference and keeps the compiler from vectorising.
      const float difference = logits[start + j] - max_logit;
      shifted[j] = difference < kMinExponent ? kMinExponent : difference;
      weights[j] = ExpOfNonPositive(shifted[j]);
    }
    for (int32_t j = count; j < kBlock; ++j) {
      weights[j] = 0;  // a short last block adds nothing
      shifted[j] = 0;
    }
    // Each lane sums 32 terms in float (off by at most ~2e-6 relative,
    // typically far less); blocks add up in double.
    std::array<float, kLanes> block_sums{};
    std::array<float, kLanes> block_weighted{};
    for (int32_t j = 0; j < kBlock; j += kLanes) {
      for (int32_t lane = 0; lane < kLanes; ++lane) {
        block_sums[lane] += weights[j + lane];
        block_weighted[lane] += weights[j + lane] * shifted[j + lane];
      }
    }
    for (int32_t lane = 0; lane < kLanes; ++lane) {
      sum += block_sums[lane];
      weighted += block_weighted[lane];
    }
  }
  const double log_sum = std::log(sum);
  const double log_normalizer = max_logit + log_sum;
  // H = -sum p_i ln p_i = ln(sum) - weighted / sum, with p_i = w_i / sum.
  score.entropy = std::max(0.0, log_sum - weighted / sum);
  const auto logprob_of = [log_normalizer](float logit) {
    const double logprob = static_cast<double>(logit) - log_normalizer;
    return std::isfinite(logprob)
               ? std::clamp(logprob, TokenLogprob::kLogprobFloor, 0.0)
               : TokenLogprob::kLogprobFloor;
  };
  score.logprob = logprob_of(logits[token]);

  const auto wanted = static_cast<size_t>(
      std::min<int64_t>(std::max(0, top_n), vocabulary));
  if (wanted == 0) {
    return score;
  }
  std::vector<std::pair<float, int32_t>> heap;
  heap.reserve(wanted);
  for (int32_t start = 0; start < vocabulary; start += kBlock) {
    const int32_t count = std::min(kBlock, vocabulary - start);
    // Once the heap is full, a block whose best logit is below the worst
    // kept holds no candidate, and one vectorised max tells: most blocks
    // are skipped without a comparison per token.
    if (heap.size() == wanted &&
        MaxOf(logits + start, count) < heap.front().first) {
      continue;
    }
    for (int32_t id = start; id < start + count; ++id) {
      const std::pair<float, int32_t> candidate{logits[id], id};
      if (heap.size() < wanted) {
        heap.push_back(candidate);
        std::push_heap(heap.begin(), heap.end(), MoreLikely);
      } else if (MoreLikely(candidate, heap.front())) {
        std::pop_heap(heap.begin(), heap.end(), MoreLikely);
        heap.back() = candidate;
        std::push_heap(heap.begin(), heap.end(), MoreLikely);
      }
    }
  }
  std::sort(heap.begin(), heap.end(), MoreLikely);
  score.top.reserve(heap.size());
  for (const auto& [logit, id] : heap) {
    score.top.emplace_back(id, logprob_of(logit));
  }
  return score;
}

void ConfidenceTally::Add(const TokenScore& score) {
  min_logprob_ = tokens_ == 0 ? score.logprob
                              : std::min(min_logprob_, score.logprob);
  ++tokens_;
  logprob_sum_ += score.logprob;
  entropy_sum_ += score.entropy;
  if (score.logprob < std::log(AnswerConfidence::kLowProbability)) {
    ++low_probability_;
  }
}

AnswerConfidence ConfidenceTally::Summary() const {
  AnswerConfidence confidence;
  confidence.tokens = tokens_;
  if (tokens_ == 0) {
    return confidence;
  }
  const auto count = static_cast<double>(tokens_);
  confidence.mean_logprob = logprob_sum_ / count;
  confidence.min_logprob = min_logprob_;
  confidence.low_probability_tokens = low_probability_;
  confidence.mean_entropy = entropy_sum_ / count;
  return confidence;
}

}  // namespace duet::llama
