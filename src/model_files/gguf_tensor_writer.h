// GgufTensorWriter: adds tensors of generated values to a GGUF file being
// built, for the random models and projectors that tests and benchmarks
// use (random_model.h, random_projector.h). Internal to model_files, and
// only built with llama.cpp's ggml (DUET_HAVE_GGUF).
//
// Thread safety: one writer per thread; ggml's quantization tables are
// process-wide, so do not quantize from two threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "ggml.h"
#include "gguf.h"

namespace duet::model_files {

class GgufTensorWriter {
 public:
  // Matrices are stored as `type`; `out` receives every tensor and must
  // outlive the writer (the tensors' data stays owned by the writer until
  // it is destroyed, so write the file first).
  GgufTensorWriter(ggml_type type, uint32_t seed, gguf_context* out);
  ~GgufTensorWriter();

  GgufTensorWriter(const GgufTensorWriter&) = delete;
  GgufTensorWriter& operator=(const GgufTensorWriter&) = delete;

  // Adds tensor `name` of shape `ne` (ggml's order: ne[0], the length of a
  // row, first; 1 to 4 dimensions). `fill` >= 0 makes it an F32 constant
  // (norm weights, zero biases); otherwise it gets small random values in
  // the writer's type. `edit`, when given, may change the values before
  // they are stored (row-major: values[row * ne[0] + column]).
  void Add(const std::string& name, const std::vector<int64_t>& ne,
           float fill = -1,
           const std::function<void(std::vector<float>&)>& edit = {});
  // A matrix of `rows` rows of `columns` values (one row: a vector).
  void Add(const std::string& name, int64_t columns, int64_t rows,
           float fill = -1,
           const std::function<void(std::vector<float>&)>& edit = {}) {
    Add(name, rows == 1 ? std::vector<int64_t>{columns}
                        : std::vector<int64_t>{columns, rows},
        fill, edit);
  }

 private:
  const ggml_type type_;
  gguf_context* out_;
  std::mt19937 random_;
  std::vector<ggml_context*> contexts_;
};

}  // namespace duet::model_files
