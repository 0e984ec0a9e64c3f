#include "support/test_images.h"

#include <utility>
#include <vector>

#include <webp/encode.h>

#include "core/base64.h"

namespace duet::testing {
namespace {

void PutLittleEndian(std::string* out, uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

}  // namespace

std::string SolidBmp(int width, int height, Rgb colour) {
  const auto row_bytes = static_cast<uint32_t>((width * 3 + 3) / 4 * 4);  // rows pad to 4
  const uint32_t pixels = row_bytes * static_cast<uint32_t>(height);
  std::string file = "BM";
  PutLittleEndian(&file, 54 + pixels, 4);  // file size
  PutLittleEndian(&file, 0, 4);            // reserved
  PutLittleEndian(&file, 54, 4);           // where the pixels start
  PutLittleEndian(&file, 40, 4);           // BITMAPINFOHEADER
  PutLittleEndian(&file, static_cast<uint32_t>(width), 4);
  PutLittleEndian(&file, static_cast<uint32_t>(height), 4);
  PutLittleEndian(&file, 1, 2);   // planes
  PutLittleEndian(&file, 24, 2);  // bits per pixel
  PutLittleEndian(&file, 0, 4);   // uncompressed
  PutLittleEndian(&file, pixels, 4);
  PutLittleEndian(&file, 2835, 4);  // 72 dpi, both ways
  PutLittleEndian(&file, 2835, 4);
  PutLittleEndian(&file, 0, 4);  // palette
  PutLittleEndian(&file, 0, 4);
  for (int y = 0; y < height; ++y) {
    std::string row;
    for (int x = 0; x < width; ++x) {
      row.push_back(static_cast<char>(colour.blue));  // BMP stores BGR
      row.push_back(static_cast<char>(colour.green));
      row.push_back(static_cast<char>(colour.red));
    }
    row.resize(row_bytes, '\0');
    file += row;
  }
  return file;
}

std::string SolidWebp(int width, int height, Rgb colour) {
  std::vector<uint8_t> pixels;
  pixels.reserve(static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
  for (int i = 0; i < width * height; ++i) {
    pixels.insert(pixels.end(), {colour.red, colour.green, colour.blue});
  }
  uint8_t* encoded = nullptr;
  const size_t size = WebPEncodeLosslessRGB(pixels.data(), width, height, width * 3, &encoded);
  std::string file(reinterpret_cast<const char*>(encoded), size);
  WebPFree(encoded);
  return file;
}

ContentBlock ImageBlock(const std::string& bytes, std::string media_type) {
  ContentBlock block;
  block.type = BlockType::kImage;
  block.image.kind = ImageSource::Kind::kBase64;
  block.image.media_type = std::move(media_type);
  block.image.data = Base64Encode(bytes);
  return block;
}

}  // namespace duet::testing
