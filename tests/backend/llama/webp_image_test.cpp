#include "backend/llama/webp_image.h"

#include <gtest/gtest.h>

#include <string>

#include "support/test_images.h"

namespace duet::llama {
namespace {

using duet::testing::SolidBmp;
using duet::testing::SolidWebp;

TEST(WebpImageTest, DecodesAStillImageToItsRgbPixels) {
  Result<RgbImage> image = DecodeWebp(SolidWebp(7, 5, {200, 100, 50}));
  ASSERT_TRUE(image.has_value()) << image.error().message();
  EXPECT_EQ(image->width, 7);
  EXPECT_EQ(image->height, 5);
  ASSERT_EQ(image->pixels.size(), 7u * 5u * 3u);
  for (size_t i = 0; i < image->pixels.size(); i += 3) {
    ASSERT_EQ(image->pixels[i], 200) << i;
    ASSERT_EQ(image->pixels[i + 1], 100) << i;
    ASSERT_EQ(image->pixels[i + 2], 50) << i;
  }
}

TEST(WebpImageTest, RefusesAnImageLargerThanTheLimitBeforeDecodingIt) {
  Result<RgbImage> image =
      DecodeWebp(SolidWebp(64, 8, {0, 0, 0}), /*max_side=*/32);
  ASSERT_FALSE(image.has_value());
  EXPECT_EQ(image.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(image.error().message().find("64x8 pixels; at most 32"),
            std::string::npos)
      << image.error().message();
}

// An extended-format header (VP8X) that announces an animation: what an
// animated WebP starts with.
std::string AnimatedHeader() {
  std::string file = "RIFF";
  file += std::string("\x1e\0\0\0", 4);  // RIFF payload size (what follows)
  file += "WEBPVP8X";
  file += std::string("\x0a\0\0\0", 4);  // chunk size
  file += std::string("\x02\0\0\0", 4);  // flags: animation
  file += std::string("\x0f\0\0", 3);    // canvas width - 1 = 15
  file += std::string("\x0f\0\0", 3);    // canvas height - 1 = 15
  file += "ANIM";
  file += std::string("\x06\0\0\0", 4);
  file += std::string("\0\0\0\0\0\0", 6);  // background colour, loop count
  return file;
}

TEST(WebpImageTest, RefusesAnimationsAndBrokenData) {
  Result<RgbImage> animated = DecodeWebp(AnimatedHeader());
  ASSERT_FALSE(animated.has_value());
  EXPECT_NE(animated.error().message().find("animated"), std::string::npos)
      << animated.error().message();

  std::string truncated = SolidWebp(16, 16, {9, 9, 9});
  truncated.resize(truncated.size() / 2);
  EXPECT_FALSE(DecodeWebp(truncated).has_value());
  EXPECT_FALSE(DecodeWebp(SolidBmp(4, 4, {1, 2, 3})).has_value());
  EXPECT_FALSE(DecodeWebp("").has_value());
}

}  // namespace
}  // namespace duet::llama
