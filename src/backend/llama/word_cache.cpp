#include "backend/llama/word_cache.h"

#include <array>
#include <mutex>
#include <utility>

#include "backend/llama/prompt_tokenizer.h"
#include "llama.h"

namespace duet::llama {

WordCache::WordCache(const ::llama_vocab* vocab, const TextCuts* cuts,
                     Options options)
    : vocab_(vocab), cuts_(cuts), options_(options) {}

Result<std::vector<int32_t>> WordCache::Tokenize(std::string_view text) {
  if (options_.max_words == 0 || !cuts_->any()) {
    return TokenizeText(vocab_, text);
  }
  // The words the cache holds, looked up under the lock; their tokens stay
  // where they are (nothing is erased or changed once kept), so llama.cpp
  // tokenises the rest without it and other callers may keep words meanwhile.
  struct Hit {
    size_t begin;
    size_t end;
    const std::vector<int32_t>* tokens;
  };
  std::vector<Hit> hits;
  {
    std::shared_lock lock(mutex_);
    size_t word = 0;  // where the current word starts
    for (size_t at = 1; at <= text.size(); ++at) {
      if (at < text.size() && !cuts_->IsCut(text, at)) {
        continue;
      }
      if (at - word <= options_.max_word_bytes) {
        const auto found = words_.find(text.substr(word, at - word));
        if (found != words_.end()) {
          hits.push_back({.begin = word, .end = at, .tokens = &found->second});
        }
      }
      word = at;
    }
  }
  std::vector<int32_t> tokens;
  std::vector<Learned> learned;
  uint64_t reused_bytes = 0;
  size_t stretch = 0;  // where the text not yet tokenised starts
  for (const Hit& hit : hits) {
    DUET_RETURN_IF_ERROR(TokenizeStretch(
        text.substr(stretch, hit.begin - stretch), &tokens, &learned));
    tokens.insert(tokens.end(), hit.tokens->begin(), hit.tokens->end());
    reused_bytes += hit.end - hit.begin;
    stretch = hit.end;
  }
  DUET_RETURN_IF_ERROR(
      TokenizeStretch(text.substr(stretch), &tokens, &learned));
  words_reused_.fetch_add(hits.size(), std::memory_order_relaxed);
  bytes_reused_.fetch_add(reused_bytes, std::memory_order_relaxed);
  Keep(std::move(learned));
  return tokens;
}

Status WordCache::TokenizeStretch(std::string_view stretch,
                                  std::vector<int32_t>* tokens,
                                  std::vector<Learned>* learned) const {
  if (stretch.empty()) {
    return Status::Ok();
  }
  DUET_ASSIGN_OR_RETURN(std::vector<int32_t> own,
                        TokenizeText(vocab_, stretch));
  if (full_.load(std::memory_order_relaxed)) {
    tokens->insert(tokens->end(), own.begin(), own.end());
    return Status::Ok();
  }
  // Hand the tokens out to the words they spell, by their bytes. The cuts
  // inside the stretch are the text's own: each reads only bytes within it.
  size_t word = 0;      // where the current word starts
  size_t spelled = 0;   // bytes the tokens so far stand for
  size_t first = 0;     // the current word's first token
  size_t next_cut = 0;  // where the current word ends
  const auto find_cut = [&](size_t from) {
    size_t at = from + 1;
    while (at < stretch.size() && !cuts_->IsCut(stretch, at)) {
      ++at;
    }
    return std::min(at, stretch.size());
  };
  next_cut = find_cut(0);
  for (size_t i = 0; i < own.size(); ++i) {
    const int64_t bytes = SpelledAt(own[i], stretch, spelled);
    if (bytes <= 0) {
      break;  // a token that does not spell the text there: learn no more
    }
    spelled += static_cast<size_t>(bytes);
    if (spelled < next_cut) {
      continue;
    }
    if (spelled > next_cut) {
      break;  // a token across a cut: the words do not line up
    }
    if (next_cut - word <= options_.max_word_bytes) {
      const auto begin = own.begin() + static_cast<ptrdiff_t>(first);
      const auto end = own.begin() + static_cast<ptrdiff_t>(i + 1);
      learned->push_back({.word = stretch.substr(word, next_cut - word),
                          .tokens = std::vector<int32_t>(begin, end)});
    }
    word = next_cut;
    first = i + 1;
    if (word == stretch.size()) {
      break;
    }
    next_cut = find_cut(word);
  }
  tokens->insert(tokens->end(), own.begin(), own.end());
  return Status::Ok();
}

int64_t WordCache::SpelledAt(int32_t token, std::string_view text,
                             size_t at) const {
  std::array<char, 256> piece;  // NOLINT: written by llama.cpp
  const int32_t bytes = llama_token_to_piece(
      vocab_, token, piece.data(), static_cast<int32_t>(piece.size()), 0, true);
  if (bytes <= 0 ||
      text.substr(at).substr(0, static_cast<size_t>(bytes)) !=
          std::string_view(piece.data(), static_cast<size_t>(bytes))) {
    return -1;
  }
  return bytes;
}

void WordCache::Keep(std::vector<Learned> learned) {
  if (learned.empty()) {
    return;
  }
  std::unique_lock lock(mutex_);
  for (Learned& word : learned) {
    if (words_.size() >= options_.max_words) {
      full_.store(true, std::memory_order_relaxed);
      break;
    }
    words_.try_emplace(std::string(word.word), std::move(word.tokens));
  }
}

WordCache::Stats WordCache::stats() const {
  std::shared_lock lock(mutex_);
  return {.words_reused = words_reused_.load(std::memory_order_relaxed),
          .bytes_reused = bytes_reused_.load(std::memory_order_relaxed),
          .words_kept = words_.size()};
}

}  // namespace duet::llama
