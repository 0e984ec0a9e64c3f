// WriteRandomModel: a GGUF model with random weights in the llama
// architecture and a real tokenizer, for tests, benchmarks and `duet demo`
// on machines that cannot download weights (tools/make_test_model is its
// command line).
//
// The tokenizer (every tokenizer.* key) is copied from a vocabulary-only
// GGUF, one of those llama.cpp ships under models/ (for example
// ggml-vocab-llama-spm.gguf or ggml-vocab-qwen2.gguf). A ChatML chat
// template with tool calling is added unless the vocabulary file has one.
// The output is noise, but loading, tokenising, templating, decoding,
// sampling and caching all run for real on it.
//
// Shapes: kTiny (2 layers, 64-wide, output tied to the embeddings: a few
// MB) for the test suite and the demo; kHalfBillion (24 layers, 896-wide,
// 14 heads, 2 KV heads, 4864 FFN, output tied to the embeddings: the shape
// of Qwen2.5-0.5B, about 494M parameters) for benchmarks.
//
// ends_turns_logit > 0 makes the model end its answers by itself: every
// token's embedding gets a large constant in its last dimension, which
// then dominates the final hidden state, and an untied output matrix reads
// that dimension only for the end-of-sequence token, giving it a logit
// about that much above the (near-zero) others whatever the input. Sampled
// at temperature 1 with a 32K vocabulary, 9 ends a turn after a few noise
// tokens; a greedy decoder would end at once. For clients (Claude Code)
// that treat an answer stopped by max_tokens as a failure.
//
// Available when duet is built with llama.cpp (DUET_HAVE_GGUF);
// without it WriteRandomModel fails with kUnavailable.
//
// Thread safety: may run on any thread; ggml's quantization tables are
// process-wide, so do not run two at once.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace duet::model_files {

struct RandomModelOptions {
  enum class Shape { kTiny, kHalfBillion };
  enum class Type { kF32, kF16, kQ8_0, kQ4_0 };

  std::string vocab_path;  // a vocabulary-only GGUF
  std::string out_path;    // written (replaced) at the end
  Shape shape = Shape::kTiny;
  Type type = Type::kF32;  // of the weight matrices; norms stay F32
  uint32_t seed = 42;
  uint32_t context = 0;        // trained context; 0: the shape's
  std::string chat_template;   // "": the vocabulary's, else ChatML + tools
  float ends_turns_logit = 0;  // 0: plain noise (see the top)
};

struct RandomModelSummary {
  int64_t vocabulary = 0;
  uint32_t layers = 0;
  uint32_t width = 0;
  uint32_t context = 0;
};

// Writes the model. Fails with kInvalidArgument when the vocabulary file
// cannot be read or lacks what is needed (tokens; an EOS token for
// ends_turns_logit), kInternal when the output cannot be written.
Result<RandomModelSummary> WriteRandomModel(const RandomModelOptions& options);

}  // namespace duet::model_files
