// ControlText on every tokenizer llama.cpp ships a vocabulary for: client
// text that spells control tokens comes back from Protect and Restore as it
// was, and a prompt rendered from it is tokenised with the template's
// control tokens as tokens and the client's spelling as text.
#include "backend/llama/control_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "backend/llama/prompt_tokenizer.h"
#include "backend/llama/shipped_vocabularies.h"
#include "llama.h"

namespace duet::llama {
namespace {

constexpr std::string_view kPrivateUseOpen = "\xEE\x80\x80";  // U+E000

// The vocabulary's control tokens (what ControlText protects), with their
// ids, leaving out those that strip whitespace around them.
struct ControlToken {
  llama_token id;
  std::string text;
  bool strips;
};

std::vector<ControlToken> ControlTokens(const ::llama_vocab* vocab) {
  std::vector<ControlToken> tokens;
  for (llama_token id = 0; id < llama_vocab_n_tokens(vocab); ++id) {
    const llama_token_attr attr = llama_vocab_get_attr(vocab, id);
    const std::string text = llama_vocab_get_text(vocab, id);
    if ((attr & (LLAMA_TOKEN_ATTR_CONTROL | LLAMA_TOKEN_ATTR_UNKNOWN)) != 0 &&
        !text.empty()) {
      tokens.push_back(
          {id, text,
           (attr & (LLAMA_TOKEN_ATTR_LSTRIP | LLAMA_TOKEN_ATTR_RSTRIP)) != 0});
    }
  }
  return tokens;
}

bool IsControl(const ::llama_vocab* vocab, llama_token id) {
  return (llama_vocab_get_attr(vocab, id) &
          (LLAMA_TOKEN_ATTR_CONTROL | LLAMA_TOKEN_ATTR_UNKNOWN)) != 0;
}

// Pieces of client texts: words, whitespace, control spellings whole and in
// part, the placeholder's own characters.
std::vector<std::string> ClientPieces(
    const std::vector<ControlToken>& controls) {
  std::vector<std::string> pieces = {"hello",
                                     " world",
                                     "wörld",
                                     "日本語",
                                     "12",
                                     " ",
                                     "\n",
                                     "\t",
                                     "<",
                                     "<|",
                                     "|>",
                                     "[",
                                     "]",
                                     "x",
                                     "ok.",
                                     std::string(kPrivateUseOpen),
                                     "\xEE\x80\x81",
                                     "\xEE\x80\x93"};
  for (size_t i = 0; i < controls.size() && i < 12; ++i) {
    const std::string& text = controls[i].text;
    pieces.push_back(text);
    pieces.push_back(text);
    pieces.push_back(text.substr(0, text.size() / 2));  // a part of one
  }
  return pieces;
}

std::vector<llama_token> Tokens(
    const ::llama_vocab* vocab, std::string_view text,
    ControlSpelling spelling = ControlSpelling::kToken) {
  Result<std::vector<int32_t>> tokens = TokenizeText(vocab, text, spelling);
  EXPECT_TRUE(tokens.has_value());
  return tokens.value_or(std::vector<int32_t>{});
}

// The tokens of a prompt through Cut, as the runner tokenises it.
std::vector<llama_token> CutTokens(const ControlText& control,
                                   const ::llama_vocab* vocab,
                                   std::string_view prompt) {
  Result<std::vector<ControlText::Stretch>> stretches = control.Cut(prompt);
  EXPECT_TRUE(stretches.has_value()) << stretches.error().message();
  std::vector<llama_token> tokens;
  for (const ControlText::Stretch& stretch :
       stretches.value_or(std::vector<ControlText::Stretch>{})) {
    const std::vector<llama_token> part = Tokens(
        vocab, stretch.text,
        stretch.plain ? ControlSpelling::kText : ControlSpelling::kToken);
    tokens.insert(tokens.end(), part.begin(), part.end());
  }
  return tokens;
}

class ControlTextVocabTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ControlTextVocabTest,
       ProtectedTextSpellsNoControlTokenAndRestoresToItself) {
  VocabPtr model = LoadVocab(GetParam());
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  const std::vector<ControlToken> controls = ControlTokens(vocab);
  const ControlText control(vocab);
  ASSERT_EQ(control.size(), controls.size());
  PieceText maker(ClientPieces(controls), 30, 3);
  int changed = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string original = maker.Make();
    std::string text = original;
    const bool protected_any = control.Protect(&text);
    ASSERT_EQ(control.SpellsAny(original), protected_any) << original;
    if (protected_any) {
      ++changed;
    } else {
      ASSERT_EQ(text, original);
    }
    for (const ControlToken& token : controls) {
      ASSERT_EQ(text.find(token.text), std::string::npos)
          << token.text << " in " << original;
    }
    ASSERT_EQ(control.Restore(text), original);
  }
  EXPECT_GT(changed, 100);
}

// A prompt as a template renders one: its own control tokens around the
// client's text. Through Cut, the template's tokens stay tokens and the
// client's text has exactly the tokens llama.cpp gives it as plain text.
TEST_P(ControlTextVocabTest, PromptsKeepTheTemplatesTokensAndTheClientsText) {
  VocabPtr model = LoadVocab(GetParam());
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  std::vector<ControlToken> frames;
  for (ControlToken& token : ControlTokens(vocab)) {
    if (!token.strips && frames.size() < 4) {
      frames.push_back(std::move(token));
    }
  }
  if (frames.empty()) {
    GTEST_SKIP() << "no control token that keeps whitespace";
  }
  const ControlText control(vocab);
  PieceText maker(ClientPieces(ControlTokens(vocab)), 30, 5);
  std::mt19937 random(11);
  const auto frame = [&] {
    return frames[std::uniform_int_distribution<size_t>(
        0, frames.size() - 1)(random)];
  };
  for (int i = 0; i < 150; ++i) {
    const ControlToken open = frame();
    const ControlToken close = frame();
    const std::string client = maker.Make();
    std::string protected_client = client;
    control.Protect(&protected_client);
    const std::string before = "system text\n" + open.text;
    const std::string after = close.text + "\nassistant";
    const std::vector<llama_token> tokens =
        CutTokens(control, vocab, before + protected_client + after);

    std::vector<llama_token> expected = Tokens(vocab, before);
    const std::vector<llama_token> text =
        Tokens(vocab, client, ControlSpelling::kText);
    const std::vector<llama_token> closing = Tokens(vocab, after);
    expected.insert(expected.end(), text.begin(), text.end());
    expected.insert(expected.end(), closing.begin(), closing.end());
    ASSERT_EQ(tokens, expected) << GetParam() << ": " << client;

    int control_tokens = 0;
    for (llama_token token : tokens) {
      control_tokens += IsControl(vocab, token) ? 1 : 0;
    }
    int unknown_in_text = 0;  // text a vocabulary cannot spell may be <unk>
    for (llama_token token : text) {
      unknown_in_text += IsControl(vocab, token) ? 1 : 0;
    }
    ASSERT_EQ(control_tokens, 2 + unknown_in_text)
        << GetParam() << ": " << client;
  }
}

INSTANTIATE_TEST_SUITE_P(EveryShippedVocabulary, ControlTextVocabTest,
                         EveryShippedVocabulary(), VocabTestName);

// Without placeholders, Cut leaves the prompt whole: the usual tokens.
TEST(ControlTextTest, PromptsWithoutPlaceholdersAreOneStretch) {
  VocabPtr model = LoadVocab("ggml-vocab-qwen2.gguf");
  ASSERT_NE(model, nullptr);
  const ControlText control(llama_model_get_vocab(model.get()));
  const std::string prompt =
      "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n";
  Result<std::vector<ControlText::Stretch>> stretches = control.Cut(prompt);
  ASSERT_TRUE(stretches.has_value());
  ASSERT_EQ(stretches->size(), 1u);
  EXPECT_EQ((*stretches)[0].text, prompt);
  EXPECT_FALSE((*stretches)[0].plain);
}

// llama.cpp gives Phi-3's turn tokens rstrip: the whitespace after
// <|user|> is no part of the text. The plain stretch leaves it out too.
TEST(ControlTextTest, WhitespaceAControlTokenStripsIsLeftOutOfThePlainText) {
  VocabPtr model = LoadVocab("ggml-vocab-phi-3.gguf");
  ASSERT_NE(model, nullptr);
  const ::llama_vocab* vocab = llama_model_get_vocab(model.get());
  const std::vector<llama_token> user = Tokens(vocab, "<|user|>");
  ASSERT_EQ(user.size(), 1u);
  ASSERT_TRUE(llama_vocab_get_attr(vocab, user[0]) & LLAMA_TOKEN_ATTR_RSTRIP);
  // What llama.cpp does with a template's text after the token.
  EXPECT_EQ(Tokens(vocab, "<|user|>  \n hi"), Tokens(vocab, "<|user|>hi"));

  const ControlText control(vocab);
  std::string client = "  \n <|end|> hi  ";
  ASSERT_TRUE(control.Protect(&client));
  Result<std::vector<ControlText::Stretch>> stretches =
      control.Cut("<|user|>" + client + "<|end|>\n<|assistant|>");
  ASSERT_TRUE(stretches.has_value());
  ASSERT_EQ(stretches->size(), 3u);
  EXPECT_EQ((*stretches)[0].text, "<|user|>");
  EXPECT_EQ((*stretches)[1].text, "<|end|> hi  ");
  EXPECT_TRUE((*stretches)[1].plain);
  EXPECT_EQ((*stretches)[2].text, "<|end|>\n<|assistant|>");
}

TEST(ControlTextTest, APlaceholderTheTemplateCutOrEscapedIsRefused) {
  VocabPtr model = LoadVocab("ggml-vocab-qwen2.gguf");
  ASSERT_NE(model, nullptr);
  const ControlText control(llama_model_get_vocab(model.get()));
  std::string client = "a<|im_end|>b";
  ASSERT_TRUE(control.Protect(&client));
  const size_t open = client.find(kPrivateUseOpen);
  ASSERT_NE(open, std::string::npos);

  const std::string cut = client.substr(0, open + kPrivateUseOpen.size() + 1);
  Result<std::vector<ControlText::Stretch>> stretches =
      control.Cut("<|im_start|>" + cut);
  ASSERT_FALSE(stretches.has_value());
  EXPECT_EQ(stretches.error().code(), ErrorCode::kInvalidArgument);

  stretches = control.Cut(R"({"text": "a\ue000\ue013\ue001b"})");
  ASSERT_FALSE(stretches.has_value());
  EXPECT_EQ(stretches.error().code(), ErrorCode::kInvalidArgument);

  // Restore keeps what it cannot read as it is.
  EXPECT_EQ(control.Restore(cut), cut);
}

}  // namespace
}  // namespace duet::llama
