// GGUF metadata without the weights: what `duet models` and `duet pull`
// show about a model file (its family, size in parameters, quantization,
// trained context and whether it carries a chat template).
//
// The reader is ggml's own (gguf.h, from the pinned llama.cpp), asked for
// the key/value section and the tensor descriptions only (no_alloc): a
// multi-gigabyte model is described after reading its first few megabytes
// (mostly the tokenizer's vocabulary). ggml bounds every length it reads by
// the file's size, so a hostile or truncated file cannot make it allocate
// more than the file holds. On top of that, ReadGgufInfo checks that the
// tensor data the header describes is really in the file, so a download cut
// short is reported as truncated rather than described as a model.
//
// Without llama.cpp (DUET_WITH_LLAMA=OFF) only the magic can be checked:
// ReadGgufInfo fails with kUnavailable and GgufMetadataAvailable() is false.
//
// Strings from the file (architecture, name, size label) are untrusted:
// control characters become '?' (core/terminal_text.h) and they are cut to
// 120 bytes, so a hostile file cannot move the terminal's cursor when they
// are printed.
//
// Thread safety: all functions may be called from any thread. ReadGgufInfo
// briefly redirects ggml's global log callback to capture the reader's
// error message for the calling thread; other threads' ggml log lines are
// passed on to the callback that was installed before.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace duet::model_files {

struct GgufInfo {
  uint32_t version = 0;          // GGUF format version (2 or 3)
  std::string architecture;      // general.architecture: the family ("llama")
  std::string name;              // general.name; "" when absent
  std::string size_label;        // general.size_label ("8B"); "" when absent
  int64_t parameter_count = 0;   // the tensors' elements, summed
  // general.file_type as llama.cpp names it ("Q4_K_M"), else the type
  // holding most of the tensor bytes ("Q8_0"); "" when there are neither.
  std::string quantization;
  int64_t context_length = 0;    // <architecture>.context_length; 0 = absent
  bool has_chat_template = false;  // tokenizer.chat_template is present
  int64_t tensor_count = 0;
  uint64_t data_end = 0;  // where the last tensor's data ends, in bytes
};

// True when this duet can read GGUF metadata (it was built with llama.cpp).
bool GgufMetadataAvailable();

// Checks that `path` is a readable regular file starting with "GGUF".
// kNotFound when it cannot be opened or is not a regular file;
// kInvalidArgument, quoting the first bytes, when it is not GGUF.
Status CheckGgufMagic(const std::string& path);

// Reads the metadata of the GGUF file at `path`. Fails with kNotFound when
// it cannot be opened or is not a regular file, kInvalidArgument when it is
// not GGUF, is malformed (the message is the reader's) or is truncated
// (the message gives both sizes), kUnavailable when this duet was built
// without llama.cpp.
Result<GgufInfo> ReadGgufInfo(const std::string& path);

// llama.cpp's name for a general.file_type value (its llama_ftype
// numbering, which is part of the file format): 15 -> "Q4_K_M". "" for a
// value it does not name.
std::string FileTypeName(int64_t file_type);

// "1.2M", "7.6B": a parameter count the way model cards write it; "" for 0.
std::string FormatParameterCount(int64_t count);

// One line about a model: "llama, 8.0B parameters, Q4_K_M, 131072-token
// context, chat template" (missing pieces are left out).
std::string DescribeGguf(const GgufInfo& info);

}  // namespace duet::model_files
