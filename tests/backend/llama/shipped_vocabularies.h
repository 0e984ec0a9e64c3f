#ifndef DUET_TESTS_BACKEND_LLAMA_SHIPPED_VOCABULARIES_H_
#define DUET_TESTS_BACKEND_LLAMA_SHIPPED_VOCABULARIES_H_

// The vocabulary-only GGUFs llama.cpp's source ships under models/ (one per
// tokenizer family: SentencePiece, byte-level BPE with many pre-tokenizers,
// WordPiece), for tests that must hold for every tokenizer duet may load.

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "llama.h"

namespace duet::llama {

struct VocabDeleter {
  void operator()(::llama_model* model) const { llama_model_free(model); }
};
using VocabPtr = std::unique_ptr<::llama_model, VocabDeleter>;

// Loads models/FILE without weights; null when it cannot.
inline VocabPtr LoadVocab(const std::string& file) {
  llama_model_params params = llama_model_default_params();
  params.vocab_only = true;
  const std::string path = std::string(DUET_LLAMA_MODELS_DIR) + "/" + file;
  return VocabPtr(llama_model_load_from_file(path.c_str(), params));
}

// The texts of the vocabulary's first `count` special tokens (control and
// user-defined, those llama.cpp matches in text before anything else).
inline std::vector<std::string> SpecialTokenTexts(const ::llama_vocab* vocab, int count) {
  std::vector<std::string> texts;
  for (llama_token token = 0;
       token < llama_vocab_n_tokens(vocab) && static_cast<int>(texts.size()) < count; ++token) {
    if (llama_vocab_get_attr(vocab, token) &
        (LLAMA_TOKEN_ATTR_CONTROL | LLAMA_TOKEN_ATTR_USER_DEFINED)) {
      texts.push_back(llama_vocab_get_text(vocab, token));
    }
  }
  return texts;
}

// Random texts joined from `pieces` (1 to `most` of them, drawn with
// replacement), so that every piece meets every neighbour sooner or later.
class PieceText {
 public:
  PieceText(std::vector<std::string> pieces, int most, unsigned seed)
      : pieces_(std::move(pieces)), most_(most), random_(seed) {}

  std::string Make() {
    std::string text;
    const int count = std::uniform_int_distribution<int>(1, most_)(random_);
    for (int i = 0; i < count; ++i) {
      text += pieces_[std::uniform_int_distribution<size_t>(0, pieces_.size() - 1)(random_)];
    }
    return text;
  }

 private:
  std::vector<std::string> pieces_;
  int most_;
  std::mt19937 random_;
};

// For INSTANTIATE_TEST_SUITE_P: every shipped vocabulary, and test names
// made from them ("ggml-vocab-llama-bpe.gguf" runs as llama_bpe).
inline auto EveryShippedVocabulary() {
  return ::testing::Values(
      "ggml-vocab-aquila.gguf", "ggml-vocab-baichuan.gguf",
      "ggml-vocab-bert-bge.gguf", "ggml-vocab-command-r.gguf",
      "ggml-vocab-deepseek-coder.gguf", "ggml-vocab-deepseek-llm.gguf",
      "ggml-vocab-falcon.gguf", "ggml-vocab-gemma-4.gguf",
      "ggml-vocab-gpt-2.gguf", "ggml-vocab-gpt-neox.gguf",
      "ggml-vocab-llama-bpe.gguf", "ggml-vocab-llama-spm.gguf",
      "ggml-vocab-mpt.gguf", "ggml-vocab-nomic-bert-moe.gguf",
      "ggml-vocab-phi-3.gguf", "ggml-vocab-qwen2.gguf",
      "ggml-vocab-qwen35.gguf", "ggml-vocab-refact.gguf",
      "ggml-vocab-starcoder.gguf");
}

inline std::string VocabTestName(
    const ::testing::TestParamInfo<std::string>& param) {
  std::string name =
      param.param.substr(11, param.param.size() - 16);  // ggml-vocab-X.gguf
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

}  // namespace duet::llama

#endif  // DUET_TESTS_BACKEND_LLAMA_SHIPPED_VOCABULARIES_H_
