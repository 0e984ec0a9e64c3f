#include "route/classify/task_model.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <utility>

namespace duet {
namespace {

constexpr char kMagic[8] = {'D', 'U', 'E', 'T', 'T', 'A', 'S', 'K'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderWords = 6;
constexpr size_t kHeaderBytes = sizeof(kMagic) + kHeaderWords * 4;
constexpr size_t kWeightCount =
    static_cast<size_t>(kFeatureBuckets) * kClassStride;

static_assert(kClassStride >= kTaskKindCount);
static_assert(std::endian::native == std::endian::little,
              "the model format is little-endian");

uint32_t ReadWord(const uint8_t* at) {
  uint32_t value = 0;
  std::memcpy(&value, at, sizeof(value));
  return value;
}

void AppendWord(std::string* out, uint32_t value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(value));
}

}  // namespace

TaskModel::TaskModel() { Own(); }

void TaskModel::Own() {
  owned_ = HugePageBuffer(kWeightCount * sizeof(float));
  weights_ = owned_weights();
}

TaskModel::TaskModel(const TaskModel& other) : bias_(other.bias_), weights_(other.weights_) {
  if (!other.owned_.empty()) {
    Own();
    std::memcpy(owned_weights(), other.weights_, kWeightCount * sizeof(float));
  }
}

TaskModel& TaskModel::operator=(const TaskModel& other) {
  if (this != &other) {
    *this = TaskModel(other);
  }
  return *this;
}

TaskModel::TaskModel(TaskModel&& other) noexcept
    : bias_(other.bias_),
      owned_(std::move(other.owned_)),
      weights_(std::exchange(other.weights_, nullptr)) {}

TaskModel& TaskModel::operator=(TaskModel&& other) noexcept {
  if (this != &other) {
    bias_ = other.bias_;
    owned_ = std::move(other.owned_);
    weights_ = std::exchange(other.weights_, nullptr);
  }
  return *this;
}

Result<TaskModel> TaskModel::FromBytes(std::span<const uint8_t> bytes,
                                       bool copy) {
  const size_t expected = kHeaderBytes + kClassStride * sizeof(float) +
                          kWeightCount * sizeof(float);
  if (bytes.size() < kHeaderBytes ||
      std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return Error(InvalidArgument("task model: not a duet task model"));
  }
  const uint8_t* header = bytes.data() + sizeof(kMagic);
  const uint32_t format = ReadWord(header);
  const uint32_t features = ReadWord(header + 4);
  const uint32_t buckets = ReadWord(header + 8);
  const uint32_t stride = ReadWord(header + 12);
  const uint32_t classes = ReadWord(header + 16);
  if (format != kFormatVersion || features != kFeatureVersion ||
      buckets != kFeatureBuckets || stride != kClassStride ||
      classes != kTaskKindCount) {
    return Error(InvalidArgument(
        "task model: made for another version of the classifier (format " +
        std::to_string(format) + ", features " + std::to_string(features) +
        "); retrain it with train_task_classifier"));
  }
  if (bytes.size() != expected) {
    return Error(InvalidArgument("task model: truncated or oversized file"));
  }
  TaskModel model{Unallocated{}};
  const uint8_t* bias = header + kHeaderWords * 4;
  std::memcpy(model.bias_.data(), bias, kClassStride * sizeof(float));
  const uint8_t* weights = bias + kClassStride * sizeof(float);
  if (copy) {
    model.Own();
    std::memcpy(model.owned_weights(), weights, kWeightCount * sizeof(float));
  } else {
    if (reinterpret_cast<uintptr_t>(weights) % alignof(float) != 0) {
      return Error(InvalidArgument("task model: misaligned weights"));
    }
    model.weights_ = reinterpret_cast<const float*>(weights);
  }
  return model;
}

std::string TaskModel::ToBytes() const {
  std::string out(kMagic, sizeof(kMagic));
  AppendWord(&out, kFormatVersion);
  AppendWord(&out, kFeatureVersion);
  AppendWord(&out, kFeatureBuckets);
  AppendWord(&out, kClassStride);
  AppendWord(&out, kTaskKindCount);
  AppendWord(&out, 0);
  out.append(reinterpret_cast<const char*>(bias_.data()),
             kClassStride * sizeof(float));
  out.append(reinterpret_cast<const char*>(weights_),
             kWeightCount * sizeof(float));
  return out;
}

float FeatureScale(size_t occurrences) {
  return occurrences == 0 ? 0.0f
                          : 1.0f / std::sqrt(static_cast<float>(occurrences));
}

void Softmax(TaskScores* logits) {
  const float top = *std::max_element(logits->begin(), logits->end());
  float total = 0;
  for (float& value : *logits) {
    value = std::exp(value - top);
    total += value;
  }
  for (float& value : *logits) {
    value /= total;
  }
}

TaskScores TaskModel::Score(std::span<const uint32_t> buckets) const {
  // Accumulate the padded rows with a fixed-size loop the compiler turns
  // into vector adds.
  alignas(32) std::array<float, kClassStride> sum{};
  for (uint32_t bucket : buckets) {
    const float* weights = row(bucket);
    for (int c = 0; c < kClassStride; ++c) {
      sum[static_cast<size_t>(c)] += weights[c];
    }
  }
  const float scale = FeatureScale(buckets.size());
  TaskScores scores{};
  for (size_t c = 0; c < scores.size(); ++c) {
    scores[c] = bias_[c] + sum[c] * scale;
  }
  Softmax(&scores);
  return scores;
}

}  // namespace duet
