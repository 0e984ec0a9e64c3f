#ifndef DUET_BACKEND_LLAMA_PROMPT_TOKENIZER_H_
#define DUET_BACKEND_LLAMA_PROMPT_TOKENIZER_H_

// Tokenises rendered prompts with the model's own tokenizer (llama.cpp's),
// remembering what it tokenised, so that the next turn of a conversation
// tokenises only what is new.
//
// Why: a chat template renders the whole conversation at every turn, and
// llama.cpp's BPE tokenizer costs about 1.7 us per token on the development
// VM (31 ms for an 18,600-token conversation), all of it before the first
// prompt token is decoded. In iterative use, where the KV cache already
// holds all but the last message, that was most of the time to first token.
//
// How: llama.cpp first splits the text at every special token and then
// tokenises each stretch of text between them on its own. So a prompt cut
// right after each occurrence of one special token, the *boundary* (the
// model's end-of-turn token, which closes every message), tokenises to the
// concatenation of its pieces' tokens, provided that
//   - the tokenizer keeps no state from one stretch to the next: the
//     SentencePiece ("llama") and byte-level BPE ("gpt2") tokenizer models;
//   - no special token at least as long as the boundary can overlap it (it
//     would be matched first, and could straddle a cut), and the boundary
//     neither overlaps itself nor strips whitespace, nor starts or ends with
//     whitespace (another token's stripping then stops at it);
//   - a self-check at construction agrees (pieces against the whole text).
// When any of that fails, boundary() is "" and prompts are tokenised whole,
// as before. Pieces that end with the boundary (whole messages) are kept in
// a least-recently-used cache bounded in bytes and keyed by their text; the
// last piece (the new turn and the answer's opening) is not.
//
// A prompt with pieces the cache does not hold, holding at least
// Options::parallel_bytes of text together (a long conversation seen for
// the first time, a pasted document), has them tokenised
// side by side on up to Options::threads threads, largest first: the
// runner hands them to its compute threads, which are idle while it admits
// a request. A long piece is cut inside where the tokenizer allows (TextCuts:
// at line ends and before words) into chunks of about half a thread's
// share. Each chunk is tokenised a word at a time where the tokenizer
// allows, the words seen before by lookup (WordCache). The result is the
// same tokens: before the word cache, with pieces of 1 KiB shared out, a
// new 470-token prompt was templated and tokenised in 1.25 ms instead of
// 2.1 with two threads on the development VM, and a new
// 435-token question of common words is prepared in 0.5 ms instead of
// 0.9-1.1 with the word cache (one of words never seen: 0.05-0.15 ms
// slower; live server, tiny model, medians of 8-10).
//
// Smaller prompts are tokenised on the calling thread alone. The compute
// team ends its work at a barrier that waits for every thread, and one
// that the kernel has not woken yet makes the caller wait: for a new
// 500-token question of common words (the benchmark model, right after a
// prefill), 5 of 20 took 4.5-7.7 ms with two threads, the others
// 0.12-0.21 ms; alone, all 20 took 0.14-0.29 ms. Side by side pays where
// the text is long enough that halving it saves more than such a wait
// costs on average (about 1.4 ms there).
//
// Thread safety: every member may be called from any thread.

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "backend/llama/side_by_side.h"
#include "backend/llama/text_cuts.h"
#include "backend/llama/word_cache.h"
#include "core/status.h"

struct llama_model;
struct llama_vocab;

namespace duet::llama {

// How TokenizeText reads the spelling of a control token (<|im_end|>).
enum class ControlSpelling {
  kToken,  // as that token (what a template writes)
  kText,   // as text (what a client wrote: control_text.h)
};

// `text` tokenised by llama.cpp, nothing added (a prompt's BOS is the
// runner's to add).
Result<std::vector<int32_t>> TokenizeText(
    const ::llama_vocab* vocab, std::string_view text,
    ControlSpelling spelling = ControlSpelling::kToken);

class PromptTokenizer {
 public:
  struct Options {
    // Text and tokens of the cached pieces, together: about 100,000 tokens
    // of English conversation per MiB (5.5 bytes of text a token, plus 4).
    size_t cache_bytes = size_t{32} << 20;
    // Threads that tokenise new pieces side by side (1: one at a time), and
    // how much new text makes that worth their start and their end's wait
    // (about 4,000 tokens of English: 1-7 ms of tokenising, from common
    // words to words never seen; see the header).
    int threads = 1;
    size_t parallel_bytes = size_t{16} << 10;
    // New text is tokenised a word at a time where the tokenizer allows,
    // the words seen before by lookup (word_cache.h).
    WordCache::Options words{};
  };
  struct Stats {
    uint64_t pieces_reused = 0;
    uint64_t bytes_reused = 0;      // text that was not tokenised again
    uint64_t bytes_tokenised = 0;   // text that was
    uint64_t parallel_prompts = 0;  // prompts whose pieces went side by side
    uint64_t split_messages = 0;    // new pieces tokenised in several chunks
    WordCache::Stats words{};
  };

  // `model` must outlive the tokenizer.
  explicit PromptTokenizer(const ::llama_model* model)
      : PromptTokenizer(model, Options()) {}
  PromptTokenizer(const ::llama_model* model, Options options);

  // Who tokenises a prompt's new pieces side by side: up to `threads`
  // threads, the caller's among them (at most Options::threads; 1 for a
  // caller whose compute threads are busy), which side_by_side.h's
  // `helpers` are.
  struct Team {
    int threads = 1;
    Helpers helpers = Helpers::kNewThreads;
  };

  // `text`'s tokens, new pieces tokenised side by side by `team`.
  Result<std::vector<int32_t>> Tokenize(std::string_view text, Team team);
  Result<std::vector<int32_t>> Tokenize(std::string_view text) {
    return Tokenize(text, {.threads = options_.threads});
  }

  // The special token's text prompts are cut after; "" when they are
  // tokenised whole.
  const std::string& boundary() const { return boundary_; }
  Stats stats() const;

 private:
  struct Piece {
    std::string text;
    std::vector<int32_t> tokens;
    // What it counts against Options::cache_bytes.
    size_t bytes() const {
      return text.size() + tokens.size() * sizeof(int32_t) + sizeof(Piece);
    }
  };

  // A piece of the prompt being tokenised: its text, whether it ends with
  // the boundary (a whole message, which the cache may hold), its tokens.
  struct Part {
    std::string_view text;
    bool whole_message = false;
    bool cached = false;  // the tokens came from the cache
    std::vector<int32_t> tokens{};
  };

  // Fills the tokens of the parts the cache holds.
  void ReadCache(std::vector<Part>* parts);
  // Tokenises the parts that are not cached, side by side by `team` when
  // worth it.
  Status TokenizeNew(std::vector<Part>* parts, Team team);
  // Keeps a whole message's tokens, evicting the least recently used.
  void Keep(std::string_view text, std::vector<int32_t> tokens);
  // The pieces' tokens against the whole text's on a sample that puts the
  // boundary next to whitespace, other special tokens and non-ASCII text.
  bool PiecesMatchWhole(std::string_view sample) const;

  const ::llama_vocab* vocab_;
  const Options options_;
  const TextCuts cuts_;
  std::string boundary_;
  WordCache words_;

  mutable std::mutex mutex_;
  std::list<Piece> pieces_;  // most recently used first; guarded by mutex_
  std::unordered_map<std::string_view, std::list<Piece>::iterator>
      index_;         // by text
  size_t bytes_ = 0;  // guarded by mutex_
  Stats stats_;       // guarded by mutex_
};

}  // namespace duet::llama

#endif  // DUET_BACKEND_LLAMA_PROMPT_TOKENIZER_H_
