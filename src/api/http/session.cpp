#include "api/http/session.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "net/write_now.h"

namespace duet::api::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

std::string_view Request::Header(std::string_view lower_case_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) {
      return value;
    }
  }
  return {};
}

void ServerShared::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex);
  sessions.emplace(session.get(), session);
}

void ServerShared::Unregister(Session* session) {
  std::function<void()> drained;
  {
    std::lock_guard lock(mutex);
    sessions.erase(session);
    if (sessions.empty() && shutting_down.load()) {
      drained = on_drained;
    }
  }
  if (drained) {
    drained();
  }
}

std::vector<std::shared_ptr<Session>> ServerShared::Snapshot() {
  std::lock_guard lock(mutex);
  std::vector<std::shared_ptr<Session>> out;
  for (auto& [raw, weak] : sessions) {
    if (auto session = weak.lock()) {
      out.push_back(std::move(session));
    }
  }
  return out;
}

void ServerShared::ExchangeCreated() { live_exchanges.fetch_add(1); }

void ServerShared::ExchangeDestroyed() {
  if (live_exchanges.fetch_sub(1) != 1) {
    return;
  }
  // The last one: a waiter checks the count under mutex, so taking it here
  // means the waiter either saw zero or is already waiting to be woken.
  { std::lock_guard lock(mutex); }
  exchanges_gone.notify_all();
}

bool ServerShared::WaitForExchanges(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex);
  return exchanges_gone.wait_for(lock, limit,
                                 [this] { return live_exchanges.load() == 0; });
}

namespace {

// Counts one live exchange in ServerShared for as long as it exists.
class ExchangeCount {
 public:
  explicit ExchangeCount(std::shared_ptr<ServerShared> shared)
      : shared_(std::move(shared)) {
    shared_->ExchangeCreated();
  }
  ~ExchangeCount() { shared_->ExchangeDestroyed(); }
  ExchangeCount(const ExchangeCount&) = delete;
  ExchangeCount& operator=(const ExchangeCount&) = delete;

 private:
  std::shared_ptr<ServerShared> shared_;
};

class SessionExchange final : public Exchange {
 public:
  SessionExchange(std::shared_ptr<Session> session, uint64_t id,
                  Request request, std::shared_ptr<CancelFlag> cancel,
                  std::shared_ptr<ServerShared> shared)
      : count_(shared),
        session_(std::move(session)),
        id_(id),
        request_(std::move(request)),
        cancel_(std::move(cancel)),
        shared_(std::move(shared)) {}

  // A handler or backend that lets go of the exchange without finishing it
  // has a bug; the client still gets an end instead of a hung connection.
  ~SessionExchange() override {
    if (!finished_.load(std::memory_order_relaxed)) {
      session_->PostAbandon(
          id_, shared_->handler->RejectedRequest(
                   request_, Internal("the answer ended without a response")));
    }
  }

  SessionExchange(const SessionExchange&) = delete;
  SessionExchange& operator=(const SessionExchange&) = delete;

  const Request& request() const override { return request_; }
  void Respond(Response response) override {
    finished_ = true;
    session_->PostRespond(id_, std::move(response));
  }
  void BeginStream(Response head) override {
    session_->PostBeginStream(id_, std::move(head));
  }
  void Stream(std::string data) override {
    session_->PostStream(id_, std::move(data));
  }
  void EndStream() override {
    finished_ = true;
    session_->PostEndStream(id_);
  }
  void Abort() override {
    finished_ = true;
    session_->PostAbort(id_);
  }
  std::shared_ptr<CancelFlag> cancel_flag() const override { return cancel_; }
  bool shutting_down() const override { return shared_->shutting_down.load(); }

 private:
  ExchangeCount count_;  // first member: released last, after session_
  std::atomic<bool> finished_{false};  // Respond or EndStream was called
  std::shared_ptr<Session> session_;
  uint64_t id_;
  Request request_;
  std::shared_ptr<CancelFlag> cancel_;
  std::shared_ptr<ServerShared> shared_;
};

// Reason phrases Beast does not know (it predates them or they are vendor
// codes that clients nevertheless see).
std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 499:
      return "Client Closed Request";
    case 529:
      return "Overloaded";
    default:
      return bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  }
}

constexpr size_t kReadBufferBytes = 16 * 1024;

std::string Chunk(std::string_view data) {
  return fmt::format("{:x}\r\n{}\r\n", data.size(), data);
}

}  // namespace

Session::Session(SessionSocket socket,
                 std::shared_ptr<ServerShared> shared)
    : stream_(std::move(socket)), shared_(std::move(shared)) {
  // Beast asks the kernel for what the buffer can take (at least 512
  // bytes): a request of a few KB then arrives in one read, not in doublings.
  buffer_.reserve(kReadBufferBytes);
}

Session::~Session() { shared_->Unregister(this); }

void Session::Start() {
  shared_->Register(shared_from_this());
  // WriteNext first writes what the socket takes without waiting.
  beast::error_code ignored;
  stream_.socket().non_blocking(true, ignored);
  net::dispatch(stream_.get_executor(),
                [self = shared_from_this()] { self->ReadHeader(); });
}

void Session::ReadHeader() {
  if (phase_ == Phase::kClosed) {
    return;
  }
  if (shared_->shutting_down.load()) {
    CloseNow();
    return;
  }
  phase_ = Phase::kReading;
  parser_.emplace();
  parser_->header_limit(shared_->options.max_header_bytes);
  // No body limit while the header is read: Beast would reject an oversized
  // Content-Length before the header is complete, and the answer could not
  // then be shaped for the API the request's path names. OnHeader checks
  // Content-Length itself and sets the limit for chunked bodies.
  parser_->body_limit(boost::none);
  // The first request gets the header deadline; later ones on a kept-alive
  // connection may idle first.
  stream_.expires_after(first_request_ ? shared_->options.header_timeout
                                       : shared_->options.idle_timeout);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code error, size_t) {
        self->OnHeader(error);
      });
}

void Session::OnHeader(beast::error_code error) {
  if (phase_ == Phase::kClosed) {
    return;
  }
  if (error == bhttp::error::header_limit) {
    Reject(Status(ErrorCode::kHeadersTooLarge,
                  "request headers exceed " +
                      std::to_string(shared_->options.max_header_bytes) +
                      " bytes"));
    return;
  }
  if (error == bhttp::error::end_of_stream || error == beast::error::timeout ||
      error == net::error::operation_aborted ||
      error == net::error::connection_reset || error == net::error::eof) {
    CloseNow();  // idle, slow or gone: nothing to answer
    return;
  }
  if (error) {
    Reject(InvalidArgument("malformed HTTP request: " + error.message()));
    return;
  }
  first_request_ = false;
  if (const auto length = parser_->content_length();
      length && *length > shared_->options.max_body_bytes) {
    Reject(Status(ErrorCode::kPayloadTooLarge,
                  "request body of " + std::to_string(*length) +
                      " bytes exceeds the limit of " +
                      std::to_string(shared_->options.max_body_bytes)));
    return;
  }
  parser_->body_limit(shared_->options.max_body_bytes);
  if (beast::iequals(parser_->request().Header("expect"), "100-continue")) {
    // curl sends this for large bodies and waits for the go-ahead.
    Enqueue("HTTP/1.1 100 Continue\r\n\r\n");
  }
  ReadBody();
}

void Session::ReadBody() {
  stream_.expires_after(shared_->options.body_timeout);
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code error,
                                                size_t) { self->OnBody(error); });
}

void Session::OnBody(beast::error_code error) {
  if (phase_ == Phase::kClosed) {
    return;
  }
  if (error == bhttp::error::body_limit) {
    Reject(Status(ErrorCode::kPayloadTooLarge,
                  "request body exceeds the limit of " +
                      std::to_string(shared_->options.max_body_bytes) +
                      " bytes"));
    return;
  }
  if (error) {
    // Timeout or disconnect mid-body: the socket is unusable.
    CloseNow();
    return;
  }
  Dispatch();
}

void Session::Dispatch() {
  phase_ = Phase::kHandling;
  keep_alive_ = parser_->keep_alive() && !shared_->shutting_down.load();
  http10_ = parser_->version() < 11;
  streaming_ = false;
  response_done_ = false;
  ++exchange_id_;
  cancel_ = std::make_shared<CancelFlag>();
  auto exchange = std::make_shared<SessionExchange>(
      shared_from_this(), exchange_id_, std::move(parser_->request()), cancel_, shared_);
  parser_.reset();
  stream_.expires_never();
  WatchForDisconnect();
  shared_->handler->Handle(std::move(exchange));
}

void Session::Reject(const Status& status) {
  Request partial;
  if (parser_ && parser_->is_header_done()) {
    partial = std::move(parser_->request());
    partial.body.clear();
  }
  Response response = shared_->handler->RejectedRequest(partial, status);
  phase_ = Phase::kHandling;
  keep_alive_ = false;  // the rest of the request is unread
  http10_ = false;
  response_done_ = true;
  stream_.expires_never();
  Enqueue(ResponseHead(response, Framing::kContentLength, response.body.size()) + response.body);
}

void Session::WatchForDisconnect() {
  watching_ = true;
  stream_.async_read_some(
      buffer_.prepare(1024),
      [self = shared_from_this()](beast::error_code error, size_t bytes) {
        self->OnWatch(error, bytes);
      });
}

void Session::OnWatch(beast::error_code error, size_t bytes) {
  watching_ = false;
  buffer_.commit(bytes);  // a pipelined next request stays buffered
  if (phase_ == Phase::kClosed) {
    return;
  }
  if (phase_ == Phase::kReading) {
    // The exchange finished and cancelled the watch to read the next request.
    ReadHeader();
    return;
  }
  if (error && error != net::error::operation_aborted) {
    spdlog::debug("client went away during an answer: {}", error.message());
    cancel_->Cancel();
    CloseNow();
  }
  // Data without error: a pipelined request arrived early. It waits in
  // buffer_; disconnects are then noticed by the next write instead.
}

std::string Session::ResponseHead(const Response& response, Framing framing,
                                  size_t content_length) const {
  // One allocation: the fixed lines take under 160 bytes besides the
  // server name and content type.
  size_t size = 160 + shared_->options.server_header.size() +
                response.content_type.size();
  for (const auto& [name, value] : response.headers) {
    size += name.size() + value.size() + 4;
  }
  std::string head;
  head.reserve(size);
  fmt::format_to(std::back_inserter(head),
                 "HTTP/1.1 {} {}\r\nServer: {}\r\nContent-Type: {}\r\n",
                 response.status, ReasonPhrase(response.status),
                 shared_->options.server_header, response.content_type);
  for (const auto& [name, value] : response.headers) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  switch (framing) {
    case Framing::kContentLength:
      fmt::format_to(std::back_inserter(head), "Content-Length: {}\r\n",
                     content_length);
      break;
    case Framing::kChunked:
      head += "Transfer-Encoding: chunked\r\nCache-Control: no-cache\r\n";
      break;
    case Framing::kUntilClose:
      head += "Cache-Control: no-cache\r\n";
      break;
  }
  head += keep_alive_ ? "Connection: keep-alive\r\n\r\n"
                      : "Connection: close\r\n\r\n";
  return head;
}

void Session::PostRespond(uint64_t exchange_id, Response response) {
  Send({.kind = Outgoing::Kind::kRespond, .exchange_id = exchange_id,
        .response = std::move(response)});
}

void Session::PostBeginStream(uint64_t exchange_id, Response head) {
  Send({.kind = Outgoing::Kind::kBeginStream, .exchange_id = exchange_id,
        .response = std::move(head)});
}

void Session::PostStream(uint64_t exchange_id, std::string data) {
  if (data.empty()) {
    return;  // an empty chunk would end the chunked body
  }
  Send({.kind = Outgoing::Kind::kStream, .exchange_id = exchange_id, .data = std::move(data)});
}

void Session::PostEndStream(uint64_t exchange_id) {
  Send({.kind = Outgoing::Kind::kEndStream, .exchange_id = exchange_id});
}

void Session::PostAbort(uint64_t exchange_id) {
  Send({.kind = Outgoing::Kind::kAbort, .exchange_id = exchange_id});
}

void Session::PostAbandon(uint64_t exchange_id, Response fallback) {
  Send({.kind = Outgoing::Kind::kAbandon, .exchange_id = exchange_id,
        .response = std::move(fallback)});
}

void Session::Send(Outgoing outgoing) {
  {
    std::lock_guard lock(outbox_mutex_);
    outbox_.push_back(std::move(outgoing));
    if (outbox_posted_) {
      return;  // the pending drain takes it, in order
    }
    outbox_posted_ = true;
  }
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->DrainOutbox(); });
}

void Session::DrainOutbox() {
  {
    std::lock_guard lock(outbox_mutex_);
    draining_.swap(outbox_);
    outbox_posted_ = false;
  }
  for (Outgoing& outgoing : draining_) {
    Deliver(outgoing);
  }
  draining_.clear();
}

void Session::Deliver(Outgoing& outgoing) {
  if (exchange_id_ != outgoing.exchange_id || phase_ != Phase::kHandling ||
      response_done_) {
    return;  // answered, or the connection is gone
  }
  Response& response = outgoing.response;
  switch (outgoing.kind) {
    case Outgoing::Kind::kRespond:
      if (streaming_) {
        return;
      }
      response_done_ = true;
      Enqueue(ResponseHead(response, Framing::kContentLength, response.body.size()) +
              response.body);
      return;
    case Outgoing::Kind::kBeginStream:
      if (streaming_) {
        return;
      }
      streaming_ = true;
      if (http10_) {
        // HTTP/1.0 has no chunked encoding: the body ends when we close.
        keep_alive_ = false;
        Enqueue(ResponseHead(response, Framing::kUntilClose, 0));
        return;
      }
      Enqueue(ResponseHead(response, Framing::kChunked, 0));
      return;
    case Outgoing::Kind::kStream:
      if (streaming_) {
        Enqueue(http10_ ? std::move(outgoing.data) : Chunk(outgoing.data));
      }
      return;
    case Outgoing::Kind::kEndStream:
      if (!streaming_) {
        return;
      }
      response_done_ = true;
      if (http10_) {
        WriteNext();  // nothing to add; close when flushed
        return;
      }
      Enqueue("0\r\n\r\n");
      return;
    case Outgoing::Kind::kAbort:
      if (cancel_) {
        cancel_->Cancel();
      }
      // Without keep-alive, finishing the exchange closes the connection once
      // the queue is flushed; a stream gets no terminating chunk.
      keep_alive_ = false;
      response_done_ = true;
      WriteNext();
      return;
    case Outgoing::Kind::kAbandon:
      spdlog::error("an answer was abandoned without a response; {}",
                    streaming_ ? "closing its unfinished stream" : "answering 500");
      if (cancel_) {
        cancel_->Cancel();
      }
      keep_alive_ = false;
      response_done_ = true;
      if (streaming_) {
        // No terminating chunk: closing mid-body tells the client the stream
        // is incomplete.
        WriteNext();
        return;
      }
      Enqueue(ResponseHead(response, Framing::kContentLength, response.body.size()) +
              response.body);
      return;
  }
}

void Session::Enqueue(std::string bytes) {
  if (phase_ == Phase::kClosed) {
    return;
  }
  queued_bytes_ += bytes.size();
  out_.push_back(std::move(bytes));
  if (queued_bytes_ > shared_->options.max_buffered_response_bytes) {
    spdlog::warn("dropping a client that stopped reading ({} bytes queued)",
                 queued_bytes_);
    if (cancel_) {
      cancel_->Cancel();
    }
    CloseNow();
    return;
  }
  WriteNext();
}

void Session::WriteNext() {
  if (writing_ || phase_ == Phase::kClosed) {
    return;
  }
  if (out_.empty()) {
    if (response_done_ && phase_ == Phase::kHandling) {
      FinishExchange();
    }
    return;
  }
  writing_ = true;
  in_flight_.clear();
  in_flight_buffers_.clear();
  size_t total = 0;
  while (!out_.empty()) {
    in_flight_.push_back(std::move(out_.front()));
    out_.pop_front();
    total += in_flight_.back().size();
  }
  for (const std::string& bytes : in_flight_) {
    in_flight_buffers_.push_back(net::buffer(bytes));
  }
  const size_t written = duet::net::WriteNow(stream_.socket(), in_flight_buffers_);
  if (written == total) {
    OnWrite({});  // all taken: no timeout to arm, no completion to wait for
    return;
  }
  duet::net::ConsumeBuffers(&in_flight_buffers_, written);
  // Only the write timer is armed while the disconnect watch read is pending.
  stream_.expires_after(shared_->options.write_timeout);
  net::async_write(stream_, in_flight_buffers_,
                   [self = shared_from_this()](beast::error_code error,
                                               size_t) { self->OnWrite(error); });
}

void Session::OnWrite(beast::error_code error) {
  writing_ = false;
  if (phase_ == Phase::kClosed) {
    return;
  }
  if (error) {
    spdlog::debug("write failed, closing connection: {}", error.message());
    if (cancel_) {
      cancel_->Cancel();
    }
    CloseNow();
    return;
  }
  for (const std::string& bytes : in_flight_) {
    queued_bytes_ -= bytes.size();
  }
  in_flight_.clear();
  in_flight_buffers_.clear();
  WriteNext();
}

void Session::FinishExchange() {
  cancel_.reset();
  if (!keep_alive_ || shared_->shutting_down.load()) {
    CloseNow();
    return;
  }
  phase_ = Phase::kReading;
  if (watching_) {
    // OnWatch sees kReading and starts reading the next request.
    stream_.socket().cancel();
    return;
  }
  ReadHeader();
}

void Session::CloseNow() {
  if (phase_ == Phase::kClosed) {
    return;
  }
  phase_ = Phase::kClosed;
  out_.clear();
  queued_bytes_ = 0;
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

void Session::OnShutdownStarted() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->phase_ == Phase::kReading) {
      self->CloseNow();
    } else {
      self->keep_alive_ = false;
    }
  });
}

void Session::CancelInFlight() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->cancel_) {
      self->cancel_->Cancel();
    }
  });
}

void Session::Close() {
  net::post(stream_.get_executor(),
            [self = shared_from_this()] { self->CloseNow(); });
}

}  // namespace duet::api::http
