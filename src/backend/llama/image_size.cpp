#include "backend/llama/image_size.h"

#include <cstdint>
#include <cstdlib>

namespace duet::llama {
namespace {

uint32_t Byte(std::string_view bytes, size_t at) {
  return static_cast<unsigned char>(bytes[at]);
}

uint32_t BigEndian(std::string_view bytes, size_t at, int count) {
  uint32_t value = 0;
  for (int i = 0; i < count; ++i) {
    value = (value << 8) | Byte(bytes, at + static_cast<size_t>(i));
  }
  return value;
}

uint32_t LittleEndian(std::string_view bytes, size_t at, int count) {
  uint32_t value = 0;
  for (int i = count - 1; i >= 0; --i) {
    value = (value << 8) | Byte(bytes, at + static_cast<size_t>(i));
  }
  return value;
}

std::optional<ImageSize> Sized(int64_t width, int64_t height) {
  if (width <= 0 || height <= 0 || width > INT32_MAX || height > INT32_MAX) {
    return std::nullopt;
  }
  return ImageSize{static_cast<int>(width), static_cast<int>(height)};
}

std::optional<ImageSize> PngSize(std::string_view bytes) {
  if (bytes.size() < 24 || bytes.substr(12, 4) != "IHDR") {
    return std::nullopt;
  }
  return Sized(BigEndian(bytes, 16, 4), BigEndian(bytes, 20, 4));
}

std::optional<ImageSize> GifSize(std::string_view bytes) {
  if (bytes.size() < 10) {
    return std::nullopt;
  }
  return Sized(LittleEndian(bytes, 6, 2), LittleEndian(bytes, 8, 2));
}

std::optional<ImageSize> BmpSize(std::string_view bytes) {
  if (bytes.size() < 26) {
    return std::nullopt;
  }
  const uint32_t header = LittleEndian(bytes, 14, 4);
  if (header == 12) {  // OS/2 BITMAPCOREHEADER: unsigned 16-bit sides
    return Sized(LittleEndian(bytes, 18, 2), LittleEndian(bytes, 20, 2));
  }
  const auto width = static_cast<int32_t>(LittleEndian(bytes, 18, 4));
  const auto height = static_cast<int32_t>(LittleEndian(bytes, 22, 4));
  return Sized(width, std::llabs(static_cast<int64_t>(height)));
}

std::optional<ImageSize> JpegSize(std::string_view bytes) {
  size_t at = 2;  // after SOI
  while (at + 4 <= bytes.size()) {
    if (Byte(bytes, at) != 0xFF) {
      return std::nullopt;
    }
    const uint32_t marker = Byte(bytes, at + 1);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // no length
      at += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) {  // end of image, start of scan
      return std::nullopt;
    }
    const uint32_t length = BigEndian(bytes, at + 2, 2);
    const bool start_of_frame = marker >= 0xC0 && marker <= 0xCF &&
                                marker != 0xC4 && marker != 0xC8 &&
                                marker != 0xCC;
    if (start_of_frame) {
      if (length < 7 || at + 9 > bytes.size()) {
        return std::nullopt;
      }
      return Sized(BigEndian(bytes, at + 7, 2), BigEndian(bytes, at + 5, 2));
    }
    if (length < 2) {
      return std::nullopt;
    }
    at += 2 + length;
  }
  return std::nullopt;
}

std::optional<ImageSize> WebpSize(std::string_view bytes) {
  if (bytes.size() < 30) {
    return std::nullopt;
  }
  const std::string_view chunk = bytes.substr(12, 4);
  if (chunk == "VP8X") {  // extended: the canvas, sides minus one, 24 bits
    return Sized(int64_t{LittleEndian(bytes, 24, 3)} + 1,
                 int64_t{LittleEndian(bytes, 27, 3)} + 1);
  }
  if (chunk == "VP8L") {  // lossless: 14-bit sides minus one after a 0x2f
    if (Byte(bytes, 20) != 0x2f) {
      return std::nullopt;
    }
    const uint32_t bits = LittleEndian(bytes, 21, 4);
    return Sized(int64_t{bits & 0x3fff} + 1,
                 int64_t{(bits >> 14) & 0x3fff} + 1);
  }
  if (chunk == "VP8 ") {  // lossy: a key frame's 14-bit sides
    if (bytes.substr(23, 3) != "\x9d\x01\x2a") {
      return std::nullopt;
    }
    return Sized(LittleEndian(bytes, 26, 2) & 0x3fff,
                 LittleEndian(bytes, 28, 2) & 0x3fff);
  }
  return std::nullopt;
}

}  // namespace

bool LooksLikeWebp(std::string_view bytes) {
  return bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" &&
         bytes.substr(8, 4) == "WEBP";
}

std::optional<ImageSize> ReadImageSize(std::string_view bytes) {
  if (bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n") {
    return PngSize(bytes);
  }
  if (bytes.substr(0, 6) == "GIF87a" || bytes.substr(0, 6) == "GIF89a") {
    return GifSize(bytes);
  }
  if (bytes.substr(0, 2) == "BM") {
    return BmpSize(bytes);
  }
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xff\xd8\xff") {
    return JpegSize(bytes);
  }
  if (LooksLikeWebp(bytes)) {
    return WebpSize(bytes);
  }
  return std::nullopt;
}

}  // namespace duet::llama
