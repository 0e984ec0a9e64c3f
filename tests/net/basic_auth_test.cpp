// BasicAuthorization: the Proxy-Authorization value built
// from a proxy URL's user info.
#include "net/basic_auth.h"

#include <gtest/gtest.h>

#include <string>

#include "core/base64.h"

namespace duet::net {
namespace {

TEST(BasicAuthorizationTest, Rfc7617Example) {
  EXPECT_EQ(BasicAuthorization("Aladdin:open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST(BasicAuthorizationTest, PercentEscapesAreDecodedFirst) {
  // "us@r:p:ss" (independently encoded: `printf 'us@r:p:ss' | base64`).
  EXPECT_EQ(BasicAuthorization("us%40r:p%3Ass"), "Basic dXNAcjpwOnNz");
  // Lower-case hex digits decode the same.
  EXPECT_EQ(BasicAuthorization("us%40r:p%3ass"), "Basic dXNAcjpwOnNz");
  // "user:pa@ss".
  EXPECT_EQ(BasicAuthorization("user:pa%40ss"), "Basic dXNlcjpwYUBzcw==");
}

TEST(BasicAuthorizationTest, MalformedEscapesAreKeptAsTheyAre) {
  // "a%zz:b%4": not hex, and cut short at the end.
  EXPECT_EQ(BasicAuthorization("a%zz:b%4"), "Basic YSV6ejpiJTQ=");
  EXPECT_EQ(BasicAuthorization("a:b%"), "Basic " + Base64Encode("a:b%"));
  // An escape ending exactly at the end of the text is still decoded.
  EXPECT_EQ(BasicAuthorization("u:%41"), "Basic " + Base64Encode("u:A"));
}

}  // namespace
}  // namespace duet::net
