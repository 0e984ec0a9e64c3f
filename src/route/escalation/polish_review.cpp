#include "route/escalation/polish_review.h"

#include "core/ascii.h"
#include "route/answer_text.h"

namespace duet {
namespace {

// Printable ASCII, runs of anything else (newlines, non-Latin text)
// collapsed to one space, trimmed and cut to kReviewNoteChars: the note
// travels in a response header.
std::string NoteText(std::string_view text) {
  std::string note;
  for (const char c : text) {
    const bool printable = c >= 0x21 && c < 0x7f;
    if (printable) {
      note.push_back(c);
    } else if (!note.empty() && note.back() != ' ') {
      note.push_back(' ');
    }
  }
  const size_t first = note.find_first_not_of(" :-.,");
  note = first == std::string::npos ? "" : note.substr(first);
  while (!note.empty() && note.back() == ' ') {
    note.pop_back();
  }
  return note.substr(0, kReviewNoteChars);
}

}  // namespace

ChatRequest PolishRequest(const ChatRequest& original, const std::string& draft) {
  ChatRequest polished = original;
  if (draft.empty()) {
    return polished;
  }
  polished.messages.push_back({Role::kAssistant, {ContentBlock::Text(draft)}});
  polished.messages.push_back(
      {Role::kUser,
       {ContentBlock::Text("Improve your answer above: correct what is wrong, fill what is "
                           "missing, keep what is right, and keep to what I asked for. Reply "
                           "with the improved answer only.")}});
  return polished;
}

ChatRequest ReviewRequest(const ChatRequest& original, const std::string& draft,
                          const ChatResponse& polished, const std::string& model) {
  ChatRequest review;
  review.model = model;
  review.max_tokens = 80;
  review.sampling.temperature = 0.0;
  review.system = {ContentBlock::Text(
      "You review an improved answer. Reply AGREE if it does what the request asks and keeps "
      "what the draft got right. Otherwise reply DISAGREE and, in one sentence, where it goes "
      "wrong.")};
  review.messages.push_back(
      {Role::kUser,
       {ContentBlock::Text("Request:\n" + LastUserText(original) + "\n\nDraft:\n" + draft +
                           "\n\nImproved answer:\n" + AnswerDigest(polished) +
                           "\n\nReply AGREE, or DISAGREE and one sentence.")}});
  return review;
}

ReviewVerdict ParseReview(std::string_view reply) {
  const std::string lowered = AsciiLowered(reply);
  const size_t disagree = lowered.find("disagree");
  const size_t agree = lowered.find("agree");
  if (disagree != std::string::npos && disagree <= agree) {
    return {"disagree", NoteText(reply.substr(disagree + std::string_view("disagree").size()))};
  }
  if (agree != std::string::npos) {
    return {"agree", ""};
  }
  return {"unsure", ""};
}

}  // namespace duet
