// Training and evaluation of the task classifier (TaskModel): stochastic
// gradient descent on the softmax cross-entropy, deterministic for a given
// seed and example order.
//
// Used by tools/train_task_classifier (which builds the shipped model from
// data/routing/corpus at build time) and by tests.
//
// Thread safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "route/classify/task_model.h"

namespace duet {

struct TrainingExample {
  std::string text;            // the instruction (cut by HeadAndTail here)
  int64_t request_tokens = 0;  // the whole request's size
  TaskKind kind = TaskKind::kGeneralQa;
};

struct TrainingOptions {
  int epochs = 30;
  float learning_rate = 2.0f;  // decays as 1 / (1 + epoch / 4)
  float l2 = 1e-5f;            // weight decay on the rows an example touches
  uint32_t seed = 20260225;    // example order per epoch
};

// A model fitted to `examples`.
TaskModel TrainTaskModel(std::span<const TrainingExample> examples,
                         const TrainingOptions& options = {});

struct Evaluation {
  int64_t total = 0;
  int64_t correct = 0;
  std::array<int64_t, kTaskKindCount> per_kind_total{};
  std::array<int64_t, kTaskKindCount> per_kind_correct{};
  // confusion[truth][predicted]
  std::array<std::array<int64_t, kTaskKindCount>, kTaskKindCount> confusion{};

  double accuracy() const {
    return total == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(total);
  }
};

Evaluation EvaluateTaskModel(const TaskModel& model,
                             std::span<const TrainingExample> examples);

}  // namespace duet
