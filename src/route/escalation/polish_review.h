// The polish workflow's requests: Claude's (improve the local draft), and
// the review step's ([policy.polish] review): the local model reads the
// request, its own draft and Claude's improved version, and says whether
// it agrees with Claude's version or where it disagrees. The client gets Claude's version either way; the verdict is
// metadata (x-duet-review, x-duet-review-note, the ledger's review
// column), for the user to look twice where the two models part.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "model/chat.h"

namespace duet {

struct ReviewVerdict {
  std::string verdict;  // "agree", "disagree", "unsure", "failed"
  // For "disagree": the reviewer's one-sentence reason, printable ASCII
  // only, at most kReviewNoteChars; for "failed": which step failed.
  std::string note;
};

inline constexpr size_t kReviewNoteChars = 300;

// The request Claude gets in the polish workflow: the conversation, the
// local `draft` as its answer, and a request to improve it. An empty
// draft (a tool call, say) leaves the request as it was.
ChatRequest PolishRequest(const ChatRequest& original, const std::string& draft);

// The review request to the local model `model`: short, deterministic, not
// streamed; it asks for AGREE or DISAGREE plus one sentence.
ChatRequest ReviewRequest(const ChatRequest& original, const std::string& draft,
                          const ChatResponse& polished, const std::string& model);

// Reads the reviewer's reply: "disagree" when it says so (the rest of the
// reply, trimmed, is the note), else "agree" when it says that, else
// "unsure". Case-insensitive; the first verdict word wins.
ReviewVerdict ParseReview(std::string_view reply);

}  // namespace duet
