// The text of requests and answers as the second-opinion prompts quote
// it (self-verification, the polish review, the shadow judge).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "model/chat.h"

namespace duet {

// The text blocks of the last user turn that has text, joined by
// newlines: what an answer answers. "" when there is none.
std::string LastUserText(const ChatRequest& request);

// An answer as a reader of it sees it: its text blocks, and each tool
// call as "[tool call NAME INPUT]". Thinking is left out.
std::string AnswerDigest(const ChatResponse& answer);

}  // namespace duet
