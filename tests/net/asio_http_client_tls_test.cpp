// AsioHttpClient over TLS and through proxies, against in-test servers:
// a TLS server with a self-signed certificate made by the `openssl` command
// line at test time, and a CONNECT proxy (test_servers.h). Skipped when
// `openssl` is not on PATH.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "net/asio_http_client.h"
#include "net/no_secrets.h"
#include "net/recording_handler.h"
#include "net/test_servers.h"

namespace duet::net {
namespace {

using testing::CertificateFiles;
using testing::ConnectProxy;
using testing::kSecretApiKey;
using testing::RecordedRequest;
using testing::RecordingHandler;
using testing::ScriptedServer;
using testing::TempDir;
using testing::TlsServer;

constexpr char kSecretTarget[] = "/v1/secret-path-51b0?token=query-secret-e2d4";

// Nor the proxy's credentials.
void ExpectNoSecrets(const Status& status) {
  testing::ExpectNoSecrets(status, {"pa%40ss", "pa@ss", "user:"});
}

class AsioHttpClientTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::HaveOpensslCommand()) {
      return;
    }
    dir_ = new TempDir();
    localhost_cert_ = testing::MakeSelfSignedCertificate(
        dir_->path(), "localhost", "localhost", "DNS:localhost,IP:127.0.0.1");
    // Valid for 127.0.0.1, but not for the name "localhost".
    other_cert_ = testing::MakeSelfSignedCertificate(
        dir_->path(), "other", "other.test", "DNS:other.test,IP:127.0.0.1");
  }

  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    if (dir_ == nullptr) {
      GTEST_SKIP() << "the openssl command is not on PATH; TLS tests need it "
                      "to make a test certificate";
    }
    ASSERT_FALSE(localhost_cert_.cert.empty())
        << "openssl could not make a certificate";
    ASSERT_FALSE(other_cert_.cert.empty())
        << "openssl could not make a certificate";
  }

  void TearDown() override { client_.reset(); }

  void MakeClient(AsioHttpClient::Options options) {
    Result<std::unique_ptr<AsioHttpClient>> client =
        AsioHttpClient::Create(std::move(options));
    ASSERT_TRUE(client.has_value()) << client.error().message();
    client_ = std::move(*client);
  }

  AsioHttpClient::Options TrustingLocalhost() const {
    AsioHttpClient::Options options;
    options.ca_file = localhost_cert_.cert;
    return options;
  }

  static ProxySettings Proxies(const std::string& http,
                               const std::string& https, bool proxy_loopback) {
    Result<ProxySettings> settings =
        ProxySettings::Make(http, https, "", proxy_loopback);
    EXPECT_TRUE(settings.has_value()) << settings.error().message();
    return settings.value_or(ProxySettings());
  }

  std::shared_ptr<RecordingHandler> Call(const std::string& url) {
    HttpRequest request;
    request.url = url;
    request.headers = {{"x-api-key", kSecretApiKey}};
    request.body = "{}";
    HttpTimeouts timeouts;
    timeouts.connect = std::chrono::milliseconds(3000);
    timeouts.first_byte = std::chrono::milliseconds(3000);
    timeouts.idle = std::chrono::milliseconds(3000);
    auto handler = std::make_shared<RecordingHandler>();
    client_->Send(std::make_shared<const HttpRequest>(std::move(request)), timeouts, handler,
                  nullptr);
    EXPECT_TRUE(handler->WaitDone()) << "the call did not complete";
    return handler;
  }

  static std::string Https(const std::string& host, uint16_t port,
                           const std::string& target = kSecretTarget) {
    return "https://" + host + ":" + std::to_string(port) + target;
  }

  static TempDir* dir_;
  static CertificateFiles localhost_cert_;
  static CertificateFiles other_cert_;
  std::unique_ptr<AsioHttpClient> client_;
};

TempDir* AsioHttpClientTlsTest::dir_ = nullptr;
CertificateFiles AsioHttpClientTlsTest::localhost_cert_;
CertificateFiles AsioHttpClientTlsTest::other_cert_;

TEST_F(AsioHttpClientTlsTest, TrustedCertificateSucceeds) {
  TlsServer server(localhost_cert_);
  ASSERT_NO_FATAL_FAILURE(MakeClient(TrustingLocalhost()));
  auto handler =
      Call(Https("localhost", server.port(), "/v1/messages?beta=true"));
  ASSERT_TRUE(handler->status().ok()) << handler->status().ToString();
  EXPECT_EQ(handler->head().status, 200);
  EXPECT_EQ(handler->body(), "hello tls");
  const std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/v1/messages?beta=true");
  EXPECT_EQ(requests[0].host, "localhost:" + std::to_string(server.port()));
  EXPECT_EQ(requests[0].body, "{}");
}

TEST_F(AsioHttpClientTlsTest, IpAddressInTheCertificateSucceeds) {
  TlsServer server(localhost_cert_);
  ASSERT_NO_FATAL_FAILURE(MakeClient(TrustingLocalhost()));
  auto handler = Call(Https("127.0.0.1", server.port(), "/"));
  ASSERT_TRUE(handler->status().ok()) << handler->status().ToString();
  EXPECT_EQ(handler->body(), "hello tls");
}

TEST_F(AsioHttpClientTlsTest, TlsConnectionIsPooledAndReused) {
  TlsServer server(localhost_cert_);
  ASSERT_NO_FATAL_FAILURE(MakeClient(TrustingLocalhost()));
  for (int i = 0; i < 3; ++i) {
    auto handler = Call(Https("localhost", server.port(), "/"));
    ASSERT_TRUE(handler->status().ok()) << handler->status().ToString();
    EXPECT_EQ(client_->IdleConnections(), 1u);
  }
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST_F(AsioHttpClientTlsTest, UntrustedCertificateFailsTheHandshake) {
  TlsServer server(localhost_cert_);
  ASSERT_NO_FATAL_FAILURE(
      MakeClient(AsioHttpClient::Options{}));  // system CAs only
  auto handler = Call(Https("localhost", server.port()));
  EXPECT_EQ(handler->status().code(), ErrorCode::kUnavailable)
      << handler->status().ToString();
  EXPECT_NE(handler->status().message().find("TLS"), std::string::npos)
      << handler->status().message();
  EXPECT_FALSE(handler->head_received());
  ExpectNoSecrets(handler->status());
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(client_->IdleConnections(), 0u);
}

TEST_F(AsioHttpClientTlsTest, HostNameNotInTheCertificateFails) {
  TlsServer server(other_cert_);
  AsioHttpClient::Options options;
  options.ca_file = other_cert_.cert;
  ASSERT_NO_FATAL_FAILURE(MakeClient(options));
  // The chain is trusted (the same certificate works by its IP address) ...
  auto by_address = Call(Https("127.0.0.1", server.port(), "/"));
  ASSERT_TRUE(by_address->status().ok()) << by_address->status().ToString();
  // ... but "localhost" is not a name it was issued for.
  auto by_name = Call(Https("localhost", server.port()));
  EXPECT_EQ(by_name->status().code(), ErrorCode::kUnavailable)
      << by_name->status().ToString();
  EXPECT_NE(by_name->status().message().find("TLS"), std::string::npos)
      << by_name->status().message();
  EXPECT_FALSE(by_name->head_received());
  ExpectNoSecrets(by_name->status());
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(AsioHttpClientTlsTest, PlainHttpToATlsServerFails) {
  TlsServer server(localhost_cert_);
  ASSERT_NO_FATAL_FAILURE(MakeClient(TrustingLocalhost()));
  auto handler =
      Call("http://localhost:" + std::to_string(server.port()) + kSecretTarget);
  EXPECT_FALSE(handler->status().ok());
  EXPECT_FALSE(handler->head_received());
  ExpectNoSecrets(handler->status());
}

// --- Proxies ---------------------------------------------------------------

TEST_F(AsioHttpClientTlsTest, HttpsGoesThroughAConnectTunnel) {
  TlsServer server(localhost_cert_);
  ConnectProxy proxy;
  AsioHttpClient::Options options = TrustingLocalhost();
  options.proxy = Proxies(
      "", "http://user:pa%40ss@127.0.0.1:" + std::to_string(proxy.port()),
      /*proxy_loopback=*/true);
  ASSERT_NO_FATAL_FAILURE(MakeClient(options));
  auto handler = Call(Https("localhost", server.port(), "/v1/messages"));
  ASSERT_TRUE(handler->status().ok()) << handler->status().ToString();
  EXPECT_EQ(handler->body(), "hello tls");

  const std::vector<RecordedRequest> at_proxy = proxy.requests();
  ASSERT_EQ(at_proxy.size(), 1u);
  EXPECT_EQ(at_proxy[0].method, "CONNECT");
  EXPECT_EQ(at_proxy[0].target, "localhost:" + std::to_string(server.port()));
  EXPECT_EQ(at_proxy[0].host, "localhost:" + std::to_string(server.port()));
  // base64("user:pa@ss"), encoded outside the code under test.
  EXPECT_EQ(at_proxy[0].proxy_authorization, "Basic dXNlcjpwYUBzcw==");

  // Inside the tunnel: an ordinary origin-form request, and the proxy's
  // credentials stay with the proxy.
  const std::vector<RecordedRequest> at_server = server.requests();
  ASSERT_EQ(at_server.size(), 1u);
  EXPECT_EQ(at_server[0].target, "/v1/messages");
  EXPECT_EQ(at_server[0].host, "localhost:" + std::to_string(server.port()));
  EXPECT_EQ(at_server[0].proxy_authorization, "");

  // The tunnelled connection is pooled and reused without a second CONNECT.
  auto again = Call(Https("localhost", server.port(), "/again"));
  ASSERT_TRUE(again->status().ok()) << again->status().ToString();
  EXPECT_EQ(proxy.requests().size(), 1u);
  EXPECT_EQ(server.accepted(), 1);
}

TEST_F(AsioHttpClientTlsTest, LoopbackTargetsBypassTheProxyByDefault) {
  TlsServer server(localhost_cert_);
  ConnectProxy proxy;
  AsioHttpClient::Options options = TrustingLocalhost();
  options.proxy = Proxies("http://127.0.0.1:" + std::to_string(proxy.port()),
                          "http://127.0.0.1:" + std::to_string(proxy.port()),
                          /*proxy_loopback=*/false);
  ASSERT_NO_FATAL_FAILURE(MakeClient(options));
  auto handler = Call(Https("localhost", server.port(), "/"));
  ASSERT_TRUE(handler->status().ok()) << handler->status().ToString();
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_TRUE(proxy.requests().empty());
  EXPECT_EQ(proxy.accepted(), 0);
}

TEST_F(AsioHttpClientTlsTest, ProxyRefusingTheTunnelIsUnavailable) {
  TlsServer server(localhost_cert_);
  ConnectProxy proxy;
  proxy.set_refuse_connect(true);
  AsioHttpClient::Options options = TrustingLocalhost();
  options.proxy = Proxies(
      "", "http://user:pa%40ss@127.0.0.1:" + std::to_string(proxy.port()),
      /*proxy_loopback=*/true);
  ASSERT_NO_FATAL_FAILURE(MakeClient(options));
  auto handler = Call(Https("localhost", server.port()));
  EXPECT_EQ(handler->status().code(), ErrorCode::kUnavailable)
      << handler->status().ToString();
  EXPECT_NE(handler->status().message().find("proxy"), std::string::npos)
      << handler->status().message();
  EXPECT_NE(handler->status().message().find("407"), std::string::npos)
      << handler->status().message();
  EXPECT_FALSE(handler->head_received());
  ExpectNoSecrets(handler->status());
  EXPECT_EQ(proxy.requests().size(), 1u);
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(client_->IdleConnections(), 0u);
}

TEST_F(AsioHttpClientTlsTest, UnreachableProxyIsUnavailableWithoutItsPassword) {
  uint16_t closed_port = 0;
  {
    ScriptedServer gone(
        [](int, int) { return ScriptedServer::Action::kAnswer; });
    closed_port = gone.port();
  }
  AsioHttpClient::Options options = TrustingLocalhost();
  const std::string proxy =
      "http://user:pa%40ss@127.0.0.1:" + std::to_string(closed_port);
  options.proxy = Proxies(proxy, proxy, /*proxy_loopback=*/true);
  ASSERT_NO_FATAL_FAILURE(MakeClient(options));
  for (const std::string& url :
       {Https("localhost", 443),
        std::string("http://localhost:8080") + kSecretTarget}) {
    SCOPED_TRACE(url);
    auto handler = Call(url);
    EXPECT_EQ(handler->status().code(), ErrorCode::kUnavailable)
        << handler->status().ToString();
    EXPECT_NE(handler->status().message().find(std::to_string(closed_port)),
              std::string::npos)
        << handler->status().message();
    EXPECT_FALSE(handler->head_received());
    ExpectNoSecrets(handler->status());
  }
}

TEST_F(AsioHttpClientTlsTest, PlainHttpThroughAProxyUsesTheAbsoluteForm) {
  ConnectProxy proxy;  // answers non-CONNECT requests itself
  AsioHttpClient::Options options;
  options.proxy =
      Proxies("http://user:pw@127.0.0.1:" + std::to_string(proxy.port()), "",
              /*proxy_loopback=*/false);
  ASSERT_NO_FATAL_FAILURE(MakeClient(options));
  // Not a loopback name, and never resolved: only the proxy is connected to.
  auto handler = Call("http://upstream.example:8080/v1/chat/completions?x=1");
  ASSERT_TRUE(handler->status().ok()) << handler->status().ToString();
  EXPECT_EQ(handler->body(), "from proxy");
  const std::vector<RecordedRequest> at_proxy = proxy.requests();
  ASSERT_EQ(at_proxy.size(), 1u);
  EXPECT_EQ(at_proxy[0].method, "POST");
  EXPECT_EQ(at_proxy[0].target,
            "http://upstream.example:8080/v1/chat/completions?x=1");
  EXPECT_EQ(at_proxy[0].host, "upstream.example:8080");
  EXPECT_EQ(at_proxy[0].proxy_authorization, "Basic dXNlcjpwdw==");  // user:pw
  EXPECT_EQ(at_proxy[0].body, "{}");
}

TEST_F(AsioHttpClientTlsTest, HttpsProxyUrlIsRejected) {
  AsioHttpClient::Options options;
  options.proxy =
      Proxies("", "https://127.0.0.1:3128", /*proxy_loopback=*/true);
  ASSERT_NO_FATAL_FAILURE(MakeClient(options));
  auto handler = Call(Https("localhost", 443));
  EXPECT_EQ(handler->status().code(), ErrorCode::kInvalidArgument)
      << handler->status().ToString();
  EXPECT_FALSE(handler->head_received());
  ExpectNoSecrets(handler->status());
}

}  // namespace
}  // namespace duet::net
