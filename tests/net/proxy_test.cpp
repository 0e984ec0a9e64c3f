// ProxySettings: which proxy a URL goes through, read the way curl reads
// the proxy environment variables.
#include "net/proxy.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>

namespace duet::net {
namespace {

Url MustParse(const std::string& text) {
  Result<Url> url = Url::Parse(text);
  EXPECT_TRUE(url.has_value()) << text;
  return url.value_or(Url{});
}

// The proxy's "host:port" for `target`, or "direct".
std::string Route(const ProxySettings& settings, const std::string& target) {
  std::optional<Url> proxy = settings.ProxyFor(MustParse(target));
  return proxy ? proxy->Authority() : "direct";
}

ProxySettings MustMake(std::string http, std::string https,
                       std::string no_proxy, bool proxy_loopback = false) {
  Result<ProxySettings> settings = ProxySettings::Make(
      std::move(http), std::move(https), std::move(no_proxy), proxy_loopback);
  EXPECT_TRUE(settings.has_value()) << settings.error().message();
  return settings.value_or(ProxySettings());
}

// A fake environment for FromEnvironment.
ProxySettings FromEnv(const std::map<std::string, std::string>& env) {
  Result<ProxySettings> settings =
      ProxySettings::FromEnvironment([&env](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
      });
  EXPECT_TRUE(settings.has_value()) << settings.error().message();
  return settings.value_or(ProxySettings());
}

TEST(ProxySettingsTest, NothingSetMeansDirect) {
  const ProxySettings settings = FromEnv({});
  EXPECT_EQ(Route(settings, "http://example.com/"), "direct");
  EXPECT_EQ(Route(settings, "https://example.com/"), "direct");
  EXPECT_EQ(Route(ProxySettings(), "https://example.com/"), "direct");
}

TEST(ProxySettingsTest, LowerCaseVariableWinsOverUpperCase) {
  const ProxySettings both =
      FromEnv({{"http_proxy", "http://lower.corp:1111"},
               {"HTTP_PROXY", "http://upper.corp:2222"},
               {"https_proxy", "http://lower-tls.corp:3333"},
               {"HTTPS_PROXY", "http://upper-tls.corp:4444"}});
  EXPECT_EQ(Route(both, "http://example.com/"), "lower.corp:1111");
  EXPECT_EQ(Route(both, "https://example.com/"), "lower-tls.corp:3333");

  const ProxySettings upper =
      FromEnv({{"HTTP_PROXY", "http://upper.corp:2222"},
               {"HTTPS_PROXY", "http://upper-tls.corp:4444"}});
  EXPECT_EQ(Route(upper, "http://example.com/"), "upper.corp:2222");
  EXPECT_EQ(Route(upper, "https://example.com/"), "upper-tls.corp:4444");
}

TEST(ProxySettingsTest, LowerCaseNoProxyWinsOverUpperCase) {
  const ProxySettings settings =
      FromEnv({{"http_proxy", "http://proxy.corp:3128"},
               {"no_proxy", "lower.example"},
               {"NO_PROXY", "upper.example"}});
  EXPECT_EQ(Route(settings, "http://lower.example/"), "direct");
  EXPECT_EQ(Route(settings, "http://upper.example/"), "proxy.corp:3128");

  const ProxySettings upper = FromEnv({{"http_proxy", "http://proxy.corp:3128"},
                                       {"NO_PROXY", "upper.example"}});
  EXPECT_EQ(Route(upper, "http://upper.example/"), "direct");
}

TEST(ProxySettingsTest, HttpsUsesHttpsProxyElseHttpProxy) {
  const ProxySettings both =
      MustMake("http://plain.corp:3128", "http://tls.corp:3129", "");
  EXPECT_EQ(Route(both, "https://api.anthropic.com/v1"), "tls.corp:3129");
  EXPECT_EQ(Route(both, "http://api.example.com/v1"), "plain.corp:3128");

  const ProxySettings http_only = MustMake("http://plain.corp:3128", "", "");
  EXPECT_EQ(Route(http_only, "https://api.anthropic.com/v1"),
            "plain.corp:3128");
  EXPECT_EQ(Route(http_only, "http://api.example.com/v1"), "plain.corp:3128");

  // HTTPS_PROXY alone is not used for plain http.
  const ProxySettings https_only = MustMake("", "http://tls.corp:3129", "");
  EXPECT_EQ(Route(https_only, "https://api.anthropic.com/v1"), "tls.corp:3129");
  EXPECT_EQ(Route(https_only, "http://api.example.com/v1"), "direct");
}

TEST(ProxySettingsTest, ProxyWithoutSchemeIsHttp) {
  const ProxySettings settings = MustMake("proxy.corp:3128", "", "");
  std::optional<Url> proxy =
      settings.ProxyFor(MustParse("http://example.com/"));
  ASSERT_TRUE(proxy.has_value());
  EXPECT_EQ(proxy->scheme, "http");
  EXPECT_EQ(proxy->host, "proxy.corp");
  EXPECT_EQ(proxy->port, 3128);

  // No port: the scheme's default.
  EXPECT_EQ(Route(MustMake("proxy.corp", "", ""), "http://example.com/"),
            "proxy.corp:80");
}

TEST(ProxySettingsTest, ProxyKeepsItsUserInfo) {
  const ProxySettings settings =
      MustMake("http://u%40corp:p%3Aw@proxy.corp:3128", "", "");
  std::optional<Url> proxy =
      settings.ProxyFor(MustParse("http://example.com/"));
  ASSERT_TRUE(proxy.has_value());
  EXPECT_EQ(proxy->user_info, "u%40corp:p%3Aw");
  EXPECT_EQ(proxy->Display(), "http://proxy.corp:3128");
}

TEST(ProxySettingsTest, NoProxyStarBypassesEverything) {
  const ProxySettings settings =
      MustMake("http://proxy.corp:3128", "http://proxy.corp:3129", "*");
  EXPECT_EQ(Route(settings, "http://example.com/"), "direct");
  EXPECT_EQ(Route(settings, "https://api.anthropic.com/"), "direct");
  // "*" among other entries too.
  EXPECT_EQ(Route(MustMake("http://proxy.corp:3128", "", "a.example, *"),
                  "http://b.example/"),
            "direct");
}

TEST(ProxySettingsTest, NoProxyMatchesTheDomainAndItsSubdomains) {
  for (const char* entry : {"example.com", ".example.com", "EXAMPLE.com"}) {
    SCOPED_TRACE(entry);
    const ProxySettings settings =
        MustMake("http://proxy.corp:3128", "", entry);
    EXPECT_EQ(Route(settings, "http://example.com/"), "direct");
    EXPECT_EQ(Route(settings, "http://api.example.com/"), "direct");
    EXPECT_EQ(Route(settings, "https://a.b.example.com/"), "direct");
    EXPECT_EQ(Route(settings, "http://Api.Example.Com/"), "direct");
    // Not a label boundary, or a different domain.
    EXPECT_EQ(Route(settings, "http://notexample.com/"), "proxy.corp:3128");
    EXPECT_EQ(Route(settings, "http://example.com.evil.net/"),
              "proxy.corp:3128");
    EXPECT_EQ(Route(settings, "http://example.co/"), "proxy.corp:3128");
    EXPECT_EQ(Route(settings, "http://com/"), "proxy.corp:3128");
  }
}

TEST(ProxySettingsTest, NoProxyListSeparators) {
  const ProxySettings settings = MustMake("http://proxy.corp:3128", "",
                                          " a.example, b.example  c.example,,");
  EXPECT_EQ(Route(settings, "http://a.example/"), "direct");
  EXPECT_EQ(Route(settings, "http://b.example/"), "direct");
  EXPECT_EQ(Route(settings, "http://c.example/"), "direct");
  EXPECT_EQ(Route(settings, "http://d.example/"), "proxy.corp:3128");
}

TEST(ProxySettingsTest, NoProxyWithAPortMatchesThatPortOnly) {
  const ProxySettings settings =
      MustMake("http://proxy.corp:3128", "http://proxy.corp:3129",
               "example.com:8443,internal.example:80");
  EXPECT_EQ(Route(settings, "https://example.com:8443/"), "direct");
  EXPECT_EQ(Route(settings, "https://api.example.com:8443/"), "direct");
  EXPECT_EQ(Route(settings, "https://example.com/"), "proxy.corp:3129");
  // Port 80 written in the entry matches the default port of http.
  EXPECT_EQ(Route(settings, "http://internal.example/"), "direct");
  EXPECT_EQ(Route(settings, "https://internal.example/"), "proxy.corp:3129");
}

TEST(ProxySettingsTest, NoProxyIpLiterals) {
  const ProxySettings settings =
      MustMake("http://proxy.corp:3128", "",
               "10.1.2.3,2001:db8::1,[2001:db8::2]:8080,[2001:db8::3]");
  EXPECT_EQ(Route(settings, "http://10.1.2.3:9000/"), "direct");
  EXPECT_EQ(Route(settings, "http://10.1.2.4/"), "proxy.corp:3128");
  // A bare IPv6 literal is not mistaken for host:port.
  EXPECT_EQ(Route(settings, "http://[2001:db8::1]/"), "direct");
  EXPECT_EQ(Route(settings, "http://[2001:db8::1]:8080/"), "direct");
  // A bracketed one may carry a port.
  EXPECT_EQ(Route(settings, "http://[2001:db8::2]:8080/"), "direct");
  EXPECT_EQ(Route(settings, "http://[2001:db8::2]/"), "proxy.corp:3128");
  EXPECT_EQ(Route(settings, "http://[2001:db8::3]:1234/"), "direct");
  EXPECT_EQ(Route(settings, "http://[2001:db8::4]/"), "proxy.corp:3128");
}

TEST(ProxySettingsTest, LoopbackIsNeverProxied) {
  const ProxySettings settings =
      MustMake("http://proxy.corp:3128", "http://proxy.corp:3129", "");
  for (const char* target : {"http://localhost:8080/", "https://localhost/",
                             "http://127.0.0.1:9000/", "http://127.1.2.3/",
                             "http://[::1]:8080/", "http://app.localhost/"}) {
    EXPECT_EQ(Route(settings, target), "direct") << target;
  }
  EXPECT_EQ(Route(settings, "http://128.0.0.1/"), "proxy.corp:3128");
}

TEST(ProxySettingsTest, ProxyLoopbackOptionProxiesLoopbackButKeepsNoProxy) {
  const ProxySettings settings =
      MustMake("http://proxy.corp:3128", "http://proxy.corp:3129", "",
               /*proxy_loopback=*/true);
  EXPECT_EQ(Route(settings, "http://localhost:8080/"), "proxy.corp:3128");
  EXPECT_EQ(Route(settings, "https://127.0.0.1/"), "proxy.corp:3129");
  EXPECT_EQ(Route(settings, "http://[::1]/"), "proxy.corp:3128");

  const ProxySettings excepted = MustMake("http://proxy.corp:3128", "",
                                          "localhost", /*proxy_loopback=*/true);
  EXPECT_EQ(Route(excepted, "http://localhost:8080/"), "direct");
  EXPECT_EQ(Route(excepted, "http://127.0.0.1:8080/"), "proxy.corp:3128");
}

TEST(ProxySettingsTest, InvalidProxyUrlFailsWithoutShowingThePassword) {
  for (const char* proxy :
       {"http://alice:hunter2@proxy.corp:99999",
        "ftp://alice:hunter2@proxy.corp", "http://alice:hunter2@:3128",
        "http://alice:hunter2@proxy corp:3128"}) {
    SCOPED_TRACE(proxy);
    for (int which = 0; which < 2; ++which) {
      Result<ProxySettings> settings = which == 0
                                           ? ProxySettings::Make(proxy, "", "")
                                           : ProxySettings::Make("", proxy, "");
      ASSERT_FALSE(settings.has_value());
      EXPECT_EQ(settings.error().code(), ErrorCode::kInvalidArgument);
      EXPECT_EQ(settings.error().message().find("hunter2"), std::string::npos)
          << settings.error().message();
      EXPECT_EQ(settings.error().message().find("alice"), std::string::npos)
          << settings.error().message();
    }
  }
  Result<ProxySettings> from_env =
      ProxySettings::FromEnvironment([](const char* name) -> const char* {
        return std::string(name) == "HTTPS_PROXY"
                   ? "http://bob:topsecret@proxy:0"
                   : nullptr;
      });
  ASSERT_FALSE(from_env.has_value());
  EXPECT_EQ(from_env.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(from_env.error().message().find("topsecret"), std::string::npos)
      << from_env.error().message();
}

}  // namespace
}  // namespace duet::net
