#ifndef DUET_BACKEND_LLAMA_WORD_CACHE_H_
#define DUET_BACKEND_LLAMA_WORD_CACHE_H_

// Tokenises text a word at a time where the tokenizer allows, remembering
// the tokens of the short words it has seen, so that a new message made of
// words seen before is tokenised mostly by lookup.
//
// Why: llama.cpp's byte-level BPE tokenizer costs about 1.7 us a token on
// the development VM (a new 500-token question: 0.85 ms on one thread),
// all of it before the first prompt token is decoded, and a conversation's
// words repeat (the most common thousand English words make most of any
// text). Looking a word up costs tens of nanoseconds.
//
// How: TextCuts says where text may be cut so that its pieces, tokenised
// one by one, give the whole text's tokens (before a space between letters,
// after a newline between visible characters). The text between two such
// places is a *word* here (" word", "end.\n", " it's"). Words the cache
// holds take its tokens; the stretches between them are tokenised by
// llama.cpp whole, and their tokens are handed out to the words they span
// by the bytes each token stands for, to be kept. A stretch whose tokens do
// not line up with its words teaches nothing. Without cuts (SentencePiece,
// WordPiece, special tokens that strip whitespace) the text is tokenised
// whole, as before.
//
// The cache is bounded in words and keeps the first it learns (they are
// the common ones); nothing is evicted.
//
// Thread safety: every member may be called from any thread.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "backend/llama/text_cuts.h"
#include "core/status.h"

struct llama_vocab;

namespace duet::llama {

class WordCache {
 public:
  struct Options {
    // Words kept (0: none, every text tokenised whole), and the longest
    // word kept, in bytes: about 8 MiB when full.
    size_t max_words = size_t{1} << 16;
    size_t max_word_bytes = 32;
  };
  struct Stats {
    uint64_t words_reused = 0;  // words whose tokens came from the cache
    uint64_t bytes_reused = 0;  // their text
    uint64_t words_kept = 0;
  };

  // `vocab` and `cuts` must outlive the cache.
  WordCache(const ::llama_vocab* vocab, const TextCuts* cuts, Options options);

  // `text`'s tokens: those of TokenizeText(vocab, text).
  Result<std::vector<int32_t>> Tokenize(std::string_view text);

  Stats stats() const;

 private:
  struct Learned {
    std::string_view word;
    std::vector<int32_t> tokens;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };

  // Tokenises `stretch` (a run of whole words) onto `tokens`, adding the
  // short words it spans, with their tokens, to `learned`.
  Status TokenizeStretch(std::string_view stretch, std::vector<int32_t>* tokens,
                         std::vector<Learned>* learned) const;
  // How many bytes of `text` from `at` on `token` spells; -1 when it spells
  // something else (or nothing).
  int64_t SpelledAt(int32_t token, std::string_view text, size_t at) const;
  void Keep(std::vector<Learned> learned);

  const ::llama_vocab* vocab_;
  const TextCuts* cuts_;
  const Options options_;

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::vector<int32_t>, Hash, std::equal_to<>>
      words_;                      // guarded by mutex_
  std::atomic<bool> full_{false};  // no more words are kept
  std::atomic<uint64_t> words_reused_{0};
  std::atomic<uint64_t> bytes_reused_{0};
};

}  // namespace duet::llama

#endif  // DUET_BACKEND_LLAMA_WORD_CACHE_H_
