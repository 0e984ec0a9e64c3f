#include "backend/llama/image_size.h"

#include <gtest/gtest.h>
#include <webp/encode.h>

#include <cstdint>
#include <string>

#include "support/test_images.h"

namespace duet::llama {
namespace {

using duet::testing::SolidBmp;
using duet::testing::SolidWebp;

void ExpectSize(const std::optional<ImageSize>& size, int width, int height) {
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(size->width, width);
  EXPECT_EQ(size->height, height);
}

std::string BigEndian16(uint32_t value) {
  return {static_cast<char>((value >> 8) & 0xff),
          static_cast<char>(value & 0xff)};
}

// A JPEG's start: SOI, an APP0 segment, fill bytes, then the frame header
// `marker` (SOF0 baseline, SOF2 progressive...) declaring the size.
std::string JpegHeader(uint8_t marker, uint32_t width, uint32_t height) {
  std::string jpeg = "\xff\xd8";
  jpeg += "\xff\xe0" + BigEndian16(16) +
          std::string("JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 14);
  jpeg += "\xff\xff";  // fill
  jpeg += "\xff";
  jpeg.push_back(static_cast<char>(marker));
  jpeg += BigEndian16(17) + "\x08" + BigEndian16(height) + BigEndian16(width) +
          "\x03";
  jpeg += std::string(9, '\x11');
  return jpeg;
}

TEST(ImageSizeTest, RecognisesWebpByItsHeaderOnly) {
  EXPECT_TRUE(LooksLikeWebp(SolidWebp(4, 4, {1, 2, 3})));
  EXPECT_FALSE(LooksLikeWebp(SolidBmp(4, 4, {1, 2, 3})));
  EXPECT_FALSE(LooksLikeWebp("RIFF"));
  EXPECT_FALSE(LooksLikeWebp("RIFF\x10\0\0\0WAVEfmt "));
}

TEST(ImageSizeTest, ReadsTheSizeOfBmpFilesBothWays) {
  ExpectSize(ReadImageSize(SolidBmp(20, 12, {1, 2, 3})), 20, 12);
  std::string top_down = SolidBmp(5, 3, {1, 2, 3});
  top_down[22] = static_cast<char>(0xfd);  // height -3: rows stored top down
  top_down[23] = top_down[24] = top_down[25] = static_cast<char>(0xff);
  ExpectSize(ReadImageSize(top_down), 5, 3);
}

TEST(ImageSizeTest, ReadsTheSizeOfWebpFilesInEachForm) {
  ExpectSize(ReadImageSize(SolidWebp(300, 17, {1, 2, 3})), 300,
             17);  // lossless
  std::vector<uint8_t> pixels(33 * 21 * 3, 128);
  uint8_t* lossy = nullptr;
  const size_t size = WebPEncodeRGB(pixels.data(), 33, 21, 33 * 3, 80, &lossy);
  ASSERT_GT(size, 0u);
  ExpectSize(
      ReadImageSize(std::string(reinterpret_cast<const char*>(lossy), size)),
      33, 21);
  WebPFree(lossy);
  std::string extended = "RIFF" + std::string("\x16\0\0\0", 4) + "WEBPVP8X" +
                         std::string("\x0a\0\0\0", 4) + std::string(4, '\0') +
                         std::string("\x3f\x1f\0", 3) +
                         std::string("\x0f\0\0", 3) + std::string(8, '\0');
  ExpectSize(ReadImageSize(extended), 8000, 16);
}

TEST(ImageSizeTest, ReadsTheSizeOfPngGifAndJpegHeaders) {
  std::string png = "\x89PNG\r\n\x1a\n" + std::string("\0\0\0\x0dIHDR", 8) +
                    std::string("\0\0\x01\x2c\0\0\0\x11", 8) +
                    std::string(9, '\0');
  ExpectSize(ReadImageSize(png), 300, 17);
  ExpectSize(ReadImageSize(std::string("GIF89a\x2c\x01\x11\0", 10) +
                           std::string(4, '\0')),
             300, 17);
  ExpectSize(ReadImageSize(JpegHeader(0xc0, 640, 480)), 640, 480);
  ExpectSize(ReadImageSize(JpegHeader(0xc2, 9000, 20)), 9000, 20);
}

TEST(ImageSizeTest, NoSizeForOtherFormatsOrCutHeaders) {
  EXPECT_FALSE(ReadImageSize("").has_value());
  EXPECT_FALSE(ReadImageSize("plain text, not pixels").has_value());
  EXPECT_FALSE(ReadImageSize("P6\n100 100\n255\n")
                   .has_value());  // PPM: stb reads it, duet not
  EXPECT_FALSE(
      ReadImageSize(SolidBmp(4, 4, {1, 2, 3}).substr(0, 20)).has_value());
  EXPECT_FALSE(
      ReadImageSize(JpegHeader(0xc0, 640, 480).substr(0, 25)).has_value());
  EXPECT_FALSE(
      ReadImageSize(JpegHeader(0xc0, 640, 0)).has_value());  // height from DNL
  // A JPEG whose scan starts before any frame header names no size.
  EXPECT_FALSE(ReadImageSize(std::string("\xff\xd8\xff\xda\0\x08", 6) +
                             std::string(8, '\0'))
                   .has_value());
}

}  // namespace
}  // namespace duet::llama
