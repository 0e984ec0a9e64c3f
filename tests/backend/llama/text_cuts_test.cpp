#include "backend/llama/text_cuts.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "backend/llama/prompt_tokenizer.h"
#include "backend/llama/shipped_vocabularies.h"
#include "llama.h"

namespace duet::llama {
namespace {

// Random texts made of what sits on either side of a cut in real prompts:
// words, every kind of whitespace before and after them, punctuation,
// digits, contractions, non-ASCII letters and the model's special tokens.
std::string RandomText(const ::llama_vocab* vocab, std::mt19937* random) {
  static const std::vector<std::string> kPieces = {
      "hello", "World", " the", "x", "Q", "'s", "'T", "don't", "12", "7", "!",
      ".", ",", "(", ")", "\"", "#", "-", "_x", " ", "  ", "\n", "\n\n", "\t",
      "\r\n", " \n", "\n ", "wörld", "Ärger", "日本", "😀", "\xc2\xa0",
      // what makes a cut likely: a line's ends, a word after a letter
      "a\n", "\nB", ".\n", "\n(", "ok go", " to"};
  std::vector<std::string> pieces = kPieces;
  for (std::string& special : SpecialTokenTexts(vocab, 6)) {
    pieces.push_back(std::move(special));
  }
  std::string text;
  const int count = std::uniform_int_distribution<int>(1, 80)(*random);
  for (int i = 0; i < count; ++i) {
    text += pieces[std::uniform_int_distribution<size_t>(
        0, pieces.size() - 1)(*random)];
  }
  return text;
}

class TextCutsVocabTest : public ::testing::TestWithParam<std::string> {};

// The property the cuts exist for, at every place a cut is allowed.
TEST_P(TextCutsVocabTest, TextCutAtEveryAllowedPlaceTokenisesAsTheWholeText) {
  VocabPtr model = LoadVocab(GetParam());
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  const TextCuts cuts(model.get());
  std::mt19937 random(11);
  size_t cut_count = 0;
  for (int i = 0; i < 300; ++i) {
    const std::string text = RandomText(vocab, &random);
    const std::vector<std::string_view> pieces = cuts.Split(text, 0);
    cut_count += pieces.size() - 1;
    std::vector<int32_t> joined;
    for (std::string_view piece : pieces) {
      Result<std::vector<int32_t>> tokens = TokenizeText(vocab, piece);
      ASSERT_TRUE(tokens.has_value());
      joined.insert(joined.end(), tokens->begin(), tokens->end());
    }
    Result<std::vector<int32_t>> whole = TokenizeText(vocab, text);
    ASSERT_TRUE(whole.has_value());
    ASSERT_EQ(joined, *whole)
        << GetParam() << ", cut into " << pieces.size() << ": " << text;
  }
  EXPECT_EQ(cut_count > 0, cuts.any()) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(EveryShippedVocabulary, TextCutsVocabTest,
                         EveryShippedVocabulary(), VocabTestName);

// Which tokenizers get which cuts: the byte-level BPE ones read for it get
// both, gemma 4's (whose words hold spaces) only the newline cut, and
// SentencePiece and WordPiece none.
TEST(TextCutsTest, OnlyTokenizersReadForItAreCut) {
  struct Case {
    const char* vocab;
    bool after_newline;
    bool before_space;
  };
  for (const Case& c : {Case{"ggml-vocab-qwen2.gguf", true, true},
                        Case{"ggml-vocab-llama-bpe.gguf", true, true},
                        Case{"ggml-vocab-gpt-2.gguf", true, true},
                        Case{"ggml-vocab-deepseek-llm.gguf", true, true},
                        Case{"ggml-vocab-gemma-4.gguf", true, false},
                        Case{"ggml-vocab-llama-spm.gguf", false, false},
                        Case{"ggml-vocab-phi-3.gguf", false, false},
                        Case{"ggml-vocab-bert-bge.gguf", false, false}}) {
    VocabPtr model = LoadVocab(c.vocab);
    ASSERT_NE(model, nullptr) << c.vocab;
    const TextCuts cuts(model.get());
    EXPECT_EQ(cuts.after_newline(), c.after_newline) << c.vocab;
    EXPECT_EQ(cuts.before_space(), c.before_space) << c.vocab;
  }
}

TEST(TextCutsTest,
     CutsAfterANewlineBetweenVisibleCharactersAndBeforeASpaceBetweenLetters) {
  VocabPtr model = LoadVocab("ggml-vocab-qwen2.gguf");
  ASSERT_NE(model, nullptr);
  const TextCuts cuts(model.get());
  ASSERT_TRUE(cuts.after_newline() && cuts.before_space());
  const auto cut_places = [&](std::string_view text) {
    std::vector<size_t> places;
    for (size_t at = 0; at <= text.size(); ++at) {
      if (cuts.IsCut(text, at)) {
        places.push_back(at);
      }
    }
    return places;
  };
  EXPECT_EQ(cut_places("end.\nNext"), (std::vector<size_t>{5}));
  EXPECT_EQ(cut_places("a\n#"), (std::vector<size_t>{2}));
  EXPECT_EQ(cut_places("word next"), (std::vector<size_t>{4}));
  // Whitespace on either side of the newline, a blank line, a space next to
  // anything but letters, and the text's ends are no cuts.
  for (std::string_view text :
       {" \nx", "x\n x", "x\n\nx", "x\r\nx", "x  y", "x 1", "1 x", "x. y",
        "\nx", "x\n", " x", "x "}) {
    EXPECT_TRUE(cut_places(text).empty()) << text;
  }
}

TEST(TextCutsTest, SplitGivesPiecesOfAtLeastTheAskedSizeThatMakeUpTheText) {
  VocabPtr model = LoadVocab("ggml-vocab-qwen2.gguf");
  ASSERT_NE(model, nullptr);
  const TextCuts cuts(model.get());
  std::string text;
  for (int line = 0; line < 200; ++line) {
    text += "Line " + std::to_string(line) + " says something.\n";
  }
  const std::vector<std::string_view> pieces = cuts.Split(text, 300);
  ASSERT_GT(pieces.size(), 10u);
  std::string joined;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i + 1 < pieces.size()) {
      EXPECT_GE(pieces[i].size(), 300u);
      EXPECT_LT(pieces[i].size(),
                310u);  // the next word or line ends soon after
    }
    joined += pieces[i];
  }
  EXPECT_EQ(joined, text);
  // Text with nowhere to cut, and text no longer than a piece, stay whole.
  EXPECT_EQ(cuts.Split(std::string(5000, 'x'), 300).size(), 1u);
  EXPECT_EQ(cuts.Split("short text\nhere", 300).size(), 1u);
}

}  // namespace
}  // namespace duet::llama
