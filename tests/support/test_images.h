// Small images for tests that send pictures: uncompressed 24-bit BMP files
// (which every image decoder reads and anyone can write), lossless WebP
// files of the same pixels (libwebp), and canonical image blocks carrying
// them as base64.
#pragma once

#include <cstdint>
#include <string>

#include "model/chat.h"

namespace duet::testing {

struct Rgb {
  uint8_t red = 0;
  uint8_t green = 0;
  uint8_t blue = 0;
};

// A `width` x `height` BMP file of one colour.
std::string SolidBmp(int width, int height, Rgb colour);

// The same pixels as SolidBmp, as a lossless WebP file.
std::string SolidWebp(int width, int height, Rgb colour);

// An image block of `bytes` as base64, with `media_type`.
ContentBlock ImageBlock(const std::string& bytes, std::string media_type = "image/bmp");

}  // namespace duet::testing
