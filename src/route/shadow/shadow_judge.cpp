#include "route/shadow/shadow_judge.h"

#include "core/ascii.h"
#include "route/answer_text.h"

namespace duet {

ChatRequest JudgeRequest(const ChatRequest& original, const ChatResponse& local_answer,
                         const ChatResponse& claude_answer, const std::string& model) {
  ChatRequest judge;
  judge.model = model;
  judge.max_tokens = 8;
  judge.sampling.temperature = 0.0;
  judge.system = {ContentBlock::Text(
      "You compare two answers to the same request. Reply with one word: SAME if they agree "
      "on everything that matters (facts, conclusions, what code does, whether they do what "
      "was asked), DIFFERENT if they do not. Wording, length and style do not count.")};
  judge.messages.push_back(
      {Role::kUser,
       {ContentBlock::Text("Request:\n" + LastUserText(original) + "\n\nAnswer A:\n" +
                           AnswerDigest(local_answer) + "\n\nAnswer B:\n" +
                           AnswerDigest(claude_answer) +
                           "\n\nDo A and B differ materially? Reply SAME or DIFFERENT.")}});
  return judge;
}

std::string ParseVerdict(std::string_view reply) {
  const std::string lowered = AsciiLowered(reply);
  const size_t same = lowered.find("same");
  const size_t different = lowered.find("differ");  // "different", "differs"
  if (same == different) {  // both npos
    return "unsure";
  }
  return same < different ? "same" : "different";
}

}  // namespace duet
