// VisionProjector: a model's vision projector (an "mmproj" GGUF, such as
// Gemma 3's or Qwen2.5-VL's), through llama.cpp's mtmd library. It turns
// the images of a rendered prompt (prompt.h) into embeddings the text
// model reads in their place.
//
// A TokenizedPrompt holds each image's place with placeholder tokens, one
// per embedding, whose ids (negative: no vocabulary has them) come from a
// hash of the image's pixels. Comparing two prompts token by token then
// compares their images too, which is what ModelRunner's prefix reuse
// does: the next turn of a conversation about a picture does not encode
// the picture again.
//
// Thread safety: Tokenize may be called from any thread; Decode runs on the
// model's inference thread only (it decodes into the llama context).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/chat.h"

struct llama_model;
struct llama_context;
struct mtmd_context;
struct mtmd_input_chunk;
struct mtmd_input_chunks;

namespace duet::llama {

// A prompt ready to decode: text tokens, with placeholders for images.
struct TokenizedPrompt {
  struct Image {
    size_t start = 0;        // index of its first placeholder in `tokens`
    size_t length = 0;       // its embeddings: one placeholder each
    int32_t positions = 0;   // positions it takes in the sequence: `length`,
                             // except in M-RoPE models (Qwen2-VL's family)
    const mtmd_input_chunk* chunk = nullptr;  // owned by `chunks`
  };
  std::vector<int32_t> tokens;
  std::vector<Image> images;                  // in prompt order
  std::shared_ptr<mtmd_input_chunks> chunks;  // null without images
};

// How much of a prompt's first `matching` tokens a slot may keep: whole
// images only, and nothing from the first image that takes other than one
// position per token (M-RoPE) on, since past it a token's index is no
// longer its position.
size_t ReusablePrefix(const std::vector<TokenizedPrompt::Image>& images, size_t matching);

class VisionProjector {
 public:
  // Loads the projector at `path` for `model`, encoding with `threads`
  // threads. kNotFound when there is no file; kInvalidArgument when mtmd
  // cannot load it (not a projector, or one made for a model of another
  // width) or it has no vision encoder (an audio-only projector).
  static Result<std::unique_ptr<VisionProjector>> Load(const std::string& path,
                                                       const ::llama_model* model,
                                                       int threads);
  ~VisionProjector();

  VisionProjector(const VisionProjector&) = delete;
  VisionProjector& operator=(const VisionProjector&) = delete;

  // Tokenises `prompt`, rendered with one kImageMarker per image, and
  // preprocesses `images` (base64 JPEG, PNG, GIF or BMP) into their
  // embeddings' places. The text is tokenised with special tokens parsed,
  // after a BOS where the vocabulary asks for one (as llama.cpp tokenises a
  // prompt: the template's rendering leaves it out). kInvalidArgument when an
  // image cannot be decoded or the markers and images do not pair up.
  Result<TokenizedPrompt> Tokenize(const std::string& prompt,
                                   const std::vector<ImageSource>& images) const;

  // The tokens a typical image (a 1024x768 screenshot) becomes: exact for
  // projectors that scale every image to one size (Gemma 3's, LLaVA's),
  // an estimate for those whose cost grows with the image (Qwen2.5-VL's).
  // 0 when it could not be worked out.
  int64_t tokens_per_image() const { return tokens_per_image_; }

  // Encodes `image` and decodes its embeddings into sequence `sequence`
  // from `position`, `batch_size` at a time. Returns the position after
  // the image. kUnavailable when encoding or decoding fails.
  Result<int32_t> Decode(::llama_context* context, const TokenizedPrompt::Image& image,
                         int32_t position, int sequence, int batch_size);

 private:
  explicit VisionProjector(::mtmd_context* context) : context_(context) {}
  // Tokenises a blank image of the typical size for tokens_per_image().
  int64_t MeasureTokensPerImage() const;

  ::mtmd_context* context_;
  int64_t tokens_per_image_ = 0;
};

}  // namespace duet::llama
