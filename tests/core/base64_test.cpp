// Base64Encode and Base64Decode (RFC 4648): proxy credentials and inline
// images.
#include "core/base64.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace duet {
namespace {

TEST(Base64EncodeTest, Rfc4648TestVectors) {
  // RFC 4648, section 10.
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64EncodeTest, BytesAboveSevenBitsAndZeroBytes) {
  // The last two alphabet characters, and bytes that a signed char would
  // sign-extend.
  EXPECT_EQ(Base64Encode("\xff\xfe\xfd"), "//79");
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(Base64Encode(std::string("\0", 1)), "AA==");
  EXPECT_EQ(Base64Encode(std::string("\0\0\0", 3)), "AAAA");
}

TEST(Base64DecodeTest, Rfc4648TestVectors) {
  EXPECT_EQ(Base64Decode("").value(), "");
  EXPECT_EQ(Base64Decode("Zg==").value(), "f");
  EXPECT_EQ(Base64Decode("Zm8=").value(), "fo");
  EXPECT_EQ(Base64Decode("Zm9v").value(), "foo");
  EXPECT_EQ(Base64Decode("Zm9vYg==").value(), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYmE=").value(), "fooba");
  EXPECT_EQ(Base64Decode("Zm9vYmFy").value(), "foobar");
}

TEST(Base64DecodeTest, PaddingIsOptionalAndWhitespaceIsSkipped) {
  EXPECT_EQ(Base64Decode("Zm9vYg").value(), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYmE").value(), "fooba");
  EXPECT_EQ(Base64Decode("Zm9v\r\nYmFy\n").value(), "foobar");
  EXPECT_EQ(Base64Decode(" Zm 9v\tYg== ").value(), "foob");
}

TEST(Base64DecodeTest, RoundTripsEveryByteValue) {
  std::mt19937 random(7);
  for (size_t size = 0; size < 40; ++size) {
    std::string bytes(size, '\0');
    for (char& byte : bytes) {
      byte = static_cast<char>(random() & 0xff);
    }
    Result<std::string> decoded = Base64Decode(Base64Encode(bytes));
    ASSERT_TRUE(decoded.has_value()) << size;
    EXPECT_EQ(*decoded, bytes) << size;
  }
}

TEST(Base64DecodeTest, RejectsWhatNoEncoderWrites) {
  for (const char* bad : {"Z", "Zm9vY", "Zg=", "Zg===", "=", "Zg==Zg==", "Zm9v!", "Zm-v",
                          "Zm_v"}) {
    Result<std::string> decoded = Base64Decode(bad);
    ASSERT_FALSE(decoded.has_value()) << bad;
    EXPECT_EQ(decoded.error().code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_NE(decoded.error().message().find("base64"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace duet
