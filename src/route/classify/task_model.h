// TaskModel: the task classifier's weights, a multinomial logistic
// regression over hashed text features (text_features.h), and the binary
// format they are stored in.
//
// Layout: for each feature bucket, one row of kClassStride floats (one per
// task kind, padded), so scoring a feature touches one cache-friendly row.
// File format (little-endian): "DUETTASK", u32 format version, u32 feature
// version, u32 buckets, u32 class stride, u32 classes, u32 reserved, then
// `classes` floats of bias padded to the stride, then buckets x stride
// floats of weights.
//
// Thread safety: immutable once built; Score is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/huge_page_buffer.h"
#include "core/status.h"
#include "route/classify/task_kinds.h"
#include "route/classify/text_features.h"

namespace duet {

inline constexpr int kClassStride = 24;  // kTaskKindCount, padded

using TaskScores = std::array<float, kTaskKindCount>;

class TaskModel {
 public:
  // A model of zeros (every kind equally likely).
  TaskModel();

  // Reads a serialized model, copying its weights onto huge pages when
  // `copy` is true; otherwise the bytes must outlive the model, which reads
  // them in place. kInvalidArgument when the bytes are not a model of
  // this extractor's feature version and size.
  static Result<TaskModel> FromBytes(std::span<const uint8_t> bytes,
                                     bool copy);

  // The serialized model (FromBytes' input).
  std::string ToBytes() const;

  // Class probabilities (softmax) for one feature list (with repeats, as
  // ExtractFeatures produces them).
  TaskScores Score(std::span<const uint32_t> buckets) const;

  // Mutable access for training. REQUIRES: the model owns its weights
  // (built by the default constructor or FromBytes(copy = true)).
  float* mutable_row(uint32_t bucket) {
    return owned_weights() + static_cast<size_t>(bucket) * kClassStride;
  }
  float* mutable_bias() { return bias_.data(); }
  const float* row(uint32_t bucket) const {
    return weights_ + static_cast<size_t>(bucket) * kClassStride;
  }

  TaskModel(const TaskModel& other);
  TaskModel& operator=(const TaskModel& other);
  TaskModel(TaskModel&& other) noexcept;
  TaskModel& operator=(TaskModel&& other) noexcept;
  ~TaskModel() = default;

 private:
  struct Unallocated {};
  explicit TaskModel(Unallocated) {}
  float* owned_weights() { return static_cast<float*>(owned_.data()); }
  void Own();  // allocates owned_ (zeros) and points weights_ at it

  std::array<float, kClassStride> bias_{};
  // The weights the model owns, on huge pages where the system has them
  // (huge_page_buffer.h: Score reads a few thousand scattered rows of these
  // 6 MiB per request); empty when viewing external bytes.
  HugePageBuffer owned_;
  const float* weights_ = nullptr;   // kFeatureBuckets x kClassStride
};

// Feature scale shared by training and scoring: each occurrence counts
// 1/sqrt(occurrences), so long and short texts weigh alike.
float FeatureScale(size_t occurrences);

// Softmax of `logits` in place.
void Softmax(TaskScores* logits);

}  // namespace duet
