#include "model_files/random_projector.h"

#if DUET_HAVE_GGUF
#include <array>
#include <string>

#include "ggml.h"
#include "gguf.h"
#include "model_files/gguf_tensor_writer.h"

namespace duet::model_files {
namespace {

// The vision tower: small enough to encode an image in milliseconds.
constexpr uint32_t kImageSize = 64;
constexpr uint32_t kPatchSize = 8;
constexpr uint32_t kPoolFactor = 2;  // 8x8 patches pooled to 4x4 embeddings
constexpr uint32_t kWidth = 32;
constexpr uint32_t kHeads = 2;
constexpr uint32_t kFeedForward = 48;  // unlike kWidth: llama.cpp tells old
                                       // files' swapped FFNs by that
constexpr uint32_t kBlocks = 1;

}  // namespace

Result<RandomProjectorSummary> WriteRandomProjector(const RandomProjectorOptions& options) {
  if (options.text_width == 0) {
    return Error(InvalidArgument("the projector needs the text model's width"));
  }
  gguf_context* out = gguf_init_empty();
  gguf_set_val_str(out, "general.architecture", "clip");
  gguf_set_val_str(out, "general.name", "duet test projector (random weights)");
  gguf_set_val_u32(out, "general.file_type", 0);
  gguf_set_val_bool(out, "clip.has_vision_encoder", true);
  gguf_set_val_str(out, "clip.projector_type", "gemma3");
  gguf_set_val_bool(out, "clip.use_gelu", true);
  gguf_set_val_u32(out, "clip.vision.image_size", kImageSize);
  gguf_set_val_u32(out, "clip.vision.patch_size", kPatchSize);
  gguf_set_val_u32(out, "clip.vision.embedding_length", kWidth);
  gguf_set_val_u32(out, "clip.vision.feed_forward_length", kFeedForward);
  gguf_set_val_u32(out, "clip.vision.block_count", kBlocks);
  gguf_set_val_u32(out, "clip.vision.projection_dim", options.text_width);
  gguf_set_val_u32(out, "clip.vision.attention.head_count", kHeads);
  gguf_set_val_f32(out, "clip.vision.attention.layer_norm_epsilon", 1e-6f);
  gguf_set_val_u32(out, "clip.vision.projector.scale_factor", kPoolFactor);
  const std::array<float, 3> half = {0.5f, 0.5f, 0.5f};
  gguf_set_arr_data(out, "clip.vision.image_mean", GGUF_TYPE_FLOAT32, half.data(), half.size());
  gguf_set_arr_data(out, "clip.vision.image_std", GGUF_TYPE_FLOAT32, half.data(), half.size());

  const int64_t width = kWidth;
  const int64_t patches = (kImageSize / kPatchSize) * (kImageSize / kPatchSize);
  bool written = false;
  {
    GgufTensorWriter writer(GGML_TYPE_F32, options.seed, out);
    writer.Add("v.patch_embd.weight", {kPatchSize, kPatchSize, 3, width});
    writer.Add("v.patch_embd.bias", width, 1);
    writer.Add("v.position_embd.weight", width, patches);
    for (uint32_t block = 0; block < kBlocks; ++block) {
      const std::string prefix = "v.blk." + std::to_string(block) + ".";
      for (const char* name : {"attn_q", "attn_k", "attn_v", "attn_out"}) {
        writer.Add(prefix + name + ".weight", width, width);
        writer.Add(prefix + name + ".bias", width, 1);
      }
      for (const char* name : {"ln1", "ln2"}) {
        writer.Add(prefix + name + ".weight", width, 1, 1.0f);
        writer.Add(prefix + name + ".bias", width, 1, 0.0f);
      }
      writer.Add(prefix + "ffn_up.weight", width, kFeedForward);
      writer.Add(prefix + "ffn_up.bias", kFeedForward, 1);
      writer.Add(prefix + "ffn_down.weight", kFeedForward, width);
      writer.Add(prefix + "ffn_down.bias", width, 1);
    }
    writer.Add("v.post_ln.weight", width, 1, 1.0f);
    writer.Add("v.post_ln.bias", width, 1, 0.0f);
    writer.Add("mm.soft_emb_norm.weight", width, 1, 1.0f);
    writer.Add("mm.input_projection.weight", options.text_width, width);
    written = gguf_write_to_file(out, options.out_path.c_str(), false);
  }
  gguf_free(out);
  if (!written) {
    return Error(Internal("cannot write " + options.out_path));
  }
  const uint32_t side = kImageSize / kPatchSize / kPoolFactor;
  return RandomProjectorSummary{.image_size = kImageSize, .tokens_per_image = side * side};
}

}  // namespace duet::model_files

#else  // without llama.cpp's ggml

namespace duet::model_files {

Result<RandomProjectorSummary> WriteRandomProjector(const RandomProjectorOptions&) {
  return Error(Unavailable("this duet was built without llama.cpp (DUET_WITH_LLAMA=OFF)"));
}

}  // namespace duet::model_files
#endif
