#include "api/client_key.h"

#include <set>
#include <thread>
#include <vector>

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

// The id a thread that has hashed nothing before gives: the reference for
// a thread that remembers the keys it hashed.
std::string IdFromAFreshThread(const std::string& key) {
  std::string id;
  std::thread([&] { id = ClientKeyId(key); }).join();
  return id;
}

TEST(ClientKeyIdTest, ARememberedKeyIsNeverTakenForAnother) {
  // Keys of the same length differing in one byte, prefixes and
  // extensions of each other, and a key embedded with a NUL: each comes
  // back with its own id, whichever key this thread hashed last.
  const std::vector<std::string> keys = {
      "sk-ant-api03-aaaa", "sk-ant-api03-aaab", "sk-ant-api03-aaa",
      "sk-ant-api03-aaaaa", std::string("sk-ant-api03-aa\0a", 17),
      "sk-ant-api03-aaaa", "sk-ant-api03-aaaa", "sk-ant-api03-aaab"};
  for (const std::string& key : keys) {
    EXPECT_EQ(ClientKeyId(key), IdFromAFreshThread(key)) << key.size();
  }
  std::set<std::string> distinct;
  for (size_t i = 0; i < 5; ++i) {
    distinct.insert(ClientKeyId(keys[i]));
  }
  EXPECT_EQ(distinct.size(), 5u);
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
