// Session: one client connection of HttpServer (internal to src/api/http).
//
// All of a session's socket work runs on its event loop, which one thread
// runs (HttpServer's loops are single-threaded, so no strand is needed).
// Exchanges answer from any thread by posting onto that loop; writes are
// queued and sent one at a time, each first written straight to the
// non-blocking socket (net::WriteNow) and only its remainder, if the socket
// is full, written asynchronously under the write timeout. While an answer
// is in flight, a one-byte read watches for the client going away, so the
// backend can be cancelled instead of generating for nobody.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api/http/exchange.h"
#include "api/http/request_parser.h"
#include "api/http/server.h"

namespace duet::api::http {

class Session;

// A session's socket and stream carry their loop's own executor type rather
// than asio's type-erased any_io_executor: every handler of every read and
// write goes through the executor, and the erased one costs a call through a
// table (and copies of the executor object) each time.
using SessionExecutor = boost::asio::io_context::executor_type;
using SessionSocket =
    boost::asio::ip::tcp::socket::rebind_executor<SessionExecutor>::other;
using SessionStream = boost::beast::basic_stream<boost::asio::ip::tcp, SessionExecutor,
                                                 boost::beast::unlimited_rate_policy>;

// State shared by the server and all of its sessions.
struct ServerShared {
  HttpServer::Options options;
  Handler* handler = nullptr;
  std::atomic<bool> shutting_down{false};

  std::mutex mutex;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  // Called (outside the lock) when the last session ends during shutdown.
  std::function<void()> on_drained;

  // Exchanges not yet destroyed. A backend can hold one through its sink
  // after the connection closed, and destroying it releases its Session,
  // whose socket belongs to the server's io_context: the server waits for
  // this to reach zero before the io_context goes. An atomic, not guarded
  // by mutex: every request counts in and out, from both I/O threads; the
  // last one out takes mutex only to wake WaitForExchanges.
  std::atomic<int> live_exchanges{0};
  std::condition_variable exchanges_gone;

  void Register(const std::shared_ptr<Session>& session);
  void Unregister(Session* session);
  std::vector<std::shared_ptr<Session>> Snapshot();

  void ExchangeCreated();
  void ExchangeDestroyed();
  // Waits up to `limit` for live_exchanges to reach zero. True when it did.
  bool WaitForExchanges(std::chrono::milliseconds limit);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(SessionSocket socket, std::shared_ptr<ServerShared> shared);
  ~Session();

  void Start();

  // Called by the server at shutdown; each posts onto the session's loop.
  void OnShutdownStarted();  // closes the connection if no answer is in flight
  void CancelInFlight();     // cancels the backend of the answer in flight
  void Close();              // closes the connection now

  // Used by the Exchange, from any thread. Delivered on the session's loop
  // in the order they were called, whichever threads called them (asio's
  // loop alone runs work posted from its own thread after work posted from
  // others meanwhile).
  void PostRespond(uint64_t exchange_id, Response response);
  void PostBeginStream(uint64_t exchange_id, Response head);
  void PostStream(uint64_t exchange_id, std::string data);
  void PostEndStream(uint64_t exchange_id);
  // Flushes what is queued for the exchange, then closes the connection.
  void PostAbort(uint64_t exchange_id);
  // The exchange was destroyed: unless it was answered, send `fallback` (or,
  // mid-stream, close the connection) so the client is not left waiting.
  void PostAbandon(uint64_t exchange_id, Response fallback);

 private:
  enum class Phase { kReading, kHandling, kClosed };
  // How a response body is delimited.
  enum class Framing { kContentLength, kChunked, kUntilClose };

  void ReadHeader();
  void OnHeader(boost::beast::error_code error);
  void ReadBody();
  void OnBody(boost::beast::error_code error);
  void Dispatch();
  void Reject(const Status& status);
  void WatchForDisconnect();
  void OnWatch(boost::beast::error_code error, size_t bytes);

  // What an Exchange sent, waiting for the session's loop.
  struct Outgoing {
    enum class Kind { kRespond, kBeginStream, kStream, kEndStream, kAbort, kAbandon };
    Kind kind;
    uint64_t exchange_id = 0;
    Response response{};  // kRespond, kBeginStream (the head), kAbandon
    std::string data{};   // kStream
  };
  // Queues `outgoing` in the outbox; posts a drain unless one is pending.
  void Send(Outgoing outgoing);

  // Strand-only helpers.
  void DrainOutbox();
  void Deliver(Outgoing& outgoing);
  std::string ResponseHead(const Response& response, Framing framing,
                           size_t content_length) const;
  void Enqueue(std::string bytes);
  void WriteNext();
  void OnWrite(boost::beast::error_code error);
  void FinishExchange();
  void CloseNow();

  SessionStream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<ServerShared> shared_;
  std::optional<RequestParser> parser_;

  Phase phase_ = Phase::kReading;
  bool first_request_ = true;
  bool keep_alive_ = true;
  bool http10_ = false;
  bool streaming_ = false;
  bool response_done_ = false;  // the exchange's last byte is queued
  bool watching_ = false;       // the disconnect watch read is pending
  bool writing_ = false;
  uint64_t exchange_id_ = 0;    // id of the exchange in flight
  std::shared_ptr<CancelFlag> cancel_;
  std::deque<std::string> out_;  // queued, not yet handed to a write
  // What the write in progress sends: everything queued when it began, in
  // one gathered write, so events produced during a write share a syscall.
  std::vector<std::string> in_flight_;
  std::vector<boost::asio::const_buffer> in_flight_buffers_;
  uint64_t queued_bytes_ = 0;
  std::mutex outbox_mutex_;
  std::vector<Outgoing> outbox_;  // guarded by outbox_mutex_, in call order
  bool outbox_posted_ = false;    // guarded by outbox_mutex_: a drain is pending
  std::vector<Outgoing> draining_;  // the drain's batch (its storage reused)
};

}  // namespace duet::api::http
