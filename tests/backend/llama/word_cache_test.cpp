#include "backend/llama/word_cache.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "backend/llama/prompt_tokenizer.h"
#include "backend/llama/shipped_vocabularies.h"
#include "backend/llama/text_cuts.h"
#include "llama.h"

namespace duet::llama {
namespace {

// Texts made of a few words again and again, with punctuation, whitespace
// of every sort, non-ASCII text and the vocabulary's special tokens.
std::vector<std::string> RepetitiveTexts(const ::llama_model* model, int count,
                                         unsigned seed) {
  std::vector<std::string> fragments = {
      " the",   " cat", "sat",   " on", "The", " mat", ".",    ",",
      "\n",     "\n\n", "Hello", "  ",  "\t",  "'s",   " 123", "x",
      " wörld", "日本", " \n",   "!",   "<",   "|>"};
  for (std::string& special :
       SpecialTokenTexts(llama_model_get_vocab(model), 4)) {
    fragments.push_back(std::move(special));
  }
  std::mt19937 random(seed);
  std::vector<std::string> texts;
  for (int i = 0; i < count; ++i) {
    std::string text;
    const int length = std::uniform_int_distribution<int>(1, 80)(random);
    for (int k = 0; k < length; ++k) {
      text += fragments[std::uniform_int_distribution<size_t>(
          0, fragments.size() - 1)(random)];
    }
    texts.push_back(std::move(text));
  }
  return texts;
}

class WordCacheVocabTest : public ::testing::TestWithParam<std::string> {};

// Words learned from one text and looked up in the next give the whole
// text's tokens, for every tokenizer duet may load.
TEST_P(WordCacheVocabTest, TokensMatchTheWholeTextsTokens) {
  VocabPtr model = LoadVocab(GetParam());
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  const TextCuts cuts(model.get());
  WordCache cache(vocab, &cuts, {});
  for (const std::string& text : RepetitiveTexts(model.get(), 200, 5)) {
    Result<std::vector<int32_t>> tokens = cache.Tokenize(text);
    ASSERT_TRUE(tokens.has_value());
    ASSERT_EQ(*tokens, *TokenizeText(vocab, text))
        << GetParam() << ": " << text;
  }
  if (cuts.any()) {
    EXPECT_GT(cache.stats().words_reused, 0u) << GetParam();
  } else {
    EXPECT_EQ(cache.stats().words_kept, 0u) << GetParam();
  }
}

INSTANTIATE_TEST_SUITE_P(EveryShippedVocabulary, WordCacheVocabTest,
                         EveryShippedVocabulary(), VocabTestName);

TEST(WordCacheTest, AWordSeenBeforeIsLookedUp) {
  VocabPtr model = LoadVocab("ggml-vocab-qwen2.gguf");
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  const TextCuts cuts(model.get());
  WordCache cache(vocab, &cuts, {});
  ASSERT_TRUE(cache.Tokenize("Alpha beta gamma delta").has_value());
  EXPECT_EQ(cache.stats().words_kept,
            4u);  // "Alpha", " beta", " gamma", " delta"
  EXPECT_EQ(cache.stats().words_reused, 0u);

  // "delta" without its space is a word of its own; " gamma" and " beta"
  // are the ones seen.
  const std::string text = "delta gamma beta Alpha";
  Result<std::vector<int32_t>> tokens = cache.Tokenize(text);
  ASSERT_TRUE(tokens.has_value());
  EXPECT_EQ(*tokens, *TokenizeText(vocab, text));
  EXPECT_EQ(cache.stats().words_reused, 2u);
  EXPECT_EQ(cache.stats().bytes_reused, std::string(" gamma beta").size());
  EXPECT_EQ(cache.stats().words_kept, 6u);  // and "delta", " Alpha"
}

TEST(WordCacheTest, KeepsNoMoreWordsThanItsBoundNorLongerOnes) {
  VocabPtr model = LoadVocab("ggml-vocab-qwen2.gguf");
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  const TextCuts cuts(model.get());
  WordCache bounded(vocab, &cuts, {.max_words = 3});
  const std::string text =
      "one two three four five six " + std::string(40, 'z') + " end";
  Result<std::vector<int32_t>> tokens = bounded.Tokenize(text);
  ASSERT_TRUE(tokens.has_value());
  EXPECT_EQ(*tokens, *TokenizeText(vocab, text));
  EXPECT_EQ(bounded.stats().words_kept, 3u);

  WordCache short_words(vocab, &cuts, {.max_word_bytes = 8});
  ASSERT_TRUE(short_words.Tokenize(text).has_value());
  EXPECT_EQ(short_words.stats().words_kept, 7u);  // not the 41 bytes of z

  WordCache none(vocab, &cuts, {.max_words = 0});
  tokens = none.Tokenize(text);
  ASSERT_TRUE(tokens.has_value());
  EXPECT_EQ(*tokens, *TokenizeText(vocab, text));
  EXPECT_EQ(none.stats().words_kept, 0u);
}

TEST(WordCacheTest, ASentencePieceVocabularyIsTokenisedWhole) {
  VocabPtr model = LoadVocab("ggml-vocab-llama-spm.gguf");
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  const TextCuts cuts(model.get());
  WordCache cache(vocab, &cuts, {});
  for (int pass = 0; pass < 2; ++pass) {
    Result<std::vector<int32_t>> tokens =
        cache.Tokenize("the cat sat on the mat");
    ASSERT_TRUE(tokens.has_value());
    EXPECT_EQ(*tokens, *TokenizeText(vocab, "the cat sat on the mat"));
  }
  EXPECT_EQ(cache.stats().words_kept, 0u);
  EXPECT_EQ(cache.stats().words_reused, 0u);
}

}  // namespace
}  // namespace duet::llama
