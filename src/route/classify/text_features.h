// Text features for the task classifier: hashed word unigrams and bigrams,
// character 4-grams inside words, CJK character n-grams, and a few shape
// features (size, code, lines, questions).
//
// Why these: character n-grams carry meaning across inflections and
// languages without a tokenizer or a vocabulary per language (German
// compounds, French elision, Spanish accents); CJK text has no spaces, so
// its characters and character pairs play the role of words. Hashing keeps
// the model a fixed size and the extractor allocation-free apart from its
// output vector.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace duet {

// What the classifier reads of a request.
struct ClassifierInput {
  // The instruction: the latest user text (long texts: its head and tail).
  std::string_view text;
  // Token estimate of the whole request (its size, pasted documents
  // included).
  int64_t request_tokens = 0;
  // Earlier user and assistant turns.
  int64_t prior_turns = 0;
  bool has_tools = false;
};

// Feature space size: features are hashed into [0, kFeatureBuckets).
inline constexpr uint32_t kFeatureBuckets = 1u << 16;

// Bumped whenever the extraction changes, so a model trained with another
// extractor is refused at load.
inline constexpr uint32_t kFeatureVersion = 3;

// What of a long instruction the classifier reads: its head, where the
// task is usually stated, and its tail, where a question after a pasted
// text goes. Bounds the classifier's cost whatever the request's size.
inline constexpr size_t kInstructionHeadBytes = 1024;
inline constexpr size_t kInstructionTailBytes = 512;

// `text` cut to its first `head_bytes` and last `tail_bytes` at character
// boundaries, joined by "\n…\n" (the head alone when `tail_bytes` is 0);
// unchanged when short.
std::string HeadAndTail(std::string_view text,
                        size_t head_bytes = kInstructionHeadBytes,
                        size_t tail_bytes = kInstructionTailBytes);

// Appends the bucket of every feature occurrence of `input` to *buckets
// (a feature occurring twice appears twice). Clears *buckets first.
void ExtractFeatures(const ClassifierInput& input,
                     std::vector<uint32_t>* buckets);

}  // namespace duet
