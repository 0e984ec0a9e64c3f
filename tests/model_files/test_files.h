// Helpers for the model_files tests: a temporary folder, small file
// writers, and GgufBuilder, which writes GGUF files byte by byte from the
// format's description (so the reader under test is checked against the
// format, not against itself) and can write broken ones on purpose.
//
// Thread safety: none; use from the test's thread.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace duet::model_files::testing {

// A fresh folder under $TMPDIR (or /tmp), removed with its contents when
// this goes away.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base ? base : "/tmp") + "/duet-model-files-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed for " << pattern;
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(std::string_view relative) const {
    return path_ + "/" + std::string(relative);
  }

 private:
  std::string path_;
};

// Writes `bytes` to `path`, creating its folders.
inline void WriteFile(const std::string& path, std::string_view bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// GGUF value types and the ggml tensor types the tests use (gguf.h).
enum GgufType : uint32_t {
  kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6,
  kBool = 7, kString = 8, kArray = 9, kU64 = 10, kI64 = 11, kF64 = 12,
};
enum TensorType : uint32_t { kTensorF32 = 0, kTensorF16 = 1, kTensorQ8_0 = 8 };

class GgufBuilder {
 public:
  GgufBuilder& String(std::string_view key, std::string_view value) {
    Key(key, kString);
    PutString(&kv_, value);
    ++kv_count_;
    return *this;
  }
  GgufBuilder& U32(std::string_view key, uint32_t value) {
    Key(key, kU32);
    Put(&kv_, value);
    ++kv_count_;
    return *this;
  }
  GgufBuilder& U64(std::string_view key, uint64_t value) {
    Key(key, kU64);
    Put(&kv_, value);
    ++kv_count_;
    return *this;
  }
  GgufBuilder& I32(std::string_view key, int32_t value) {
    Key(key, kI32);
    Put(&kv_, value);
    ++kv_count_;
    return *this;
  }
  // An array of strings (like tokenizer.ggml.tokens).
  GgufBuilder& Strings(std::string_view key, const std::vector<std::string>& values) {
    Key(key, kArray);
    Put<uint32_t>(&kv_, kString);
    Put<uint64_t>(&kv_, values.size());
    for (const std::string& value : values) {
      PutString(&kv_, value);
    }
    ++kv_count_;
    return *this;
  }
  // A tensor of `type` with `dims` (innermost first), its data laid out
  // after the previous one's, padded to the alignment. Sizes follow the
  // type: F32 4 bytes an element, F16 2, Q8_0 34 for each 32 (so dims[0]
  // must be a multiple of 32 for Q8_0).
  GgufBuilder& Tensor(std::string_view name, std::vector<uint64_t> dims, TensorType type) {
    uint64_t elements = 1;
    for (uint64_t dim : dims) {
      elements *= dim;
    }
    const uint64_t bytes = type == kTensorF32   ? elements * 4
                           : type == kTensorF16 ? elements * 2
                                                : elements / 32 * 34;
    PutString(&tensors_, name);
    Put<uint32_t>(&tensors_, static_cast<uint32_t>(dims.size()));
    for (uint64_t dim : dims) {
      Put(&tensors_, dim);
    }
    Put<uint32_t>(&tensors_, type);
    Put<uint64_t>(&tensors_, data_.size());
    data_.append(bytes, '\x01');
    data_.append(Padding(data_.size()), '\0');
    ++tensor_count_;
    return *this;
  }
  // Header counts to write instead of the real ones (hostile files).
  GgufBuilder& ClaimCounts(uint64_t tensors, uint64_t kv) {
    claimed_tensors_ = tensors;
    claimed_kv_ = kv;
    return *this;
  }

  std::string Build() const {
    std::string out = "GGUF";
    Put<uint32_t>(&out, 3);
    Put<uint64_t>(&out, claimed_tensors_ ? claimed_tensors_ : tensor_count_);
    Put<uint64_t>(&out, claimed_kv_ ? claimed_kv_ : kv_count_);
    out += kv_;
    out += tensors_;
    if (tensor_count_ > 0) {
      out.append(Padding(out.size()), '\0');
      out += data_;
    }
    return out;
  }

 private:
  static constexpr uint64_t kAlignment = 32;

  static size_t Padding(size_t size) {
    return static_cast<size_t>((kAlignment - size % kAlignment) % kAlignment);
  }
  template <typename T>
  static void Put(std::string* out, T value) {
    out->append(reinterpret_cast<const char*>(&value), sizeof(value));
  }
  static void PutString(std::string* out, std::string_view text) {
    Put<uint64_t>(out, text.size());
    out->append(text);
  }
  void Key(std::string_view key, GgufType type) {
    PutString(&kv_, key);
    Put<uint32_t>(&kv_, type);
  }

  std::string kv_;
  std::string tensors_;
  std::string data_;
  uint64_t kv_count_ = 0;
  uint64_t tensor_count_ = 0;
  uint64_t claimed_tensors_ = 0;
  uint64_t claimed_kv_ = 0;
};

// A small valid model file: llama, 4,096-token context, a chat template,
// F32 tensors of 64 + 8 * 16 = 192 parameters.
inline std::string SmallModel() {
  return GgufBuilder()
      .String("general.architecture", "llama")
      .String("general.name", "small test model")
      .U32("llama.context_length", 4096)
      .U32("general.file_type", 0)
      .String("tokenizer.chat_template", "{{ messages }}")
      .Tensor("token_embd.weight", {8, 8}, kTensorF32)
      .Tensor("output_norm.weight", {16, 8}, kTensorF32)
      .Build();
}

}  // namespace duet::model_files::testing
