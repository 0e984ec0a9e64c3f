// Small servers the HTTP client tests run in-process, each on 127.0.0.1
// port 0 with one I/O thread of its own (Boost.Asio coroutines):
//
//   TlsServer       answers every request over TLS with 200 and a chunked
//                   "hello tls" body, keeping connections alive
//   ConnectProxy    an HTTP proxy: tunnels CONNECT (or refuses it with 407),
//                   and answers any other request itself with "from proxy"
//   ScriptedServer  plain HTTP that answers, or drops the connection, as a
//                   test's script says for each request
//
// Each records the requests it read, so tests can check what went over the
// wire. Certificates come from the `openssl` command line at test time.
//
// Thread safety: the accessors may be called from any thread.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace duet::net::testing {

// A fresh directory under the system's temp folder, removed with everything
// in it when this goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// True when an `openssl` executable is on PATH.
bool HaveOpensslCommand();

struct CertificateFiles {
  std::string cert;  // PEM certificate (self-signed, so also its own CA)
  std::string key;   // PEM private key
};

// A self-signed P-256 certificate for `common_name` with the given
// subjectAltName ("DNS:localhost,IP:127.0.0.1"), written into `dir` as
// <stem>.pem and <stem>.key. Empty paths when openssl failed.
CertificateFiles MakeSelfSignedCertificate(const std::string& dir,
                                           const std::string& stem,
                                           const std::string& common_name,
                                           const std::string& subject_alt_name);

// One request as a test server read it.
struct RecordedRequest {
  std::string method;
  std::string target;  // as written on the request line
  std::string host;    // the Host header
  std::string proxy_authorization;
  std::string body;
};

// What the servers share: the I/O thread, the listening socket and the
// record of requests.
class TestServer {
 public:
  virtual ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  std::vector<RecordedRequest> requests() const;

 protected:
  TestServer();
  // Binds 127.0.0.1:0 and starts accepting; each connection goes to Serve.
  void Start();
  // Stops the I/O thread and destroys every connection's coroutine; call
  // first thing in the most derived destructor, so none outlives members it
  // uses.
  void Stop();
  virtual boost::asio::awaitable<void> Serve(
      boost::asio::ip::tcp::socket socket, int connection_number) = 0;
  void Record(RecordedRequest request);

 private:
  boost::asio::awaitable<void> Accept();

  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::thread thread_;
  uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  mutable std::mutex mutex_;
  std::vector<RecordedRequest> requests_;  // GUARDED_BY(mutex_)
};

class TlsServer final : public TestServer {
 public:
  TlsServer(const CertificateFiles& certificate);
  ~TlsServer() override;

  int handshake_failures() const { return handshake_failures_.load(); }

 private:
  boost::asio::awaitable<void> Serve(boost::asio::ip::tcp::socket socket,
                                     int connection_number) override;

  boost::asio::ssl::context tls_;
  std::atomic<int> handshake_failures_{0};
};

class ConnectProxy final : public TestServer {
 public:
  ConnectProxy();
  ~ConnectProxy() override;

  // Answer CONNECT with 407 Proxy Authentication Required.
  void set_refuse_connect(bool refuse) { refuse_connect_ = refuse; }

 private:
  boost::asio::awaitable<void> Serve(boost::asio::ip::tcp::socket socket,
                                     int connection_number) override;

  std::atomic<bool> refuse_connect_{false};
};

class ScriptedServer final : public TestServer {
 public:
  enum class Action {
    kAnswer,             // 200, keep-alive
    kAnswerThenClose,    // 200 that says keep-alive, then the socket closes
    kCloseWithoutAnswer  // read the request, close without a byte back
  };
  // Both numbers count from 1: the connection in accept order, the request
  // on that connection. The body answered is "c<connection> r<request>".
  using Script = std::function<Action(int connection, int request)>;

  explicit ScriptedServer(Script script);
  ~ScriptedServer() override;

 private:
  boost::asio::awaitable<void> Serve(boost::asio::ip::tcp::socket socket,
                                     int connection_number) override;

  Script script_;
};

}  // namespace duet::net::testing
