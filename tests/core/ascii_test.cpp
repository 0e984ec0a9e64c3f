#include "core/ascii.h"

#include <gtest/gtest.h>

#include <string>

namespace duet {
namespace {

TEST(AsciiTest, OnlyCapitalLettersChange) {
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    const char expected =
        byte >= 'A' && byte <= 'Z' ? static_cast<char>(byte + 32) : c;
    EXPECT_EQ(AsciiLower(c), expected) << byte;
  }
}

TEST(AsciiTest, LowersWholeStringsAndLeavesUtf8Alone) {
  EXPECT_EQ(AsciiLowered("Content-Type"), "content-type");
  EXPECT_EQ(AsciiLowered("X-API-Key_9"), "x-api-key_9");
  EXPECT_EQ(AsciiLowered("ÀÉ Ünïcode"),
            "ÀÉ Ünïcode");  // bytes >= 0x80 untouched
  std::string text = "HTTPS://Example.COM";
  AsciiLowerInPlace(&text);
  EXPECT_EQ(text, "https://example.com");
  EXPECT_EQ(AsciiLowered(""), "");
}

}  // namespace
}  // namespace duet
