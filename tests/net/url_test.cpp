// Url::Parse and JoinUrl: what the HTTP client takes from a URL.
#include "net/url.h"

#include <gtest/gtest.h>

#include <string>

namespace duet::net {
namespace {

TEST(UrlTest, HttpsWithPathAndQuery) {
  Result<Url> url =
      Url::Parse("https://api.anthropic.com/v1/messages?beta=true");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->scheme, "https");
  EXPECT_TRUE(url->tls());
  EXPECT_EQ(url->host, "api.anthropic.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/v1/messages?beta=true");
  EXPECT_EQ(url->user_info, "");
  EXPECT_EQ(url->Authority(), "api.anthropic.com:443");
  EXPECT_EQ(url->HostHeader(), "api.anthropic.com");
  EXPECT_EQ(url->Display(), "https://api.anthropic.com");
}

TEST(UrlTest, HttpDefaultsToPort80AndRootTarget) {
  Result<Url> url = Url::Parse("http://example.com");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->scheme, "http");
  EXPECT_FALSE(url->tls());
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->target, "/");
  EXPECT_EQ(url->HostHeader(), "example.com");
  EXPECT_EQ(url->Authority(), "example.com:80");
}

TEST(UrlTest, SchemeAndHostAreLowerCasedButTheTargetIsNot) {
  Result<Url> url = Url::Parse("HTTPS://Api.Example.COM/V1/Path?Q=Big");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "api.example.com");
  EXPECT_EQ(url->target, "/V1/Path?Q=Big");
}

TEST(UrlTest, ExplicitPortsAndTheHostHeader) {
  Result<Url> url = Url::Parse("http://localhost:8080/v1");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->HostHeader(), "localhost:8080");
  EXPECT_EQ(url->Display(), "http://localhost:8080");

  // A default port written out is dropped from the Host header only.
  url = Url::Parse("https://example.com:443/");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->HostHeader(), "example.com");
  EXPECT_EQ(url->Authority(), "example.com:443");

  // The other scheme's default port is not a default here.
  url = Url::Parse("https://example.com:80/");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->HostHeader(), "example.com:80");
  url = Url::Parse("http://example.com:443/");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->HostHeader(), "example.com:443");

  url = Url::Parse("http://example.com:65535/");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->port, 65535);
  url = Url::Parse("http://example.com:1/");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->port, 1);
}

TEST(UrlTest, QueryWithoutPathAndFragment) {
  Result<Url> url = Url::Parse("http://example.com?x=1");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->target, "/?x=1");

  url = Url::Parse("http://example.com/a/b?x=1#section");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->target, "/a/b?x=1");

  url = Url::Parse("http://example.com#top");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->target, "/");
}

TEST(UrlTest, Ipv6LiteralsLoseTheirBrackets) {
  Result<Url> url = Url::Parse("http://[::1]:8080/x");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->target, "/x");
  EXPECT_EQ(url->Authority(), "[::1]:8080");
  EXPECT_EQ(url->HostHeader(), "[::1]:8080");
  EXPECT_EQ(url->Display(), "http://[::1]:8080");

  url = Url::Parse("https://[2001:DB8::1]/v1");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->host, "2001:db8::1");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->HostHeader(), "[2001:db8::1]");
  EXPECT_EQ(url->Authority(), "[2001:db8::1]:443");
}

TEST(UrlTest, UserInfoIsSplitOffAndNeverDisplayed) {
  Result<Url> url = Url::Parse("http://alice:s3cret@proxy.corp:3128");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->user_info, "alice:s3cret");
  EXPECT_EQ(url->host, "proxy.corp");
  EXPECT_EQ(url->port, 3128);
  EXPECT_EQ(url->Display(), "http://proxy.corp:3128");
  EXPECT_EQ(url->Authority(), "proxy.corp:3128");
  EXPECT_EQ(url->HostHeader(), "proxy.corp:3128");

  // An unescaped '@' in the password: the last '@' ends the user info.
  url = Url::Parse("http://bob:p@ss@[::1]:3128/");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->user_info, "bob:p@ss");
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->Display().find("p@ss"), std::string::npos) << url->Display();

  // An '@' after the authority belongs to the path.
  url = Url::Parse("http://example.com/users/@me");
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->user_info, "");
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->target, "/users/@me");
}

void ExpectInvalid(const std::string& text) {
  Result<Url> url = Url::Parse(text);
  ASSERT_FALSE(url.has_value()) << "parsed: " << text;
  EXPECT_EQ(url.error().code(), ErrorCode::kInvalidArgument) << text;
  EXPECT_FALSE(url.error().message().empty()) << text;
}

TEST(UrlTest, MissingOrUnsupportedScheme) {
  ExpectInvalid("example.com/v1");
  ExpectInvalid("localhost:8080");
  ExpectInvalid("//example.com/");
  ExpectInvalid("ftp://example.com/file");
  ExpectInvalid("ws://example.com/");
  ExpectInvalid("httpx://example.com/");
  ExpectInvalid("http:/example.com/");
  ExpectInvalid("");
}

TEST(UrlTest, EmptyHost) {
  ExpectInvalid("http://");
  ExpectInvalid("http:///path");
  ExpectInvalid("http://:8080/");
  ExpectInvalid("http://user:pw@/");
  ExpectInvalid("https://[]/");
  ExpectInvalid("https://?q=1");
}

TEST(UrlTest, BadBracketedHosts) {
  ExpectInvalid("http://[::1/x");
  ExpectInvalid("http://[::1]x/");
  ExpectInvalid("http://[::1]8080/");
}

TEST(UrlTest, BadPorts) {
  for (const char* text :
       {"http://example.com:0/", "http://example.com:70000/",
        "http://example.com:65536/", "http://example.com:abc/",
        "http://example.com:-1/", "http://example.com:+80/",
        "http://example.com:80x/", "http://example.com:99999999999999999999/",
        "http://[::1]:0/", "http://[::1]:port/"}) {
    Result<Url> url = Url::Parse(text);
    ASSERT_FALSE(url.has_value()) << "parsed: " << text;
    EXPECT_EQ(url.error().code(), ErrorCode::kInvalidArgument) << text;
    EXPECT_NE(url.error().message().find("port"), std::string::npos)
        << url.error().message();
  }
}

TEST(UrlTest, SpacesAndControlCharacters) {
  ExpectInvalid("http://exa mple.com/");
  ExpectInvalid("http://example.com/a b");
  ExpectInvalid(" http://example.com/");
  ExpectInvalid("http://example.com/\t");
  ExpectInvalid("http://example.com/\r\nX-Injected: 1");
  ExpectInvalid(std::string("http://example.com/\x01"));
  ExpectInvalid(std::string("http://example.com/\x7f"));
  ExpectInvalid(std::string("http://example.com/a\0b", 22));
}

TEST(JoinUrlTest, JoinsWithExactlyOneSlash) {
  EXPECT_EQ(JoinUrl("http://h:8080/prefix", "/v1/messages"),
            "http://h:8080/prefix/v1/messages");
  EXPECT_EQ(JoinUrl("http://h:8080/prefix/", "/v1/messages"),
            "http://h:8080/prefix/v1/messages");
  EXPECT_EQ(JoinUrl("http://h:8080/prefix//", "/v1/messages"),
            "http://h:8080/prefix/v1/messages");
  EXPECT_EQ(JoinUrl("https://api.anthropic.com", "/v1/messages"),
            "https://api.anthropic.com/v1/messages");
  EXPECT_EQ(JoinUrl("https://api.anthropic.com/", "v1/messages"),
            "https://api.anthropic.com/v1/messages");
  EXPECT_EQ(JoinUrl("https://api.anthropic.com", "v1/messages"),
            "https://api.anthropic.com/v1/messages");
  EXPECT_EQ(JoinUrl("https://api.anthropic.com/", ""),
            "https://api.anthropic.com");
}

TEST(JoinUrlTest, JoinedUrlParses) {
  Result<Url> url = Url::Parse(
      JoinUrl("http://127.0.0.1:9000/openai/", "/v1/chat/completions"));
  ASSERT_TRUE(url.has_value()) << url.error().message();
  EXPECT_EQ(url->target, "/openai/v1/chat/completions");
  EXPECT_EQ(url->port, 9000);
}

}  // namespace
}  // namespace duet::net
