#if DUET_HAVE_GGUF
#include "model_files/gguf_tensor_writer.h"

#include <algorithm>
#include <cstring>

namespace duet::model_files {

GgufTensorWriter::GgufTensorWriter(ggml_type type, uint32_t seed, gguf_context* out)
    : type_(type), out_(out), random_(seed) {}

GgufTensorWriter::~GgufTensorWriter() {
  for (ggml_context* context : contexts_) {
    ggml_free(context);
  }
}

void GgufTensorWriter::Add(const std::string& name, const std::vector<int64_t>& ne,
                           float fill,
                           const std::function<void(std::vector<float>&)>& edit) {
  const bool constant = fill >= 0;
  const ggml_type type = constant ? GGML_TYPE_F32 : type_;
  const int64_t columns = ne.front();
  int64_t rows = 1;
  for (size_t i = 1; i < ne.size(); ++i) {
    rows *= ne[i];
  }
  std::vector<float> values(static_cast<size_t>(columns * rows));
  if (constant) {
    std::fill(values.begin(), values.end(), fill);
  } else {
    std::uniform_real_distribution<float> weight(-0.08f, 0.08f);
    for (float& value : values) {
      value = weight(random_);
    }
  }
  if (edit) {
    edit(values);
  }
  const size_t bytes = ggml_row_size(type, columns) * static_cast<size_t>(rows);
  ggml_init_params params = {ggml_tensor_overhead() + bytes, nullptr, false};
  ggml_context* context = ggml_init(params);
  contexts_.push_back(context);
  ggml_tensor* tensor =
      ggml_new_tensor(context, type, static_cast<int>(ne.size()), ne.data());
  ggml_set_name(tensor, name.c_str());
  if (type == GGML_TYPE_F32) {
    std::memcpy(tensor->data, values.data(), bytes);
  } else if (type == GGML_TYPE_F16) {
    ggml_fp32_to_fp16_row(values.data(), static_cast<ggml_fp16_t*>(tensor->data),
                          columns * rows);
  } else {
    ggml_quantize_chunk(type, values.data(), tensor->data, 0, rows, columns, nullptr);
  }
  gguf_add_tensor(out_, tensor);
}

}  // namespace duet::model_files

#endif  // DUET_HAVE_GGUF
