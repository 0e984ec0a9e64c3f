#include "route/classify/task_classifier.h"

#include <cstdlib>
#include <span>

#include <spdlog/spdlog.h>

#include "route/classify/builtin_task_model.h"

namespace duet {
InstructionText ExtractInstruction(const ChatRequest& request) {
  InstructionText instruction;
  for (size_t i = request.messages.size(); i-- > 0;) {
    const Message& message = request.messages[i];
    if (message.role != Role::kUser) {
      continue;
    }
    std::string joined;
    for (const ContentBlock& block : message.content) {
      if (block.type == BlockType::kText && !block.text.empty()) {
        if (!joined.empty()) {
          joined.push_back('\n');
        }
        joined.append(block.text);
      }
    }
    if (!joined.empty()) {
      // A long paste (a document, a log) ends with its own text, not with
      // the instruction: past kLongPasteBytes only the head is read.
      instruction.text = joined.size() > kLongPasteBytes
                             ? HeadAndTail(joined, kInstructionHeadBytes, 0)
                             : HeadAndTail(joined);
      instruction.prior_turns = static_cast<int64_t>(i);
      return instruction;
    }
  }
  return instruction;
}

const TaskClassifier& TaskClassifier::BuiltIn() {
  static const TaskClassifier* const classifier = [] {
    // Copied out of the binary's read-only data onto huge pages
    // (huge_page_buffer.h): every routed request reads the weights at
    // random, and the copy is one 6 MiB memcpy at start-up.
    Result<TaskModel> model = TaskModel::FromBytes(BuiltInTaskModelBytes(),
                                                   /*copy=*/true);
    if (!model) {
      // The build made this model with this extractor: a mismatch is a
      // build defect, not an input problem.
      spdlog::critical("built-in task model: {}", model.error().ToString());
      std::abort();
    }
    return new TaskClassifier(std::move(*model));
  }();
  return *classifier;
}

TaskPrediction TaskClassifier::Classify(const ClassifierInput& input) const {
  thread_local std::vector<uint32_t> buckets;
  ExtractFeatures(input, &buckets);
  const TaskScores scores = model_.Score(buckets);
  TaskPrediction prediction;
  size_t best = 0;
  size_t second = 1;
  if (scores[second] > scores[best]) {
    std::swap(best, second);
  }
  for (size_t c = 2; c < scores.size(); ++c) {
    if (scores[c] > scores[best]) {
      second = best;
      best = c;
    } else if (scores[c] > scores[second]) {
      second = c;
    }
  }
  prediction.kind = static_cast<TaskKind>(best);
  prediction.confidence = scores[best];
  prediction.runner_up = static_cast<TaskKind>(second);
  prediction.runner_up_confidence = scores[second];
  return prediction;
}

}  // namespace duet
