#include "route/classify/training.h"

#include <algorithm>
#include <random>
#include <utility>

namespace duet {
namespace {

// One example as distinct buckets with their scaled counts: the sparse
// vector SGD multiplies by.
struct SparseExample {
  std::vector<std::pair<uint32_t, float>> features;
  size_t label = 0;
};

SparseExample Vectorize(const TrainingExample& example,
                        std::vector<uint32_t>* scratch) {
  const std::string text = HeadAndTail(example.text);
  ExtractFeatures({.text = text, .request_tokens = example.request_tokens}, scratch);
  const float scale = FeatureScale(scratch->size());
  std::sort(scratch->begin(), scratch->end());
  SparseExample sparse;
  sparse.label = static_cast<size_t>(example.kind);
  for (size_t i = 0; i < scratch->size();) {
    size_t j = i;
    while (j < scratch->size() && (*scratch)[j] == (*scratch)[i]) {
      ++j;
    }
    sparse.features.emplace_back((*scratch)[i],
                                 static_cast<float>(j - i) * scale);
    i = j;
  }
  return sparse;
}

void Step(const SparseExample& example, float rate, float l2,
          TaskModel* model) {
  TaskScores logits{};
  const float* bias = model->mutable_bias();
  for (size_t c = 0; c < logits.size(); ++c) {
    logits[c] = bias[c];
  }
  for (const auto& [bucket, value] : example.features) {
    const float* row = model->row(bucket);
    for (size_t c = 0; c < logits.size(); ++c) {
      logits[c] += row[c] * value;
    }
  }
  Softmax(&logits);
  TaskScores gradient = logits;
  gradient[example.label] -= 1.0f;
  float* mutable_bias = model->mutable_bias();
  for (size_t c = 0; c < gradient.size(); ++c) {
    mutable_bias[c] -= rate * gradient[c];
  }
  for (const auto& [bucket, value] : example.features) {
    float* row = model->mutable_row(bucket);
    for (size_t c = 0; c < gradient.size(); ++c) {
      row[c] -= rate * (gradient[c] * value + l2 * row[c]);
    }
  }
}

}  // namespace

TaskModel TrainTaskModel(std::span<const TrainingExample> examples,
                         const TrainingOptions& options) {
  std::vector<SparseExample> vectors;
  vectors.reserve(examples.size());
  std::vector<uint32_t> scratch;
  for (const TrainingExample& example : examples) {
    vectors.push_back(Vectorize(example, &scratch));
  }
  std::vector<size_t> order(vectors.size());
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  // Our own Fisher-Yates over mt19937 (whose output the standard fixes),
  // so the model is the same with every standard library.
  std::mt19937 random(options.seed);
  TaskModel model;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    for (size_t i = order.size(); i > 1; --i) {
      const size_t j = random() % i;
      std::swap(order[i - 1], order[j]);
    }
    const float rate = options.learning_rate /
                       (1.0f + static_cast<float>(epoch) / 4.0f);
    for (size_t index : order) {
      Step(vectors[index], rate, options.l2, &model);
    }
  }
  return model;
}

Evaluation EvaluateTaskModel(const TaskModel& model,
                             std::span<const TrainingExample> examples) {
  Evaluation evaluation;
  std::vector<uint32_t> buckets;
  for (const TrainingExample& example : examples) {
    const std::string text = HeadAndTail(example.text);
    ExtractFeatures({.text = text, .request_tokens = example.request_tokens}, &buckets);
    const TaskScores scores = model.Score(buckets);
    const auto predicted = static_cast<size_t>(
        std::max_element(scores.begin(), scores.end()) - scores.begin());
    const auto truth = static_cast<size_t>(example.kind);
    ++evaluation.total;
    ++evaluation.per_kind_total[truth];
    ++evaluation.confusion[truth][predicted];
    if (predicted == truth) {
      ++evaluation.correct;
      ++evaluation.per_kind_correct[truth];
    }
  }
  return evaluation;
}

}  // namespace duet
