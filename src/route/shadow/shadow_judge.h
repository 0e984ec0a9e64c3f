// The judge's side of shadow evaluation: the question it is asked about
// two answers to one request, and how its reply is read.
//
// The judge sees the client's last user turn (its text), answer A (the
// local model's) and answer B (Claude's), and is asked whether they differ
// materially: in facts, conclusions, what code does, or whether they do
// what was asked; wording and style do not count. It replies SAME or
// DIFFERENT.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "model/chat.h"

namespace duet {

// The request to the judging model `model`: short, deterministic
// (temperature 0), never streamed.
ChatRequest JudgeRequest(const ChatRequest& original, const ChatResponse& local_answer,
                         const ChatResponse& claude_answer, const std::string& model);

// "same", "different", or "unsure" when the reply says neither (or both):
// the first of the two words in `reply`, case-insensitively, wins.
std::string ParseVerdict(std::string_view reply);

}  // namespace duet
