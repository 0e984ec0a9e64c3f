#include "backend/llama/prompt_tokenizer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>

#include "llama.h"

namespace duet::llama {

namespace {

constexpr int32_t kPartitionedAttributes = LLAMA_TOKEN_ATTR_CONTROL |
                                           LLAMA_TOKEN_ATTR_USER_DEFINED |
                                           LLAMA_TOKEN_ATTR_UNKNOWN;

bool IsSpace(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// True when a proper suffix of `a` is a proper prefix of `b`.
bool SuffixIsPrefix(std::string_view a, std::string_view b) {
  for (size_t n = 1; n < std::min(a.size(), b.size()); ++n) {
    if (a.substr(a.size() - n) == b.substr(0, n)) {
      return true;
    }
  }
  return false;
}

bool Overlaps(std::string_view a, std::string_view b) {
  return a.find(b) != std::string_view::npos ||
         b.find(a) != std::string_view::npos || SuffixIsPrefix(a, b) ||
         SuffixIsPrefix(b, a);
}

std::string TokenizerModel(const ::llama_model* model) {
  std::array<char, 64> name{};
  if (llama_model_meta_val_str(model, "tokenizer.ggml.model", name.data(),
                               name.size()) < 0) {
    return "";
  }
  return name.data();
}

// True when `token` can be the boundary (header): partitioned as special,
// strips nothing, and no special token at least as long overlaps its text.
bool CanBeBoundary(const ::llama_vocab* vocab, llama_token token) {
  const int32_t attributes = llama_vocab_get_attr(vocab, token);
  const char* text = llama_vocab_get_text(vocab, token);
  if ((attributes &
       (LLAMA_TOKEN_ATTR_CONTROL | LLAMA_TOKEN_ATTR_USER_DEFINED)) == 0 ||
      (attributes & (LLAMA_TOKEN_ATTR_LSTRIP | LLAMA_TOKEN_ATTR_RSTRIP)) != 0 ||
      text == nullptr) {
    return false;
  }
  const std::string_view boundary = text;
  if (boundary.empty() || IsSpace(boundary.front()) ||
      IsSpace(boundary.back()) || SuffixIsPrefix(boundary, boundary)) {
    return false;
  }
  // Special tokens are matched longest first: one at least as long that
  // overlaps the boundary's text could be matched across a cut.
  const int32_t n_tokens = llama_vocab_n_tokens(vocab);
  for (llama_token other = 0; other < n_tokens; ++other) {
    if (other == token ||
        (llama_vocab_get_attr(vocab, other) & kPartitionedAttributes) == 0) {
      continue;
    }
    const char* other_text = llama_vocab_get_text(vocab, other);
    if (other_text != nullptr &&
        std::string_view(other_text).size() >= boundary.size() &&
        Overlaps(other_text, boundary)) {
      return false;
    }
  }
  return true;
}

// The boundary's text, or "" when prompts must be tokenised whole (header).
// The end-of-generation token that the model's chat template writes most
// often, or else end-of-turn, or else end-of-sequence.
std::string ChooseBoundary(const ::llama_model* model,
                           const ::llama_vocab* vocab) {
  // SentencePiece, and byte-level BPE but for the two tokenizer models
  // whose llama.cpp sessions differ from the plain one.
  const enum llama_vocab_type type = llama_vocab_type(vocab);
  const std::string tokenizer = TokenizerModel(model);
  if (type != LLAMA_VOCAB_TYPE_SPM &&
      (type != LLAMA_VOCAB_TYPE_BPE || tokenizer == "hybriddna" ||
       tokenizer == "whitespace")) {
    return "";
  }
  const char* chat_template = llama_model_chat_template(model, nullptr);
  const std::string_view written =
      chat_template != nullptr ? chat_template : "";
  std::vector<llama_token> candidates;
  if (llama_vocab_eot(vocab) != LLAMA_TOKEN_NULL) {
    candidates.push_back(llama_vocab_eot(vocab));
  }
  const int32_t n_tokens = llama_vocab_n_tokens(vocab);
  for (llama_token token = 0; token < n_tokens; ++token) {
    if (llama_vocab_is_eog(vocab, token) && token != llama_vocab_eot(vocab)) {
      candidates.push_back(token);
    }
  }
  std::vector<llama_token> usable;
  for (llama_token token : candidates) {
    if (CanBeBoundary(vocab, token)) {
      usable.push_back(token);
    }
  }
  // The one the template writes most often: it closes every message.
  const auto occurrences = [written](std::string_view text) {
    size_t count = 0;
    for (size_t at = written.find(text); at != std::string_view::npos;
         at = written.find(text, at + text.size())) {
      ++count;
    }
    return count;
  };
  llama_token most_written = LLAMA_TOKEN_NULL;
  size_t most = 0;
  for (llama_token token : usable) {
    const size_t count = occurrences(llama_vocab_get_text(vocab, token));
    if (count > most) {
      most = count;
      most_written = token;
    }
  }
  if (most_written != LLAMA_TOKEN_NULL) {
    return llama_vocab_get_text(vocab, most_written);
  }
  for (llama_token token : {llama_vocab_eot(vocab), llama_vocab_eos(vocab)}) {
    if (std::find(usable.begin(), usable.end(), token) != usable.end()) {
      return llama_vocab_get_text(vocab, token);
    }
  }
  return usable.empty() ? "" : llama_vocab_get_text(vocab, usable.front());
}

// Calls `each(piece, ends_with_boundary)` for the pieces of `text` cut right
// after each occurrence of `boundary` (non-empty).
template <typename Each>
Status ForEachPiece(std::string_view text, std::string_view boundary,
                    Each each) {
  size_t start = 0;
  for (size_t found = text.find(boundary); found != std::string_view::npos;
       found = text.find(boundary, start)) {
    const size_t end = found + boundary.size();
    DUET_RETURN_IF_ERROR(each(text.substr(start, end - start), true));
    start = end;
  }
  if (start < text.size()) {
    DUET_RETURN_IF_ERROR(each(text.substr(start), false));
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<int32_t>> TokenizeText(const ::llama_vocab* vocab,
                                          std::string_view text,
                                          ControlSpelling spelling) {
  std::vector<llama_token> tokens(text.size() + 16);
  const auto length = static_cast<int32_t>(text.size());
  const bool parse_special = spelling == ControlSpelling::kToken;
  int32_t n = llama_tokenize(vocab, text.data(), length, tokens.data(),
                             static_cast<int32_t>(tokens.size()),
                             /*add_special=*/false, parse_special);
  if (n < 0) {
    tokens.resize(static_cast<size_t>(-n));
    n = llama_tokenize(vocab, text.data(), length, tokens.data(),
                       static_cast<int32_t>(tokens.size()), false, parse_special);
  }
  if (n < 0) {
    return Error(Internal("tokenising the prompt failed"));
  }
  tokens.resize(static_cast<size_t>(n));
  return tokens;
}

PromptTokenizer::PromptTokenizer(const ::llama_model* model, Options options)
    : vocab_(llama_model_get_vocab(model)),
      options_(options),
      cuts_(model),
      words_(vocab_, &cuts_, options_.words) {
  boundary_ = ChooseBoundary(model, vocab_);
  if (boundary_.empty()) {
    return;
  }
  const std::string& b = boundary_;
  const std::string sample = "Hello, wörld 12345  \n" + b +
                             "\n\n  next:\tline " + b + b + " x" + b +
                             "\n日本語のテキスト " + b + "  \t" + b + "end";
  if (!PiecesMatchWhole(sample)) {
    spdlog::warn(
        "the tokenizer does not split at {}; prompts are tokenised whole", b);
    boundary_.clear();
  }
}

bool PromptTokenizer::PiecesMatchWhole(std::string_view sample) const {
  Result<std::vector<int32_t>> whole = TokenizeText(vocab_, sample);
  std::vector<int32_t> pieces;
  const Status cut = ForEachPiece(
      sample, boundary_, [&](std::string_view piece, bool) -> Status {
        DUET_ASSIGN_OR_RETURN(std::vector<int32_t> tokens,
                              TokenizeText(vocab_, piece));
        pieces.insert(pieces.end(), tokens.begin(), tokens.end());
        return Status::Ok();
      });
  return whole && cut.ok() && *whole == pieces;
}

Result<std::vector<int32_t>> PromptTokenizer::Tokenize(std::string_view text, Team team) {
  std::vector<Part> parts;
  if (boundary_.empty()) {
    parts.push_back({.text = text});  // one piece, which TextCuts may still cut
  } else {
    DUET_RETURN_IF_ERROR(ForEachPiece(
        text, boundary_, [&](std::string_view piece, bool whole_message) -> Status {
          parts.push_back({.text = piece, .whole_message = whole_message});
          return Status::Ok();
        }));
  }
  ReadCache(&parts);
  DUET_RETURN_IF_ERROR(TokenizeNew(&parts, team));
  std::vector<int32_t> tokens;
  for (Part& part : parts) {
    tokens.insert(tokens.end(), part.tokens.begin(), part.tokens.end());
    if (part.whole_message && !part.cached) {
      Keep(part.text, std::move(part.tokens));
    }
  }
  return tokens;
}

void PromptTokenizer::ReadCache(std::vector<Part>* parts) {
  std::lock_guard lock(mutex_);
  for (Part& part : *parts) {
    if (!part.whole_message) {
      continue;
    }
    const auto found = index_.find(part.text);
    if (found == index_.end()) {
      continue;
    }
    pieces_.splice(pieces_.begin(), pieces_, found->second);
    part.tokens = found->second->tokens;
    part.cached = true;
    ++stats_.pieces_reused;
    stats_.bytes_reused += part.text.size();
  }
}

Status PromptTokenizer::TokenizeNew(std::vector<Part>* parts, Team team) {
  size_t bytes = 0;
  for (const Part& part : *parts) {
    bytes += part.cached ? 0 : part.text.size();
  }
  const auto most =
      static_cast<size_t>(std::clamp(team.threads, 1, std::max(1, options_.threads)));
  const bool side_by_side = most > 1 && bytes > 0 && bytes >= options_.parallel_bytes;
  // The work: each new part whole, or side by side cut where the tokenizer
  // allows into about two shares a thread, so that the threads finish
  // together. A part's chunks follow each other, in order.
  struct Chunk {
    Part* part;
    std::string_view text;
    std::vector<int32_t> tokens{};
    Status failure{};
  };
  std::vector<Chunk> chunks;
  const size_t share = bytes / (2 * most);
  uint64_t split_messages = 0;
  for (Part& part : *parts) {
    if (part.cached) {
      continue;
    }
    if (!side_by_side || part.text.size() <= share) {
      chunks.push_back({.part = &part, .text = part.text});
      continue;
    }
    const std::vector<std::string_view> pieces = cuts_.Split(part.text, share);
    split_messages += pieces.size() > 1 ? 1 : 0;
    for (std::string_view piece : pieces) {
      chunks.push_back({.part = &part, .text = piece});
    }
  }
  // Largest first, so that no thread is left with a long chunk at the end.
  std::vector<Chunk*> order;
  for (Chunk& chunk : chunks) {
    order.push_back(&chunk);
  }
  std::sort(order.begin(), order.end(), [](const Chunk* a, const Chunk* b) {
    return a->text.size() > b->text.size();
  });
  // No more threads than the largest chunk leaves work for: a thread
  // started for a scrap costs more than it saves.
  const size_t largest = order.empty() ? 0 : order.front()->text.size();
  const size_t useful = largest == 0 ? 1 : (bytes + largest / 2) / largest;
  const size_t workers = side_by_side ? std::min({order.size(), most, useful}) : 1;
  std::atomic<size_t> next{0};
  const auto work = [&] {
    for (size_t i = next.fetch_add(1); i < order.size(); i = next.fetch_add(1)) {
      Result<std::vector<int32_t>> tokens = words_.Tokenize(order[i]->text);
      if (tokens) {
        order[i]->tokens = std::move(*tokens);
      } else {
        order[i]->failure = tokens.error();
      }
    }
  };
  const int ran = RunSideBySide(static_cast<int>(workers), team.helpers, work);
  {
    std::lock_guard lock(mutex_);
    stats_.bytes_tokenised += bytes;
    stats_.parallel_prompts += ran > 1 ? 1 : 0;
    stats_.split_messages += split_messages;
  }
  for (Chunk& chunk : chunks) {
    DUET_RETURN_IF_ERROR(std::move(chunk.failure));
    std::vector<int32_t>& tokens = chunk.part->tokens;
    if (tokens.empty()) {
      tokens = std::move(chunk.tokens);
    } else {
      tokens.insert(tokens.end(), chunk.tokens.begin(), chunk.tokens.end());
    }
  }
  return Status::Ok();
}

void PromptTokenizer::Keep(std::string_view text, std::vector<int32_t> tokens) {
  Piece kept{std::string(text), std::move(tokens)};
  std::lock_guard lock(mutex_);
  // Too big to keep, or another thread kept it meanwhile.
  if (kept.bytes() > options_.cache_bytes || index_.count(text) != 0) {
    return;
  }
  bytes_ += kept.bytes();
  pieces_.push_front(std::move(kept));
  index_.emplace(pieces_.front().text, pieces_.begin());
  while (bytes_ > options_.cache_bytes) {
    const Piece& oldest = pieces_.back();
    bytes_ -= oldest.bytes();
    index_.erase(oldest.text);
    pieces_.pop_back();
  }
}

PromptTokenizer::Stats PromptTokenizer::stats() const {
  Stats stats;
  {
    std::lock_guard lock(mutex_);
    stats = stats_;
  }
  stats.words = words_.stats();
  return stats;
}

}  // namespace duet::llama
