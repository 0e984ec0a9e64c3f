#include "backend/llama/prompt_tokenizer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "backend/llama/shipped_vocabularies.h"
#include "backend/llama/text_cuts.h"
#include "llama.h"

namespace duet::llama {
namespace {

// Pieces of the texts templates write: words, whitespace of every sort,
// the boundary and other special tokens (PieceText puts them in every
// neighbourhood).
std::vector<std::string> TemplatePieces(const ::llama_model* model,
                                        const std::string& boundary) {
  std::vector<std::string> pieces = {
      "hello", " world", "wörld", "日本語", "12345", "x",    "'s",
      "!!",    "...",    " ",     "  ",     "\n",    "\n\n", "\t",
      " \n ",  "\r\n",   "<",     ">",      "|",     "<|"};
  for (std::string& special : SpecialTokenTexts(llama_model_get_vocab(model), 8)) {
    pieces.push_back(std::move(special));
  }
  if (!boundary.empty()) {
    for (int i = 0; i < 4; ++i) {
      pieces.push_back(boundary);  // often, so it meets every neighbour
    }
  }
  return pieces;
}

// About 16 KiB of contract: lines of words, which byte-level BPE
// tokenizers allow cutting.
std::string LongDocument() {
  std::string document;
  for (int line = 0; line < 400; ++line) {
    document +=
        "Clause " + std::to_string(line) + ": the party shall deliver goods.\n";
  }
  return document;
}

class PromptTokenizerVocabTest : public ::testing::TestWithParam<std::string> {
};

TEST_P(PromptTokenizerVocabTest,
       TokensMatchTheWholeTextsTokensFirstTimeAndFromTheCache) {
  VocabPtr model = LoadVocab(GetParam());
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  PromptTokenizer tokenizer(model.get());
  PieceText maker(TemplatePieces(model.get(), tokenizer.boundary()), 60, 7);
  for (int i = 0; i < 150; ++i) {
    const std::string text = maker.Make();
    Result<std::vector<int32_t>> whole = TokenizeText(vocab, text);
    ASSERT_TRUE(whole.has_value());
    for (int pass = 0; pass < 2; ++pass) {
      Result<std::vector<int32_t>> tokens = tokenizer.Tokenize(text);
      ASSERT_TRUE(tokens.has_value());
      ASSERT_EQ(*tokens, *whole)
          << GetParam() << ", pass " << pass << ": " << text;
    }
  }
  if (!tokenizer.boundary().empty()) {
    EXPECT_GT(tokenizer.stats().pieces_reused, 0u);
  }
}

// The same texts with every prompt's new pieces tokenised side by side, by
// started threads and by this thread's OpenMP team in turn.
TEST_P(PromptTokenizerVocabTest,
       PiecesTokenisedSideBySideMatchTheWholeTextsTokens) {
  VocabPtr model = LoadVocab(GetParam());
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  PromptTokenizer tokenizer(model.get(), {.threads = 4, .parallel_bytes = 0});
  PieceText maker(TemplatePieces(model.get(), tokenizer.boundary()), 60, 9);
  for (int i = 0; i < 100; ++i) {
    const std::string text = maker.Make();
    const Helpers helpers = i % 2 == 0 ? Helpers::kNewThreads : Helpers::kComputeTeam;
    Result<std::vector<int32_t>> tokens =
        tokenizer.Tokenize(text, {.threads = 4, .helpers = helpers});
    ASSERT_TRUE(tokens.has_value());
    ASSERT_EQ(*tokens, *TokenizeText(vocab, text))
        << GetParam() << ": " << text;
  }
  if (!tokenizer.boundary().empty()) {
    EXPECT_GT(tokenizer.stats().parallel_prompts, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryShippedVocabulary, PromptTokenizerVocabTest,
                         EveryShippedVocabulary(), VocabTestName);

TEST(PromptTokenizerTest, ChatModelsSplitAtTheirEndOfTurnToken) {
  for (const char* file :
       {"ggml-vocab-qwen2.gguf", "ggml-vocab-llama-spm.gguf",
        "ggml-vocab-llama-bpe.gguf", "ggml-vocab-command-r.gguf"}) {
    VocabPtr model = LoadVocab(file);
    ASSERT_NE(model, nullptr);
    const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
    PromptTokenizer tokenizer(model.get());
    ASSERT_FALSE(tokenizer.boundary().empty()) << file;
    Result<std::vector<int32_t>> token =
        TokenizeText(vocab, tokenizer.boundary());
    ASSERT_TRUE(token.has_value());
    ASSERT_EQ(token->size(), 1u) << file;
    const llama_token end = llama_vocab_eot(vocab) != LLAMA_TOKEN_NULL
                                ? llama_vocab_eot(vocab)
                                : llama_vocab_eos(vocab);
    EXPECT_EQ(token->front(), end) << file;
  }
}

// Gemma 4 marks three tokens end-of-generation; its template closes every
// message with <turn|>.
TEST(PromptTokenizerTest,
     TheEndOfGenerationTokenTheTemplateWritesMostIsTheBoundary) {
  VocabPtr model = LoadVocab("ggml-vocab-gemma-4.gguf");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(PromptTokenizer(model.get()).boundary(), "<turn|>");
}

// Phi-3's <|end|> strips the whitespace after it, so text cut after it
// would keep whitespace the whole text's tokens drop.
TEST(PromptTokenizerTest,
     AnEndOfTurnTokenThatStripsWhitespaceIsNotTheBoundary) {
  VocabPtr model = LoadVocab("ggml-vocab-phi-3.gguf");
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  ASSERT_STREQ(llama_vocab_get_text(vocab, llama_vocab_eot(vocab)), "<|end|>");
  ASSERT_NE(llama_vocab_get_attr(vocab, llama_vocab_eot(vocab)) &
                LLAMA_TOKEN_ATTR_RSTRIP,
            0);
  EXPECT_NE(PromptTokenizer(model.get()).boundary(), "<|end|>");
}

TEST(PromptTokenizerTest, AWordPieceVocabularyIsTokenisedWhole) {
  VocabPtr model = LoadVocab("ggml-vocab-bert-bge.gguf");
  ASSERT_NE(model, nullptr);
  PromptTokenizer tokenizer(model.get());
  EXPECT_EQ(tokenizer.boundary(), "");
  ASSERT_TRUE(tokenizer.Tokenize("hello [SEP] world [SEP] again").has_value());
  EXPECT_EQ(tokenizer.stats().pieces_reused, 0u);
}

// A conversation that grows by a turn: only the new message and the new
// ending are tokenised.
TEST(PromptTokenizerTest, TheNextTurnTokenisesOnlyWhatIsNew) {
  VocabPtr model = LoadVocab("ggml-vocab-qwen2.gguf");
  ASSERT_NE(model, nullptr);
  PromptTokenizer tokenizer(model.get());
  const std::string& end = tokenizer.boundary();
  ASSERT_EQ(end, "<|im_end|>");
  const std::string first = "<|im_start|>system\nYou are terse." + end;
  const std::string second = "\n<|im_start|>user\nWhat is 2+2?" + end;
  const std::string third = "\n<|im_start|>assistant\n4" + end;
  const std::string opening = "\n<|im_start|>assistant\n";
  const std::string fourth = "\n<|im_start|>user\nAnd 3+3?" + end;

  const std::string turn1 = first + second + opening;
  ASSERT_TRUE(tokenizer.Tokenize(turn1).has_value());
  EXPECT_EQ(tokenizer.stats().bytes_tokenised, turn1.size());
  EXPECT_EQ(tokenizer.stats().bytes_reused, 0u);

  const std::string turn2 = first + second + third + fourth + opening;
  Result<std::vector<int32_t>> tokens = tokenizer.Tokenize(turn2);
  ASSERT_TRUE(tokens.has_value());
  EXPECT_EQ(*tokens, *TokenizeText(llama_model_get_vocab(model.get()), turn2));
  const PromptTokenizer::Stats stats = tokenizer.stats();
  EXPECT_EQ(stats.pieces_reused, 2u);
  EXPECT_EQ(stats.bytes_reused, first.size() + second.size());
  EXPECT_EQ(stats.bytes_tokenised,
            turn1.size() + third.size() + fourth.size() + opening.size());
}

TEST(PromptTokenizerTest, ACacheTooSmallForThePiecesStillTokenisesRight) {
  VocabPtr model = LoadVocab("ggml-vocab-qwen2.gguf");
  ASSERT_NE(model, nullptr);
  // Room for one short message, not two, and not for the long one.
  PromptTokenizer tokenizer(model.get(), {.cache_bytes = 160});
  const std::string& end = tokenizer.boundary();
  const std::string a = "first message" + end;
  const std::string b = "second message" + end;
  const std::string big = std::string(400, 'z') + end;
  const std::string text = a + b + big;
  const std::vector<int32_t> whole =
      *TokenizeText(llama_model_get_vocab(model.get()), text);
  for (int pass = 0; pass < 3; ++pass) {
    Result<std::vector<int32_t>> tokens = tokenizer.Tokenize(text);
    ASSERT_TRUE(tokens.has_value());
    EXPECT_EQ(*tokens, whole);
  }
  // Each pass keeps its new messages in order, so the cache ends with the
  // later one that fits (b, a, b), and never the big one: the second pass
  // reads b from it, the third a.
  EXPECT_EQ(tokenizer.stats().bytes_reused, a.size() + b.size());
  EXPECT_EQ(tokenizer.stats().bytes_tokenised,
            3 * text.size() - a.size() - b.size());

  ASSERT_TRUE(tokenizer.Tokenize(b + "tail").has_value());  // b is the one kept
  EXPECT_EQ(tokenizer.stats().bytes_reused, a.size() + 2 * b.size());
}

// A long conversation seen for the first time: its messages are tokenised
// side by side, only when there is enough new text, and to the same tokens.
TEST(PromptTokenizerTest, ALongNewConversationIsTokenisedSideBySide) {
  VocabPtr model = LoadVocab("ggml-vocab-qwen2.gguf");
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  PromptTokenizer tokenizer(model.get(),
                            {.threads = 3, .parallel_bytes = 4096});
  const std::string& end = tokenizer.boundary();
  std::string conversation;
  for (int turn = 0; turn < 24; ++turn) {
    conversation +=
        "\n<|im_start|>" + std::string(turn % 2 ? "assistant" : "user") +
        "\nTurn " + std::to_string(turn) + ": " +
        std::string(static_cast<size_t>(50 + 37 * turn), 'a' + turn % 26) + end;
  }
  const std::string text = conversation + "\n<|im_start|>assistant\n";
  ASSERT_GT(text.size(), 4096u);

  Result<std::vector<int32_t>> tokens = tokenizer.Tokenize(text);
  ASSERT_TRUE(tokens.has_value());
  EXPECT_EQ(*tokens, *TokenizeText(vocab, text));
  EXPECT_EQ(tokenizer.stats().parallel_prompts, 1u);

  // The next turn: everything but the new message is cached, too little to
  // share out.
  const std::string next = conversation + "\n<|im_start|>user\nAnd now?" + end +
                           "\n<|im_start|>assistant\n";
  tokens = tokenizer.Tokenize(next);
  ASSERT_TRUE(tokens.has_value());
  EXPECT_EQ(*tokens, *TokenizeText(vocab, next));
  EXPECT_EQ(tokenizer.stats().parallel_prompts, 1u);
  EXPECT_EQ(tokenizer.stats().pieces_reused, 24u);
}

// By default a new question of a few thousand tokens is tokenised by the
// caller alone (the team's end waits for its slowest thread: see the
// header); a pasted document of 16 KiB and more is shared out.
TEST(PromptTokenizerTest, OnlyLongNewTextIsSharedOutByDefault) {
  VocabPtr model = LoadVocab("ggml-vocab-qwen2.gguf");
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  PromptTokenizer tokenizer(model.get(), {.threads = 2});
  const std::string question = "<|im_start|>user\n" +
                               LongDocument().substr(0, 12 << 10) +
                               "<|im_end|>\n<|im_start|>assistant\n";
  Result<std::vector<int32_t>> tokens = tokenizer.Tokenize(question);
  ASSERT_TRUE(tokens.has_value());
  EXPECT_EQ(*tokens, *TokenizeText(vocab, question));
  EXPECT_EQ(tokenizer.stats().parallel_prompts, 0u);

  std::string document;
  while (document.size() < (16u << 10)) {
    document += LongDocument();
  }
  const std::string pasted = "<|im_start|>user\nSummarise:\n" + document +
                             "<|im_end|>\n<|im_start|>assistant\n";
  tokens = tokenizer.Tokenize(pasted);
  ASSERT_TRUE(tokens.has_value());
  EXPECT_EQ(*tokens, *TokenizeText(vocab, pasted));
  EXPECT_EQ(tokenizer.stats().parallel_prompts, 1u);
}

// One long new message (a document pasted into the first turn) is cut
// inside where its tokenizer allows and its chunks tokenised side by side;
// the cache keeps it whole for the next turn. A SentencePiece tokenizer
// allows no cut there and tokenises it in one piece.
TEST(PromptTokenizerTest,
     OneLongNewMessageIsTokenisedSideBySideWhereItsTokenizerAllows) {
  const std::string document = LongDocument();
  for (const auto& [file, cut] :
       {std::pair{"ggml-vocab-qwen2.gguf", true},
        std::pair{"ggml-vocab-llama-spm.gguf", false}}) {
    VocabPtr model = LoadVocab(file);
    ASSERT_NE(model, nullptr);
    const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
    PromptTokenizer tokenizer(model.get(),
                              {.threads = 4, .parallel_bytes = 1024});
    const std::string& end = tokenizer.boundary();
    ASSERT_FALSE(end.empty()) << file;
    const std::string first = "<|im_start|>user\n" + document + end;
    const std::string text = first + "\n<|im_start|>assistant\n";
    Result<std::vector<int32_t>> tokens = tokenizer.Tokenize(text);
    ASSERT_TRUE(tokens.has_value());
    EXPECT_EQ(*tokens, *TokenizeText(vocab, text)) << file;
    EXPECT_EQ(tokenizer.stats().split_messages, cut ? 1u : 0u) << file;
    EXPECT_EQ(tokenizer.stats().parallel_prompts, cut ? 1u : 0u) << file;

    const std::string next =
        first + "\n<|im_start|>assistant\nDone." + end + "\n";
    tokens = tokenizer.Tokenize(next);
    ASSERT_TRUE(tokens.has_value());
    EXPECT_EQ(*tokens, *TokenizeText(vocab, next)) << file;
    EXPECT_EQ(tokenizer.stats().pieces_reused, 1u) << file;
  }
}

// A caller whose compute threads are busy (count_tokens beside a running
// decode) asks for one thread: the same long message is tokenised whole.
TEST(PromptTokenizerTest, ACallerGivingOneThreadTokenisesOnItsOwn) {
  VocabPtr model = LoadVocab("ggml-vocab-qwen2.gguf");
  ASSERT_NE(model, nullptr);
  PromptTokenizer tokenizer(model.get(), {.threads = 4, .parallel_bytes = 1024});
  const std::string text = "<|im_start|>user\n" + LongDocument() +
                           tokenizer.boundary() + "\n<|im_start|>assistant\n";
  Result<std::vector<int32_t>> tokens = tokenizer.Tokenize(text, {.threads = 1});
  ASSERT_TRUE(tokens.has_value());
  EXPECT_EQ(*tokens, *TokenizeText(llama_model_get_vocab(model.get()), text));
  EXPECT_EQ(tokenizer.stats().parallel_prompts, 0u);
  EXPECT_EQ(tokenizer.stats().split_messages, 0u);
}

// A tokenizer with no boundary to cut messages at still has a long prompt
// cut inside, where its tokenizer allows, and tokenised side by side.
TEST(PromptTokenizerTest, APromptWithNoBoundaryIsStillCutWhereItsTokenizerAllows) {
  int checked = 0;
  for (const std::string file :
       {"ggml-vocab-gpt-2.gguf", "ggml-vocab-gpt-neox.gguf", "ggml-vocab-mpt.gguf",
        "ggml-vocab-starcoder.gguf", "ggml-vocab-falcon.gguf", "ggml-vocab-refact.gguf"}) {
    VocabPtr model = LoadVocab(file);
    ASSERT_NE(model, nullptr) << file;
    PromptTokenizer tokenizer(model.get(), {.threads = 4, .parallel_bytes = 1024});
    if (!tokenizer.boundary().empty() || !TextCuts(model.get()).after_newline()) {
      continue;
    }
    ++checked;
    const std::string text = "System: be brief.\nUser: " + LongDocument();
    Result<std::vector<int32_t>> tokens = tokenizer.Tokenize(text);
    ASSERT_TRUE(tokens.has_value()) << file;
    EXPECT_EQ(*tokens, *TokenizeText(llama_model_get_vocab(model.get()), text)) << file;
    EXPECT_EQ(tokenizer.stats().split_messages, 1u) << file;
    EXPECT_EQ(tokenizer.stats().parallel_prompts, 1u) << file;
    // Not a whole message: nothing is kept for the next call.
    ASSERT_TRUE(tokenizer.Tokenize(text).has_value()) << file;
    EXPECT_EQ(tokenizer.stats().bytes_reused, 0u) << file;
  }
  EXPECT_GT(checked, 0);
}

TEST(PromptTokenizerTest, ThreadsSharingTheCacheGetTheWholeTextsTokens) {
  VocabPtr model = LoadVocab("ggml-vocab-llama-spm.gguf");
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  PromptTokenizer tokenizer(model.get(), {.cache_bytes = 4096});
  PieceText maker(TemplatePieces(model.get(), tokenizer.boundary()), 60, 11);
  std::vector<std::string> texts;
  std::vector<std::vector<int32_t>> expected;
  for (int i = 0; i < 40; ++i) {
    texts.push_back(maker.Make());
    expected.push_back(*TokenizeText(vocab, texts.back()));
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 10; ++round) {
        for (size_t i = 0; i < texts.size(); ++i) {
          const size_t k =
              (i * (t + 1) + static_cast<size_t>(round)) % texts.size();
          Result<std::vector<int32_t>> tokens = tokenizer.Tokenize(texts[k]);
          mismatches[static_cast<size_t>(t)] +=
              !tokens.has_value() || *tokens != expected[k];
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
  EXPECT_GT(tokenizer.stats().pieces_reused, 0u);
}

}  // namespace
}  // namespace duet::llama
