// The pixel size an image file declares, read from its header without
// decoding it, so that a few bytes claiming a huge canvas (a decompression
// bomb) are refused before any decoder allocates for them. mtmd's decoder
// (stb_image) allocates whatever a header asks for, up to about 2 GB an
// image.
//
// Formats: JPEG (its first start-of-frame), PNG (IHDR), GIF (the logical
// screen), BMP (both header forms; a top-down image's negative height
// counts as its size) and WebP (simple and extended forms).
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

namespace duet::llama {

// The Anthropic API's own limit on either side of an image.
inline constexpr int kMaxImageSide = 8000;

struct ImageSize {
  int width = 0;
  int height = 0;
};

// True when `bytes` start as a WebP file does (RIFF....WEBP).
bool LooksLikeWebp(std::string_view bytes);

// The size `bytes` declare; nullopt when they are none of the formats
// above or their header is cut short or names no size.
std::optional<ImageSize> ReadImageSize(std::string_view bytes);

}  // namespace duet::llama
