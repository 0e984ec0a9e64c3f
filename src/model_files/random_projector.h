// WriteRandomProjector: a vision projector ("mmproj") GGUF with random
// weights for a random model (random_model.h), so that tests can send
// images to the local engine on machines that cannot download a vision
// model. tools/make_test_model --mmproj is its command line.
//
// The projector has Gemma 3's layout (projector type "gemma3", read by
// llama.cpp's mtmd library): a one-block SigLIP vision transformer over
// 8x8-pixel patches of the image scaled to 64x64, average-pooled 2x2 into
// 16 embeddings per image, RMS-normed and projected to the text model's
// width. Its output is noise, but decoding the image, preprocessing,
// encoding and feeding the embeddings to the text model run for real.
//
// Available when duet is built with llama.cpp (DUET_HAVE_GGUF);
// without it WriteRandomProjector fails with kUnavailable.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace duet::model_files {

struct RandomProjectorOptions {
  std::string out_path;     // written (replaced) at the end
  uint32_t text_width = 0;  // the text model's embedding width; required
  uint32_t seed = 7;
};

struct RandomProjectorSummary {
  uint32_t image_size = 0;       // pixels per side the image is scaled to
  uint32_t tokens_per_image = 0;  // embeddings each image becomes
};

// Writes the projector. kInvalidArgument when text_width is 0, kInternal
// when the file cannot be written.
Result<RandomProjectorSummary> WriteRandomProjector(const RandomProjectorOptions& options);

}  // namespace duet::model_files
