// LogprobAligner: keeps each scored token with the text it produced, so its
// logprob leaves the engine on the delta that carries that text.
//
// Answer text does not leave the engine token by token: the StopMatcher
// holds back a tail that may still become a stop sequence or complete a
// split UTF-8 character, and later releases it, always as the next bytes
// of what was pushed. The aligner mirrors that byte stream. A token goes
// out with the release that contains its first byte; a token with no text
// (a control token) with the first release of text after it. Tokens a
// stop sequence swallowed, which are never released, are dropped by
// Clear(); at an answer's natural end TakeAll() hands over the rest (an
// incomplete character the matcher drops, trailing textless tokens).
//
// Thread safety: none; one per answer, on the inference thread.
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include "model/chat.h"

namespace duet::llama {

class LogprobAligner {
 public:
  // Adds the token whose text (entry.token) was just pushed into the
  // StopMatcher.
  void Add(TokenLogprob entry);

  // The matcher released `bytes` more bytes: returns, in order, the tokens
  // whose first byte is now released.
  std::vector<TokenLogprob> Release(size_t bytes);

  // Every token still held, in order; the aligner is empty afterwards.
  std::vector<TokenLogprob> TakeAll();

  // Forgets every token still held and starts over at byte 0.
  void Clear();

 private:
  struct Held {
    size_t start = 0;  // offset of the token's first byte in the stream
    TokenLogprob entry;
  };

  std::deque<Held> held_;
  size_t added_ = 0;     // bytes of every token added so far
  size_t released_ = 0;  // bytes released so far
};

// Structured answers (tools, thinking) pass through a parser that knows no
// token boundaries. Hands `logprobs` (of text given to the parser) to the
// text delta among `events` (the last, if several), or drops them when the
// parser made reasoning or a tool call of that text instead; with neither,
// the parser is still holding the text and they stay in `logprobs`.
void AttachParserLogprobs(std::vector<ChatEvent>* events,
                          std::vector<TokenLogprob>* logprobs);

}  // namespace duet::llama
