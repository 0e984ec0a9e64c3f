// StopMatcher: turns the pieces a model decodes into text that is safe to
// stream, honouring stop sequences and UTF-8.
//
// Token pieces do not line up with characters or with stop sequences: a
// multi-byte character can arrive split over two tokens, and a stop sequence
// can start in one piece and end three pieces later. Push() therefore holds
// back (a) an incomplete UTF-8 sequence at the end and (b) the longest tail
// that is still the start of some stop sequence, and releases it once the
// next pieces show it is neither. When a stop sequence completes, the text
// before it is released, the sequence itself and anything after it are
// dropped, and matched() says which one it was.
//
// Thread safety: none; one matcher per answer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace duet::llama {

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stop_sequences);

  // Adds `piece`; returns the text that may now be sent. After a match,
  // returns "" for every later piece.
  std::string Push(std::string_view piece);

  // Releases what is held back at the end of the answer (an incomplete
  // UTF-8 tail is dropped: it can no longer be completed).
  std::string Finish();

  bool stopped() const { return !matched_.empty(); }
  // The stop sequence that ended the answer, or "".
  const std::string& matched() const { return matched_; }

 private:
  std::vector<std::string> stops_;
  std::string pending_;  // received, not yet released
  std::string matched_;
};

// The length of the longest prefix of `text` that ends on a UTF-8 character
// boundary (a trailing incomplete sequence is excluded).
size_t CompleteUtf8Prefix(std::string_view text);

}  // namespace duet::llama
