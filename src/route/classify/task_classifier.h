// TaskClassifier: maps a request to one of the guide's task kinds with a
// confidence, offline and in-process, in microseconds.
//
// It reads the instruction — the latest user text, its head and tail when
// long — and the request's size and shape (text_features.h); it never reads
// the whole of a pasted document, so its cost is bounded whatever the
// request's size. The built-in model is trained at build time from
// data/routing/corpus by tools/train_task_classifier and linked into the
// binary.
//
// Thread safety: immutable; Classify is thread-safe.
#pragma once

#include <string>

#include "model/chat.h"
#include "route/classify/task_model.h"

namespace duet {

struct TaskPrediction {
  TaskKind kind = TaskKind::kGeneralQa;
  float confidence = 0;    // the kind's probability
  TaskKind runner_up = TaskKind::kGeneralQa;
  float runner_up_confidence = 0;
};

// The classifier's view of a request: the text of the latest user message
// that has text (tool results are skipped: in an agent loop the
// instruction is the last thing the user typed), cut by HeadAndTail.
struct InstructionText {
  std::string text;
  int64_t prior_turns = 0;
};

// Past this size the latest user text is read by its head alone.
inline constexpr size_t kLongPasteBytes = 16 * 1024;

InstructionText ExtractInstruction(const ChatRequest& request);

class TaskClassifier {
 public:
  explicit TaskClassifier(TaskModel model) : model_(std::move(model)) {}

  // The model trained from the project's corpus, built into the binary.
  static const TaskClassifier& BuiltIn();

  TaskPrediction Classify(const ClassifierInput& input) const;

 private:
  TaskModel model_;
};

}  // namespace duet
