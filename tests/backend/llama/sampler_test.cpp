// NewSampler's chain on hand-made logits (the tiny model's vocabulary):
// what logit_bias and the penalties do to the pick, step by step.
#include "backend/llama/sampler.h"

#include <gtest/gtest.h>

#include <vector>

#include "llama.h"

namespace duet::llama {
namespace {

class SamplerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    llama_log_set([](ggml_log_level, const char*, void*) {}, nullptr);
    llama_model_params params = llama_model_default_params();
    params.vocab_only = true;
    model_ = llama_model_load_from_file(DUET_TINY_MODEL, params);
    ASSERT_NE(model_, nullptr);
    vocab_ = llama_model_get_vocab(model_);
  }
  static void TearDownTestSuite() { llama_model_free(model_); }

  // The greedy pick of `chain` from logits that are 0 but for `high`,
  // which are 5; the pick is accepted into the chain, as the engine's
  // llama_sampler_sample does.
  static llama_token Pick(llama_sampler* chain,
                          const std::vector<llama_token>& high) {
    std::vector<llama_token_data> logits(
        static_cast<size_t>(llama_vocab_n_tokens(vocab_)));
    for (size_t i = 0; i < logits.size(); ++i) {
      logits[i] = {static_cast<llama_token>(i), 0.0f, 0.0f};
    }
    for (const llama_token token : high) {
      logits[static_cast<size_t>(token)].logit = 5.0f;
    }
    llama_token_data_array array = {logits.data(), logits.size(), -1, false};
    llama_sampler_apply(chain, &array);
    const llama_token picked = array.data[array.selected].id;
    llama_sampler_accept(chain, picked);
    return picked;
  }

  static llama_sampler* Chain(const SamplingParams& params) {
    Result<llama_sampler*> chain = NewSampler(params, 64, vocab_, nullptr);
    EXPECT_TRUE(chain.has_value()) << chain.error().message();
    return chain.value_or(nullptr);
  }

  static inline ::llama_model* model_ = nullptr;
  static inline const llama_vocab* vocab_ = nullptr;
};

TEST_F(SamplerTest, LogitBiasMovesTheGreedyPick) {
  SamplingParams params;
  params.temperature = 0;
  params.logit_bias = {{1000, -100.0}, {2000, 3.0}};
  llama_sampler* chain = Chain(params);
  ASSERT_NE(chain, nullptr);
  // 1000 and 3000 lead at 5; 1000 is banned, and 2000, raised to 3, stays
  // below 3000. Raised to 6 instead, 2000 wins.
  EXPECT_EQ(Pick(chain, {1000, 3000}), 3000);
  params.logit_bias = {{2000, 6.0}};
  llama_sampler_free(chain);
  chain = Chain(params);
  EXPECT_EQ(Pick(chain, {1000, 3000}), 2000);
  llama_sampler_free(chain);
}

// A frequency penalty of 2 takes 2 off a token's logit each time the answer
// has it, so two leaders at 5 alternate; a presence penalty counts a token
// once however often it was picked.
TEST_F(SamplerTest, PenaltiesLowerTokensTheAnswerAlreadyHas) {
  SamplingParams frequency;
  frequency.temperature = 0;
  frequency.frequency_penalty = 2.0;
  llama_sampler* chain = Chain(frequency);
  ASSERT_NE(chain, nullptr);
  // 1000 and 3000 lead at 5; ties go to the lower id.
  EXPECT_EQ(Pick(chain, {1000, 3000}), 1000);  // 1000 now at 3
  EXPECT_EQ(Pick(chain, {1000, 3000}), 3000);  // both at 3
  EXPECT_EQ(Pick(chain, {1000, 3000}), 1000);  // 1000 at 1, 3000 at 3
  EXPECT_EQ(Pick(chain, {1000, 3000}), 3000);  // 1000 at 1, 3000 at 1
  llama_sampler_free(chain);

  SamplingParams presence;
  presence.temperature = 0;
  presence.presence_penalty = 6.0;  // below 0 once picked, however often
  chain = Chain(presence);
  EXPECT_EQ(Pick(chain, {1000, 3000}), 1000);
  EXPECT_EQ(Pick(chain, {1000, 3000}), 3000);
  // Both are at -1 now, below every other token's 0.
  const llama_token third = Pick(chain, {1000, 3000});
  EXPECT_NE(third, 1000);
  EXPECT_NE(third, 3000);
  llama_sampler_free(chain);
}

// One token at 5 among tens of thousands at 0 is drawn about once in 200
// at temperature 1; min_p 0.5 leaves only it (the rest are e^-5 as likely).
TEST_F(SamplerTest, MinPDropsTokensFarLessLikelyThanTheLikeliest) {
  int drawn_without = 0;
  int drawn_with = 0;
  for (int64_t seed = 1; seed <= 20; ++seed) {
    SamplingParams params;
    params.temperature = 1.0;
    params.seed = seed;
    llama_sampler* chain = Chain(params);
    drawn_without += Pick(chain, {1000}) == 1000 ? 1 : 0;
    llama_sampler_free(chain);
    params.min_p = 0.5;
    chain = Chain(params);
    drawn_with += Pick(chain, {1000}) == 1000 ? 1 : 0;
    llama_sampler_free(chain);
  }
  EXPECT_LE(drawn_without, 2);
  EXPECT_EQ(drawn_with, 20);
}

TEST_F(SamplerTest, ATokenOutsideTheVocabularyIsRefused) {
  SamplingParams params;
  params.logit_bias = {{llama_vocab_n_tokens(vocab_), 1.0}};
  const Result<llama_sampler*> chain = NewSampler(params, 64, vocab_, nullptr);
  ASSERT_FALSE(chain.has_value());
  EXPECT_EQ(chain.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace duet::llama
