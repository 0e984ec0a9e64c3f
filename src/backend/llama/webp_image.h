// WebP images for vision projectors. llama.cpp's mtmd decodes JPEG, PNG,
// GIF and BMP itself (stb_image) and WebP only through ffmpeg, which duet's
// build leaves out; the Anthropic API takes WebP as its fourth format, so
// duet decodes it with libwebp into the RGB pixels mtmd takes directly.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "backend/llama/image_size.h"
#include "core/status.h"

namespace duet::llama {

struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height * 3, rows top to bottom
};

// A still WebP image as RGB (alpha dropped). kInvalidArgument, saying why,
// for an animated image, one larger than `max_side` pixels on a side
// (checked before any pixel is decoded: a few bytes may claim a huge
// canvas), or bytes libwebp cannot decode.
Result<RgbImage> DecodeWebp(std::string_view bytes,
                            int max_side = kMaxImageSide);

}  // namespace duet::llama
