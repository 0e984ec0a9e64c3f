#include "api/client_key.h"

#include <thread>

#include <gtest/gtest.h>

namespace duet::api {
namespace {

// SHA-256("abc") = ba7816bf 8f01cfea ... (FIPS 180-2, appendix B.1).
TEST(ClientKeyIdTest, IsTheFirstTwelveHexDigitsOfTheKeysSha256) {
  EXPECT_EQ(ClientKeyId("abc"), "key-ba7816bf8f01");
  // SHA-256 of the 56-byte message of FIPS 180-2 B.2: 248d6a61 d20638b8 ...
  EXPECT_EQ(ClientKeyId("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "key-248d6a61d206");
}

TEST(ClientKeyIdTest, EmptyKeyHasNoId) { EXPECT_EQ(ClientKeyId(""), ""); }

TEST(ClientKeyIdTest, RepeatedAndInterleavedKeysKeepTheirIds) {
  // The digest context is reused per thread: a previous key must not leak
  // into the next hash.
  EXPECT_EQ(ClientKeyId("abc"), "key-ba7816bf8f01");
  EXPECT_NE(ClientKeyId("abd"), "key-ba7816bf8f01");
  EXPECT_EQ(ClientKeyId("abc"), "key-ba7816bf8f01");
}

TEST(ClientKeyIdTest, EachThreadHashesTheSame) {
  std::string from_thread;
  std::thread([&] { from_thread = ClientKeyId("abc"); }).join();
  EXPECT_EQ(from_thread, "key-ba7816bf8f01");
}

http::Request WithHeader(std::string name, std::string value) {
  http::Request request;
  request.headers.emplace_back(std::move(name), std::move(value));
  return request;
}

TEST(ClientKeyIdOfTest, ReadsXApiKeyOrABearerToken) {
  EXPECT_EQ(ClientKeyIdOf(WithHeader("x-api-key", "abc")), "key-ba7816bf8f01");
  EXPECT_EQ(ClientKeyIdOf(WithHeader("authorization", "Bearer abc")),
            "key-ba7816bf8f01");
  EXPECT_EQ(ClientKeyIdOf(WithHeader("authorization", "bearer abc")),
            "key-ba7816bf8f01");
  EXPECT_EQ(ClientKeyIdOf(WithHeader("authorization", "Basic abc")), "");
  EXPECT_EQ(ClientKeyIdOf(http::Request{}), "");
}

}  // namespace
}  // namespace duet::api
