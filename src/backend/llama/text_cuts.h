#ifndef DUET_BACKEND_LLAMA_TEXT_CUTS_H_
#define DUET_BACKEND_LLAMA_TEXT_CUTS_H_

// Where a stretch of prompt text may be cut so that its pieces, tokenised
// one by one, give exactly the tokens of the whole stretch: what lets one
// long message be tokenised side by side (PromptTokenizer).
//
// Why it holds: a byte-level BPE tokenizer (llama.cpp's "gpt2" model) first
// splits text into words with its pre-tokenizer's regular expressions and
// then merges within each word only. A cut where every such expression ends
// one word and starts the next, and whose two sides cannot see each other
// (no look-behind; look-ahead reads no further than the cut's neighbours),
// changes nothing. Two cuts qualify, read on ASCII bytes:
//   - after a newline that follows a visible character and precedes one
//     ("end.\nNext"): every expression of the pre-tokenizers allowed below
//     ends a word at such a newline or absorbs it into the word before, and
//     none lets a word start with it;
//   - before a space between two letters ("word next"): the word before
//     ends at its last letter, the next one starts with the space.
// Only pre-tokenizers whose expressions were read for this are allowed (by
// their GGUF name, tokenizer.ggml.pre); the space cut is refused for those
// that merge across spaces (gemma4, sarvam-moe, exaone-moe). SentencePiece
// and the other tokenizer models get no cuts: SentencePiece starts a stretch
// with a space and merges across the whole text.
//
// Special tokens: llama.cpp matches them in the text before anything else,
// so a cut must not fall inside one or change what one strips. A cut kind is
// refused when some special token's text could straddle it, and both are
// refused when a special token strips whitespace. Finally a self-check at
// construction tokenises a sample cut at every allowed place against the
// whole sample.
//
// Thread safety: immutable after construction; every member may be called
// from any thread.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

struct llama_model;

namespace duet::llama {

class TextCuts {
 public:
  // The cuts `model`'s tokenizer allows; none for an unknown tokenizer.
  explicit TextCuts(const ::llama_model* model);

  // Whether any cut is allowed.
  bool any() const { return after_newline_ || before_space_; }
  bool after_newline() const { return after_newline_; }
  bool before_space() const { return before_space_; }

  // True when `text` may be cut at byte `at` (0 < at < text.size()).
  bool IsCut(std::string_view text, size_t at) const;

  // `text` cut into pieces of at least `piece_bytes` each (but the last),
  // each cut at the first allowed place at or after its nominal end; one
  // piece when no cut is allowed. Concatenated, the pieces are `text`.
  std::vector<std::string_view> Split(std::string_view text,
                                      size_t piece_bytes) const;

 private:
  // Whether a sample cut at every allowed place tokenises to the whole
  // sample's tokens.
  bool PiecesMatchWhole(const ::llama_model* model) const;

  bool after_newline_ = false;
  bool before_space_ = false;
};

}  // namespace duet::llama

#endif  // DUET_BACKEND_LLAMA_TEXT_CUTS_H_
