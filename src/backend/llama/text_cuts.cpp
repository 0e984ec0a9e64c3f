#include "backend/llama/text_cuts.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include "backend/llama/prompt_tokenizer.h"
#include "llama.h"

namespace duet::llama {
namespace {

// The pre-tokenizers (tokenizer.ggml.pre) whose expressions end a word at
// both cuts, by the llama.cpp type they load as. Left out: kimi-k2 (a
// hand-written splitter) and superbpe (words that span spaces and lines).
constexpr std::string_view kCutPreTokenizers[] = {
    // llama3 and its copies: dbrx, smaug-bpe, minicpm5, laguna, jais-2
    "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral",
    "midm-2.0", "lfm2", "jina-v5-nano", "dbrx", "smaug-bpe", "minicpm5",
    "laguna", "jais-2",
    // qwen2's: one digit a word
    "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "qwen35",
    "stablelm2", "hunyuan", "solar-open", "grok-2", "ufakzeka",
    // gpt-2's and its relatives with digit or punctuation splits first
    "default", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es",
    "jina-v2-de", "a.x-4.0", "mellum", "modern-bert", "jina-v1-en",
    "jina-v2-code", "roberta-bpe", "exaone4", "mpt", "olmo", "jais", "trillion",
    "granite-docling", "falcon", "starcoder", "refact", "command-r", "smollm",
    "codeshell", "exaone", "minerva-7b", "mellum2",
    // gpt-4o's case-split words
    "gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2", "tekken",
    "granite-embed-multi-97m", "tiny_aya", "cohere2moe", "youtu",
    // line and punctuation splits first
    "deepseek-llm", "deepseek-coder", "deepseek-v3", "hunyuan-dense", "hy_v4",
    "joyai-llm", "spark2_5", "afmoe", "glm4", "chatglm-bpe", "seed-coder",
    "bailingmoe", "bailingmoe2", "llada-moe", "chameleon",
    // words of non-space characters
    "poro-chat", "bloom", "gpt3-finnish", "viking", "whitespace",
    // words may hold spaces: the newline cut only
    "gemma4", "granite-embed-multi-311m", "sarvam-moe", "exaone-moe"};

// Of those, the ones whose words may hold spaces.
constexpr std::string_view kNoSpaceCut[] = {
    "gemma4", "granite-embed-multi-311m", "sarvam-moe", "exaone-moe"};

bool IsVisible(char c) { return c > ' ' && c < '\x7f'; }  // ASCII graphic

bool IsLetter(char c) {
  const char lower = static_cast<char>(c | 0x20);
  return lower >= 'a' && lower <= 'z';
}

std::string MetadataString(const ::llama_model* model, const char* key) {
  std::array<char, 128> value{};
  if (llama_model_meta_val_str(model, key, value.data(), value.size()) < 0) {
    return "";
  }
  return value.data();
}

template <size_t N>
bool Contains(const std::string_view (&names)[N], std::string_view name) {
  for (std::string_view listed : names) {
    if (listed == name) {
      return true;
    }
  }
  return false;
}

}  // namespace

TextCuts::TextCuts(const ::llama_model* model) {
  const ::llama_vocab* vocab = llama_model_get_vocab(model);
  // gemma4 names the tokenizer model instead of a pre-tokenizer; llama.cpp
  // loads a gpt2 vocabulary without one as "default".
  const std::string tokenizer = MetadataString(model, "tokenizer.ggml.model");
  std::string pre = tokenizer == "gemma4"
                        ? tokenizer
                        : MetadataString(model, "tokenizer.ggml.pre");
  if (llama_vocab_type(vocab) != LLAMA_VOCAB_TYPE_BPE ||
      (tokenizer != "gpt2" && tokenizer != "gemma4")) {
    return;
  }
  if (pre.empty()) {
    pre = "default";
  }
  if (!Contains(kCutPreTokenizers, pre)) {
    return;
  }
  after_newline_ = true;
  before_space_ = !Contains(kNoSpaceCut, pre);
  const int32_t n_tokens = llama_vocab_n_tokens(vocab);
  for (llama_token token = 0; token < n_tokens && any(); ++token) {
    const int32_t attributes = llama_vocab_get_attr(vocab, token);
    if ((attributes &
         (LLAMA_TOKEN_ATTR_CONTROL | LLAMA_TOKEN_ATTR_USER_DEFINED |
          LLAMA_TOKEN_ATTR_UNKNOWN)) == 0) {
      continue;
    }
    if ((attributes & (LLAMA_TOKEN_ATTR_LSTRIP | LLAMA_TOKEN_ATTR_RSTRIP)) !=
        0) {
      after_newline_ = before_space_ =
          false;  // what it strips could be cut off
      break;
    }
    const char* text = llama_vocab_get_text(vocab, token);
    const std::string_view special = text != nullptr ? text : "";
    // An occurrence that holds both sides of a cut would be cut in two.
    for (size_t i = 1; i < special.size(); ++i) {
      if (special[i - 1] == '\n' && IsVisible(special[i])) {
        after_newline_ = false;
      }
      if (IsLetter(special[i - 1]) && special[i] == ' ') {
        before_space_ = false;
      }
    }
  }
  if (any() && !PiecesMatchWhole(model)) {
    spdlog::warn(
        "the {} tokenizer does not split where expected; long messages are "
        "tokenised "
        "in one piece",
        pre);
    after_newline_ = before_space_ = false;
  }
}

bool TextCuts::IsCut(std::string_view text, size_t at) const {
  if (at == 0 || at >= text.size()) {
    return false;
  }
  if (after_newline_ && at >= 2 && text[at - 1] == '\n' &&
      IsVisible(text[at - 2]) && IsVisible(text[at])) {
    return true;
  }
  return before_space_ && text[at] == ' ' && at + 1 < text.size() &&
         IsLetter(text[at - 1]) && IsLetter(text[at + 1]);
}

std::vector<std::string_view> TextCuts::Split(std::string_view text,
                                              size_t piece_bytes) const {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (any() && text.size() - start > piece_bytes) {
    size_t at = start + std::max<size_t>(piece_bytes, 1);
    while (at < text.size() && !IsCut(text, at)) {
      ++at;
    }
    if (at >= text.size()) {
      break;
    }
    pieces.push_back(text.substr(start, at - start));
    start = at;
  }
  pieces.push_back(text.substr(start));
  return pieces;
}

bool TextCuts::PiecesMatchWhole(const ::llama_model* model) const {
  const ::llama_vocab* vocab = llama_model_get_vocab(model);
  const std::string_view sample =
      "Dear team,\nThe build of it's \"main\" broke.\nSee (log) x\n#3 and "
      "wörld 日本 ok\n1. Fix it\n-- done\nEnd";
  Result<std::vector<int32_t>> whole = TokenizeText(vocab, sample);
  if (!whole.has_value()) {
    return false;
  }
  std::vector<int32_t> pieces;
  for (std::string_view piece : Split(sample, 0)) {
    Result<std::vector<int32_t>> tokens = TokenizeText(vocab, piece);
    if (!tokens.has_value()) {
      return false;
    }
    pieces.insert(pieces.end(), tokens->begin(), tokens->end());
  }
  return pieces == *whole;
}

}  // namespace duet::llama
