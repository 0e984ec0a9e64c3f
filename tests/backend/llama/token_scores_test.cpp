// ScoreToken and ConfidenceTally on hand-made logit rows, checked against
// log-softmax and entropy computed the obvious way (in double, with
// std::exp; ScoreToken's faster float pass agrees to about 1e-7).
#include "backend/llama/token_scores.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace duet::llama {
namespace {

// ln softmax(logits)[token], the textbook way (fine for small logits).
double NaiveLogprob(const std::vector<float>& logits, int token) {
  double sum = 0;
  for (const float logit : logits) {
    sum += std::exp(static_cast<double>(logit));
  }
  return static_cast<double>(logits[static_cast<size_t>(token)]) -
         std::log(sum);
}

constexpr double kTolerance = 1e-6;

TokenScore Score(const std::vector<float>& logits, int token, int top_n = 0) {
  return ScoreToken(logits.data(), static_cast<int32_t>(logits.size()), token,
                    top_n);
}

TEST(ScoreTokenTest, LogprobIsTheLogSoftmaxOfTheRawLogits) {
  const std::vector<float> logits = {1.5F, -0.25F, 3.0F, 0.0F, 2.0F};
  for (int token = 0; token < 5; ++token) {
    EXPECT_NEAR(Score(logits, token).logprob, NaiveLogprob(logits, token), kTolerance)
        << token;
  }
  double total = 0;
  for (int token = 0; token < 5; ++token) {
    total += std::exp(Score(logits, token).logprob);
  }
  EXPECT_NEAR(total, 1.0, kTolerance);
}

TEST(ScoreTokenTest, HugeLogitsDoNotOverflow) {
  // exp(1000) overflows a double; shifting by the maximum must not care.
  const std::vector<float> logits = {1000.0F, 999.0F, 998.0F};
  const std::vector<float> shifted = {2.0F, 1.0F, 0.0F};
  for (int token = 0; token < 3; ++token) {
    EXPECT_NEAR(Score(logits, token).logprob, NaiveLogprob(shifted, token), kTolerance);
  }
  EXPECT_NEAR(Score(logits, 0).entropy, Score(shifted, 0).entropy, 1e-9);
}

TEST(ScoreTokenTest, EntropyIsZeroWhenCertainAndLogNWhenUniform) {
  const std::vector<float> uniform(8, 0.5F);
  EXPECT_NEAR(Score(uniform, 3).entropy, std::log(8.0), kTolerance);
  EXPECT_NEAR(Score(uniform, 3).logprob, -std::log(8.0), kTolerance);
  const std::vector<float> certain = {0.0F, 200.0F, 0.0F};
  EXPECT_NEAR(Score(certain, 1).entropy, 0.0, kTolerance);
  EXPECT_NEAR(Score(certain, 1).logprob, 0.0, kTolerance);
}

TEST(ScoreTokenTest, RuledOutTokensHaveProbabilityZeroAndTheFloor) {
  const float minus_infinity = -std::numeric_limits<float>::infinity();
  const std::vector<float> logits = {0.0F, minus_infinity, 0.0F};
  const TokenScore ruled_out = Score(logits, 1, 3);
  EXPECT_EQ(ruled_out.logprob, TokenLogprob::kLogprobFloor);
  EXPECT_NEAR(ruled_out.entropy, std::log(2.0), kTolerance);  // not NaN
  EXPECT_NEAR(Score(logits, 0).logprob, std::log(0.5), kTolerance);
  ASSERT_EQ(ruled_out.top.size(), 3u);
  EXPECT_EQ(ruled_out.top[2].first, 1);
  EXPECT_EQ(ruled_out.top[2].second, TokenLogprob::kLogprobFloor);

  const std::vector<float> nothing(4, minus_infinity);
  EXPECT_EQ(Score(nothing, 2).logprob, TokenLogprob::kLogprobFloor);
  EXPECT_EQ(Score(nothing, 2).entropy, 0.0);
}

TEST(ScoreTokenTest, LargeVocabulariesAgreeWithTheNaiveComputation) {
  // An odd size (a partial last block and lane), spread-out logits, and a
  // few ruled-out tokens, like a real model's row under a logit bias.
  std::mt19937 random(7);
  std::normal_distribution<float> spread(0.0F, 4.0F);
  std::vector<float> logits(100'003);
  for (float& logit : logits) {
    logit = spread(random);
  }
  for (const size_t ruled_out : {0UL, 5'000UL, 100'002UL}) {
    logits[ruled_out] = -std::numeric_limits<float>::infinity();
  }
  double max = -1e30;
  for (const float logit : logits) {
    max = std::max(max, static_cast<double>(logit));
  }
  double sum = 0;
  double weighted = 0;
  for (const float logit : logits) {
    if (std::isfinite(logit)) {
      const double weight = std::exp(logit - max);
      sum += weight;
      weighted += weight * (logit - max);
    }
  }
  const double log_normalizer = max + std::log(sum);
  const double entropy = std::log(sum) - weighted / sum;
  for (const int token : {1, 777, 50'000, 100'001}) {
    const TokenScore score = Score(logits, token);
    EXPECT_NEAR(score.logprob, logits[static_cast<size_t>(token)] - log_normalizer,
                kTolerance)
        << token;
    EXPECT_NEAR(score.entropy, entropy, kTolerance);
  }
  EXPECT_EQ(Score(logits, 5'000).logprob, TokenLogprob::kLogprobFloor);

  // The alternatives are the 20 largest logits, as a full sort finds them.
  std::vector<int32_t> order(logits.size());
  for (size_t id = 0; id < order.size(); ++id) {
    order[id] = static_cast<int32_t>(id);
  }
  std::sort(order.begin(), order.end(), [&logits](int32_t a, int32_t b) {
    return logits[static_cast<size_t>(a)] > logits[static_cast<size_t>(b)];
  });
  const TokenScore with_top = Score(logits, 1, 20);
  ASSERT_EQ(with_top.top.size(), 20u);
  for (size_t rank = 0; rank < 20; ++rank) {
    EXPECT_EQ(with_top.top[rank].first, order[rank]) << rank;
  }
}

TEST(ScoreTokenTest, TopAlternativesAreTheMostLikelyInOrder) {
  const std::vector<float> logits = {0.1F, 5.0F, -2.0F, 4.0F, 5.0F, 3.0F, 0.0F};
  const TokenScore score = Score(logits, 6, 4);
  ASSERT_EQ(score.top.size(), 4u);
  // Ties keep the lower id first.
  EXPECT_EQ(score.top[0].first, 1);
  EXPECT_EQ(score.top[1].first, 4);
  EXPECT_EQ(score.top[2].first, 3);
  EXPECT_EQ(score.top[3].first, 5);
  for (const auto& [id, logprob] : score.top) {
    EXPECT_NEAR(logprob, NaiveLogprob(logits, id), kTolerance) << id;
  }
  EXPECT_TRUE(Score(logits, 6, 0).top.empty());
  EXPECT_EQ(Score(logits, 6, 100).top.size(), logits.size());
}

int32_t MostLikely(const std::vector<float>& logits) {
  return MostLikelyToken(logits.data(), static_cast<int32_t>(logits.size()));
}

TEST(MostLikelyTokenTest, AgreesWithMaxElementOnRandomRowsOfEverySize) {
  std::mt19937 random(7);
  std::normal_distribution<float> logit(0.0F, 4.0F);
  for (const int size : {1, 2, 7, 8, 9, 15, 16, 17, 255, 256, 257, 1000, 151936}) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<float> logits(static_cast<size_t>(size));
      for (float& value : logits) {
        value = logit(random);
      }
      const auto expected = std::max_element(logits.begin(), logits.end()) - logits.begin();
      EXPECT_EQ(MostLikely(logits), expected) << "size " << size << " trial " << trial;
    }
  }
}

TEST(MostLikelyTokenTest, FindsTheMaximumAtEitherEndAndTheFirstOfEqualMaxima) {
  std::vector<float> logits(1001, -1.0F);
  logits.back() = 3.0F;  // in the tail after the last whole lane group
  EXPECT_EQ(MostLikely(logits), 1000);
  logits.front() = 3.0F;
  EXPECT_EQ(MostLikely(logits), 0);
  logits.front() = -1.0F;
  logits[500] = 3.0F;
  EXPECT_EQ(MostLikely(logits), 500);
  // -0 and +0 compare equal: the first one wins, whichever sign it has.
  std::vector<float> zeros(40, -1.0F);
  zeros[21] = -0.0F;
  zeros[30] = 0.0F;
  EXPECT_EQ(MostLikely(zeros), 21);
}

TEST(MostLikelyTokenTest, TheFirstOfEqualMaximaWinsAcrossSpansOfTheRow) {
  // The row is read in spans of 1,024: maxima in different spans, at span
  // edges, and a larger value in a later span.
  std::vector<float> logits(151936, -1.0F);
  logits[5000] = 2.0F;
  logits[1023] = 2.0F;
  logits[1024] = 2.0F;
  EXPECT_EQ(MostLikely(logits), 1023);
  logits[151935] = 2.5F;
  EXPECT_EQ(MostLikely(logits), 151935);
  logits[2048] = 2.5F;
  EXPECT_EQ(MostLikely(logits), 2048);
  std::vector<float> zeros(3000, -1.0F);
  zeros[2999] = 0.0F;
  zeros[1500] = -0.0F;
  EXPECT_EQ(MostLikely(zeros), 1500);
}

TEST(MostLikelyTokenTest, NanNeverWinsAndRulesOutNothing) {
  constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
  constexpr float kInfinity = std::numeric_limits<float>::infinity();
  std::vector<float> logits(64, kNan);
  logits[40] = -5.0F;
  logits[41] = -2.0F;
  EXPECT_EQ(MostLikely(logits), 41);
  EXPECT_EQ(MostLikely(std::vector<float>(64, kNan)), 0);
  // Every token ruled out: the first, as std::max_element gives.
  EXPECT_EQ(MostLikely(std::vector<float>(64, -kInfinity)), 0);
  std::vector<float> ruled_out(64, -kInfinity);
  ruled_out[63] = kInfinity;
  EXPECT_EQ(MostLikely(ruled_out), 63);
  // No value above -infinity in the first span: the first -infinity
  // anywhere in the row, as std::max_element would give among non-NaN.
  std::vector<float> late(5000, kNan);
  late[4000] = -kInfinity;
  late[4500] = -kInfinity;
  EXPECT_EQ(MostLikely(late), 4000);
  late[4999] = -3.0F;
  EXPECT_EQ(MostLikely(late), 4999);
}

TEST(ConfidenceTallyTest, SummarisesMeanMinimumLowShareAndEntropy) {
  EXPECT_EQ(ConfidenceTally().Summary(), AnswerConfidence());
  ConfidenceTally tally;
  // p = 0.9, 0.5, 0.05, 0.01: the last two are below kLowProbability.
  for (const double p : {0.9, 0.5, 0.05, 0.01}) {
    TokenScore score;
    score.logprob = std::log(p);
    score.entropy = 1.0 - p;
    tally.Add(score);
  }
  const AnswerConfidence summary = tally.Summary();
  EXPECT_EQ(summary.tokens, 4);
  EXPECT_NEAR(summary.mean_logprob,
              (std::log(0.9) + std::log(0.5) + std::log(0.05) + std::log(0.01)) / 4,
              1e-12);
  EXPECT_DOUBLE_EQ(summary.min_logprob, std::log(0.01));
  EXPECT_EQ(summary.low_probability_tokens, 2);
  EXPECT_DOUBLE_EQ(summary.low_probability_share(), 0.5);
  EXPECT_NEAR(summary.mean_entropy, (0.1 + 0.5 + 0.95 + 0.99) / 4, 1e-12);
}

}  // namespace
}  // namespace duet::llama
