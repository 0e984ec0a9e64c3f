#include "net/asio_http_client.h"

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <type_traits>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "net/basic_auth.h"
#include "net/request_head.h"
#include "net/response_parser.h"
#include "net/write_now.h"

namespace duet::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
// Where a call and its connection run: the executor of an event loop that
// one thread runs (duet serve's loops, or each of the client's own), so no
// strand is needed. The concrete type rather than asio's type-erased
// any_io_executor: every completion of every read, write and coroutine step
// goes through it, and the erased one costs a call through a table and
// copies of the executor object each time.
using Executor = asio::io_context::executor_type;
template <typename T>
using Task = asio::awaitable<T, Executor>;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable_t<Executor>());
constexpr size_t kReadChunk = 16 * 1024;

using PlainStream = beast::basic_stream<tcp, Executor, beast::unlimited_rate_policy>;
using TlsStream = beast::ssl_stream<PlainStream>;
using Resolver = asio::ip::basic_resolver<tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;

// A connection is used by one call at a time, always on the executor it was
// opened on: Beast's timeout handlers run on the stream's executor, so a
// later call that reuses the connection runs its coroutine on that executor
// too and never races with them.
struct Connection {
  // `executor` is the one `plain` was made with.
  Connection(PlainStream plain, Executor executor_in)
      : executor(std::move(executor_in)), stream(std::move(plain)) {
    Reserve();
  }
  Connection(PlainStream plain, Executor executor_in, ssl::context& context)
      : executor(std::move(executor_in)),
        stream(std::in_place_type<TlsStream>, std::move(plain), context) {
    Reserve();
  }

  PlainStream& Lowest() {
    return std::visit([](auto& s) -> PlainStream& { return beast::get_lowest_layer(s); },
                      stream);
  }

  Executor executor;
  std::variant<PlainStream, TlsStream> stream;
  // What the socket reads into. Its capacity is what one read asks the
  // kernel for (Beast asks for at least 512 bytes), so it starts at a
  // chunk: a short answer then arrives in one read.
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since;

 private:
  void Reserve() { buffer.reserve(kReadChunk); }
};

// A connection idle for less than this is taken without asking the socket
// whether the peer closed it: servers keep idle connections for seconds,
// and one closed sooner fails before any answer arrives, which the call
// retries once on a new connection. Under load that saves a system call
// per request.
constexpr auto kRecentlyIdle = std::chrono::seconds(1);

// True when an idle pooled connection, idle for `idle`, can still be used:
// the peer has not closed it and has sent nothing unasked (which would be a
// close_notify or garbage).
bool LooksAlive(Connection& connection, std::chrono::steady_clock::duration idle) {
  if (connection.buffer.size() > 0) {
    return false;
  }
  if (idle < kRecentlyIdle) {
    return true;
  }
  char byte = 0;
  const ssize_t got = ::recv(connection.Lowest().socket().native_handle(),
                             &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// Url::Parse, remembering the last URL this thread parsed: a backend sends
// every call to the same URL, and parsing it again cost more than a copy.
Result<Url> ParseUrl(const std::string& text) {
  thread_local std::string last_text;
  thread_local std::optional<Url> last_url;
  if (last_url && text == last_text) {
    return *last_url;
  }
  Result<Url> url = Url::Parse(text);
  if (url) {
    last_text = text;
    last_url = *url;
  }
  return url;
}

bool IsTimeout(const beast::error_code& error) {
  return error == beast::error::timeout;
}

// A connection-level failure that a stale pooled connection produces when
// the server closed it while idle.
bool IsStaleConnectionError(const beast::error_code& error) {
  return error == bhttp::error::end_of_stream || error == asio::error::eof ||
         error == asio::error::connection_reset ||
         error == asio::error::broken_pipe ||
         error == ssl::error::stream_truncated;
}

}  // namespace

std::string_view HttpResponseHead::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return value;
    }
  }
  return {};
}

class AsioHttpClient::Impl {
 public:
  struct Call {
    Call(Executor executor_in, std::shared_ptr<const HttpRequest> request_in,
         HttpTimeouts timeouts_in,
         std::shared_ptr<HttpResponseHandler> handler_in,
         std::shared_ptr<const CancelFlag> cancel_in)
        : executor(std::move(executor_in)),
          request(std::move(request_in)),
          timeouts(timeouts_in),
          handler(std::move(handler_in)),
          cancel(std::move(cancel_in)) {}

    Executor executor;
    size_t loop = 0;  // the index of the event loop the call runs on
    std::shared_ptr<const HttpRequest> request;
    HttpTimeouts timeouts;
    std::shared_ptr<HttpResponseHandler> handler;
    std::shared_ptr<const CancelFlag> cancel;
    // Aborts the call on `executor` when `cancel` is set (reset by Finish).
    CancelFlag::Subscription cancel_subscription;
    Url url;
    std::optional<Url> proxy;
    std::string head;  // the request's bytes up to the body (RequestHead)
    // What Abort closes to stop the call (set per phase; touched on
    // `executor` only).
    Resolver* resolver = nullptr;
    Connection* connection = nullptr;
    bool resolve_timed_out = false;
    bool aborted = false;  // cancelled or the client is shutting down
    bool head_received = false;
    bool done = false;
  };

  Impl(Options options, ssl::context tls)
      : options_(std::move(options)),
        tls_(std::move(tls)),
        own_loops_(MakeOwnLoops(options_)),
        contexts_(options_.io_contexts.empty() ? Pointers(own_loops_)
                                               : options_.io_contexts) {
    for (const std::unique_ptr<asio::io_context>& own : own_loops_) {
      work_.emplace_back(own->get_executor());
      threads_.emplace_back([&own = *own] { own.run(); });
    }
    for (size_t i = 0; i < contexts_.size(); ++i) {
      loops_.push_back(std::make_unique<Loop>());
    }
  }

  ~Impl() {
    for (const std::unique_ptr<Loop>& loop : loops_) {
      std::lock_guard lock(loop->mutex);
      loop->shutting_down = true;
      for (const std::shared_ptr<Call>& call : loop->live) {
        asio::post(call->executor, [call] { Abort(*call); });
      }
      loop->pool.clear();
    }
    work_.clear();
    for (std::thread& thread : threads_) {
      thread.join();
    }
  }

  void Send(std::shared_ptr<const HttpRequest> request, HttpTimeouts timeouts,
            std::shared_ptr<HttpResponseHandler> handler,
            std::shared_ptr<const CancelFlag> cancel) {
    // The call runs on the caller's event loop when it has one of ours; a
    // pooled connection of that loop decides the executor.
    const size_t loop = LoopForThisThread();
    Result<Url> url = ParseUrl(request->url);
    std::optional<Url> proxy;
    std::unique_ptr<Connection> pooled;
    std::string key;
    if (url) {
      proxy = options_.proxy.ProxyFor(*url);
      key = PoolKey(*url, proxy);
      pooled = TakeIdle(loop, key);
    }
    Executor executor = pooled ? pooled->executor : contexts_[loop]->get_executor();
    auto call = std::make_shared<Call>(std::move(executor), std::move(request),
                                       timeouts, std::move(handler),
                                       std::move(cancel));
    call->loop = loop;
    {
      std::lock_guard lock(loops_[loop]->mutex);
      if (loops_[loop]->shutting_down) {
        call->handler->OnComplete(
            Status(ErrorCode::kCancelled, "the HTTP client is shutting down"),
            false);
        return;
      }
      loops_[loop]->live.insert(call);
    }
    asio::co_spawn(call->executor,
                   Run(call, std::move(url), std::move(proxy), std::move(key),
                       std::move(pooled)),
                   asio::detached);
  }

  size_t IdleConnections() const {
    size_t count = 0;
    for (const std::unique_ptr<Loop>& loop : loops_) {
      std::lock_guard lock(loop->mutex);
      for (const auto& [key, connections] : loop->pool) {
        count += connections.size();
      }
    }
    return count;
  }

 private:
  // The client's own event loops, one per I/O thread, when no loops are
  // given; each is run by its one thread (concurrency hint 1).
  static std::vector<std::unique_ptr<asio::io_context>> MakeOwnLoops(
      const Options& options) {
    std::vector<std::unique_ptr<asio::io_context>> loops;
    if (options.io_contexts.empty()) {
      for (int i = 0; i < std::max(1, options.io_threads); ++i) {
        loops.push_back(std::make_unique<asio::io_context>(1));
      }
    }
    return loops;
  }

  static std::vector<asio::io_context*> Pointers(
      const std::vector<std::unique_ptr<asio::io_context>>& loops) {
    std::vector<asio::io_context*> pointers;
    for (const std::unique_ptr<asio::io_context>& loop : loops) {
      pointers.push_back(loop.get());
    }
    return pointers;
  }

  // The index of the loop the calling thread runs, or else the next loop in
  // turn.
  size_t LoopForThisThread() {
    for (size_t i = 0; i < contexts_.size(); ++i) {
      if (contexts_[i]->get_executor().running_in_this_thread()) {
        return i;
      }
    }
    return next_loop_.fetch_add(1, std::memory_order_relaxed) % contexts_.size();
  }

  static void Abort(Call& call) {
    if (call.done || call.aborted) {
      return;
    }
    call.aborted = true;
    if (call.resolver != nullptr) {
      call.resolver->cancel();
    }
    if (call.connection != nullptr) {
      beast::error_code ignored;
      call.connection->Lowest().socket().close(ignored);
    }
  }

  // Stops the call as soon as its cancel flag is set, from whichever thread
  // sets it. The callback holds the call weakly: the flag lives longer.
  static void WatchCancel(const std::shared_ptr<Call>& call) {
    if (!call->cancel) {
      return;
    }
    call->cancel_subscription =
        call->cancel->OnCancel([weak = std::weak_ptr<Call>(call)] {
          if (std::shared_ptr<Call> cancelled = weak.lock()) {
            Executor executor = cancelled->executor;
            asio::post(executor, [cancelled = std::move(cancelled)] { Abort(*cancelled); });
          }
        });
  }

  static std::string PoolKey(const Url& url, const std::optional<Url>& proxy) {
    std::string key = url.scheme + "://" + url.Authority();
    if (proxy) {
      key += " via " + proxy->Authority();
    }
    return key;
  }

  std::unique_ptr<Connection> TakeIdle(size_t loop, const std::string& key) {
    std::lock_guard lock(loops_[loop]->mutex);
    auto& pool = loops_[loop]->pool;
    auto it = pool.find(key);
    if (it == pool.end()) {
      return nullptr;
    }
    const auto now = std::chrono::steady_clock::now();
    while (!it->second.empty()) {
      std::unique_ptr<Connection> connection = std::move(it->second.back());
      it->second.pop_back();
      const auto idle = now - connection->idle_since;
      if (idle <= options_.max_idle_age && LooksAlive(*connection, idle)) {
        return connection;
      }
    }
    return nullptr;
  }

  void ReturnToPool(size_t loop, const std::string& key,
                    std::unique_ptr<Connection> connection) {
    connection->idle_since = std::chrono::steady_clock::now();
    connection->Lowest().expires_never();
    std::lock_guard lock(loops_[loop]->mutex);
    if (loops_[loop]->shutting_down) {
      return;
    }
    std::vector<std::unique_ptr<Connection>>& idle = loops_[loop]->pool[key];
    if (idle.size() < options_.max_idle_per_origin) {
      idle.push_back(std::move(connection));
    }
  }

  void Finish(const std::shared_ptr<Call>& call, Status status) {
    call->done = true;
    call->cancel_subscription.reset();
    call->resolver = nullptr;
    call->connection = nullptr;
    if (call->aborted && !status.ok()) {
      status = Status(ErrorCode::kCancelled, "the call was cancelled");
    }
    {
      std::lock_guard lock(loops_[call->loop]->mutex);
      loops_[call->loop]->live.erase(call);
    }
    // Last: once the caller has its answer it may destroy the client (with
    // loops of someone else's, nothing joins this thread first), so nothing
    // of the client may be touched after this.
    call->handler->OnComplete(std::move(status), call->head_received);
  }

  Task<void> Run(std::shared_ptr<Call> call, Result<Url> url,
                            std::optional<Url> proxy, std::string key,
                            std::unique_ptr<Connection> pooled) {
    if (!url) {
      // Url::Parse quotes the whole URL, whose path or query may hold a
      // secret: keep only its reason, the text after the quote.
      const std::string& message = url.error().message();
      const size_t reason = message.rfind("': ");
      Finish(call, InvalidArgument(
                       "the request URL is not valid" +
                       (reason == std::string::npos ? std::string()
                                                    : ": " + message.substr(reason + 3))));
      co_return;
    }
    call->url = std::move(*url);
    call->proxy = std::move(proxy);
    if (call->proxy && call->proxy->tls()) {
      Finish(call, InvalidArgument("https:// proxies are not supported; use "
                                   "an http:// proxy (https requests are "
                                   "tunnelled through it with CONNECT)"));
      co_return;
    }
    const bool absolute_form = call->proxy && !call->url.tls();
    Result<std::string> head = RequestHead(
        {.method = call->request->method,
         // Plain http through a proxy uses the absolute form.
         .target = absolute_form ? call->url.scheme + "://" + call->url.HostHeader() +
                                       call->url.target
                                 : call->url.target,
         .host = call->url.HostHeader(),
         .headers = &call->request->headers,
         .proxy_authorization = absolute_form && !call->proxy->user_info.empty()
                                    ? BasicAuthorization(call->proxy->user_info)
                                    : std::string(),
         .body_size = call->request->body.size()});
    if (!head) {
      Finish(call, head.error());
      co_return;
    }
    call->head = std::move(*head);
    WatchCancel(call);
    for (int attempt = 0; attempt < 2; ++attempt) {
      std::unique_ptr<Connection> connection =
          attempt == 0 ? std::move(pooled) : nullptr;
      const bool reused = connection != nullptr;
      if (!connection) {
        Result<std::unique_ptr<Connection>> made = co_await Connect(call);
        if (!made) {
          Finish(call, made.error());
          co_return;
        }
        connection = std::move(*made);
      }
      call->connection = connection.get();
      bool keep_alive = false;
      bool stale = false;
      Status status = co_await std::visit(
          [&](auto& stream) {
            return Exchange(call, *connection, stream, &keep_alive, &stale);
          },
          connection->stream);
      call->connection = nullptr;
      if (!status.ok() && reused && stale && !call->aborted) {
        continue;  // the server had closed the pooled connection: once more
      }
      if (status.ok() && keep_alive && !call->aborted) {
        ReturnToPool(call->loop, key, std::move(connection));
      }
      Finish(call, std::move(status));
      co_return;
    }
  }

  Task<Result<std::unique_ptr<Connection>>> Connect(
      std::shared_ptr<Call> call) {
    const Url& hop = call->proxy ? *call->proxy : call->url;
    const std::string name = call->url.Display();
    Resolver resolver(call->executor);
    call->resolver = &resolver;
    // asio's resolver has no deadline of its own.
    Timer resolve_deadline(call->executor);
    resolve_deadline.expires_after(call->timeouts.connect);
    resolve_deadline.async_wait([call](const beast::error_code& error) {
      if (!error && call->resolver != nullptr) {
        call->resolve_timed_out = true;
        call->resolver->cancel();
      }
    });
    auto [resolve_error, endpoints] = co_await resolver.async_resolve(
        hop.host, std::to_string(hop.port), kTuple);
    call->resolver = nullptr;
    resolve_deadline.cancel();
    if (call->resolve_timed_out) {
      co_return Error(Status(ErrorCode::kDeadlineExceeded,
                             "resolving " + hop.Display() + " timed out"));
    }
    if (resolve_error) {
      co_return Error(Unavailable("could not resolve " + hop.Display() + ": " +
                                  resolve_error.message()));
    }
    PlainStream plain(call->executor);
    auto connection = std::make_unique<Connection>(std::move(plain), call->executor);
    call->connection = connection.get();
    PlainStream& socket = std::get<PlainStream>(connection->stream);
    socket.expires_after(call->timeouts.connect);
    auto [connect_error, endpoint] =
        co_await socket.async_connect(endpoints, kTuple);
    if (connect_error) {
      co_return Error(IsTimeout(connect_error)
                          ? Status(ErrorCode::kDeadlineExceeded,
                                   "connecting to " + hop.Display() + " timed out")
                          : Unavailable("could not connect to " + hop.Display() +
                                        ": " + connect_error.message()));
    }
    socket.socket().set_option(tcp::no_delay(true));
    beast::error_code mode_error;
    socket.socket().non_blocking(true, mode_error);  // for WriteNow
    if (mode_error) {
      co_return Error(Unavailable("could not set up the connection to " + hop.Display() +
                                  ": " + mode_error.message()));
    }
    if (call->proxy && call->url.tls()) {
      Status tunnel = co_await OpenTunnel(*call, socket, connection->buffer);
      if (!tunnel.ok()) {
        co_return Error(std::move(tunnel));
      }
    }
    if (!call->url.tls()) {
      co_return connection;
    }
    auto secure = std::make_unique<Connection>(std::move(socket), call->executor, tls_);
    call->connection = secure.get();
    TlsStream& tls = std::get<TlsStream>(secure->stream);
    // SNI. SSL_set_tlsext_host_name is a macro with a C cast; this is it.
    if (SSL_ctrl(tls.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                 TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(call->url.host.c_str())) != 1) {
      co_return Error(Unavailable("TLS setup for " + name + " failed"));
    }
    tls.set_verify_mode(ssl::verify_peer);
    tls.set_verify_callback(ssl::host_name_verification(call->url.host));
    auto [handshake_error] =
        co_await tls.async_handshake(ssl::stream_base::client, kTuple);
    if (handshake_error) {
      co_return Error(IsTimeout(handshake_error)
                          ? Status(ErrorCode::kDeadlineExceeded,
                                   "TLS handshake with " + name + " timed out")
                          : Unavailable("TLS handshake with " + name +
                                        " failed: " + handshake_error.message()));
    }
    co_return secure;
  }

  // CONNECT host:port through the proxy, so TLS runs end to end inside.
  Task<Status> OpenTunnel(const Call& call, PlainStream& socket,
                                     beast::flat_buffer& buffer) {
    bhttp::request<bhttp::empty_body> request{bhttp::verb::connect,
                                              call.url.Authority(), 11};
    request.set(bhttp::field::host, call.url.Authority());
    if (!call.proxy->user_info.empty()) {
      request.set(bhttp::field::proxy_authorization,
                  BasicAuthorization(call.proxy->user_info));
    }
    auto [write_error, written] = co_await bhttp::async_write(socket, request, kTuple);
    bhttp::response_parser<bhttp::empty_body> parser;
    parser.skip(true);  // a CONNECT answer has no body
    beast::error_code read_error;
    if (!write_error) {
      std::tie(read_error, std::ignore) =
          co_await bhttp::async_read_header(socket, buffer, parser, kTuple);
    }
    const std::string proxy = call.proxy->Display();
    if (write_error || read_error) {
      const beast::error_code& error = write_error ? write_error : read_error;
      co_return IsTimeout(error)
          ? Status(ErrorCode::kDeadlineExceeded, "proxy " + proxy + " timed out")
          : Unavailable("proxy " + proxy + " failed: " + error.message());
    }
    if (parser.get().result_int() != 200) {
      co_return Unavailable("proxy " + proxy + " refused the tunnel to " +
                            call.url.Display() + ": HTTP " +
                            std::to_string(parser.get().result_int()));
    }
    co_return Status::Ok();
  }

  template <typename Stream>
  Task<Status> Exchange(std::shared_ptr<Call> call,
                                   Connection& connection, Stream& stream,
                                   bool* keep_alive, bool* stale) {
    // Only failures name the origin.
    const auto name = [&call] { return call->url.Display(); };
    PlainStream& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(call->timeouts.first_byte);
    // Head and body in one gathered write. On a plain connection, what the
    // socket takes now is written at once; only the rest waits.
    const std::array<asio::const_buffer, 2> wire = {asio::buffer(call->head),
                                                    asio::buffer(call->request->body)};
    beast::buffers_suffix<std::array<asio::const_buffer, 2>> unsent(wire);
    if constexpr (std::is_same_v<Stream, PlainStream>) {
      unsent.consume(WriteNow(lowest.socket(), wire));
    }
    beast::error_code write_error;
    if (beast::buffer_bytes(unsent) > 0) {
      std::tie(write_error, std::ignore) = co_await asio::async_write(stream, unsent, kTuple);
    }
    if (write_error) {
      *stale = IsStaleConnectionError(write_error);
      co_return IsTimeout(write_error)
          ? Status(ErrorCode::kDeadlineExceeded, "sending to " + name() + " timed out")
          : Unavailable("sending to " + name() + " failed: " + write_error.message());
    }

    ResponseParser parser;
    parser.body_limit(boost::none);
    auto [head_error, head_bytes] = co_await bhttp::async_read_header(
        stream, connection.buffer, parser, kTuple);
    if (head_error) {
      *stale = IsStaleConnectionError(head_error) && head_bytes == 0;
      co_return IsTimeout(head_error)
          ? Status(ErrorCode::kDeadlineExceeded,
                   "no response from " + name() + " within " +
                       std::to_string(call->timeouts.first_byte.count()) + " ms")
          : Unavailable("no response from " + name() + ": " + head_error.message());
    }
    call->head_received = true;
    if (!call->handler->OnHead(parser.head())) {
      call->aborted = true;
      co_return Status(ErrorCode::kCancelled, "stopped by the response handler");
    }

    std::string& body = parser.body();
    while (!parser.is_done()) {
      lowest.expires_after(call->timeouts.idle);
      // read_some, not read: async_read would keep reading until the body
      // ends, so a slow stream (SSE) would reach the handler only at the end
      // and trip the idle timeout on its total length instead of on a
      // silence. Each read hands the handler what it parsed.
      auto [read_error, read_bytes] =
          co_await bhttp::async_read_some(stream, connection.buffer, parser, kTuple);
      if (!body.empty()) {
        const bool go_on = call->handler->OnBody(body);
        body.clear();
        if (!go_on) {
          call->aborted = true;
          co_return Status(ErrorCode::kCancelled, "stopped by the response handler");
        }
      }
      if (read_error) {
        co_return IsTimeout(read_error)
            ? Status(ErrorCode::kDeadlineExceeded,
                     "the response from " + name() + " stalled for " +
                         std::to_string(call->timeouts.idle.count()) + " ms")
            : Unavailable("the response from " + name() +
                          " broke off: " + read_error.message());
      }
    }
    *keep_alive = parser.keep_alive();
    co_return Status::Ok();
  }

  const Options options_;
  ssl::context tls_;
  // Empty when Options::io_contexts is given.
  std::vector<std::unique_ptr<asio::io_context>> own_loops_;
  const std::vector<asio::io_context*> contexts_;
  std::atomic<size_t> next_loop_{0};
  std::vector<asio::executor_work_guard<Executor>> work_;
  std::vector<std::thread> threads_;

  // What the calls of one event loop share: its idle connections (a
  // connection belongs to the loop it was opened on) and its calls in
  // flight. A lock per loop, so that loops never wait for each other.
  struct Loop {
    mutable std::mutex mutex;
    bool shutting_down = false;  // GUARDED_BY(mutex)
    std::map<std::string, std::vector<std::unique_ptr<Connection>>>
        pool;  // GUARDED_BY(mutex)
    std::set<std::shared_ptr<Call>> live;  // GUARDED_BY(mutex)
  };
  std::vector<std::unique_ptr<Loop>> loops_;  // one per contexts_ entry
};

Result<std::unique_ptr<AsioHttpClient>> AsioHttpClient::Create(Options options) {
  ssl::context tls(ssl::context::tls_client);
  beast::error_code error;
  tls.set_default_verify_paths(error);
  if (error) {
    return Error(Internal("cannot load the system's CA certificates: " +
                          error.message()));
  }
  if (!options.ca_file.empty()) {
    tls.load_verify_file(options.ca_file, error);
    if (error) {
      return Error(InvalidArgument("cannot load CA file " + options.ca_file +
                                   ": " + error.message()));
    }
  }
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                  ssl::context::no_tlsv1_1);
  return std::unique_ptr<AsioHttpClient>(new AsioHttpClient(
      std::make_unique<Impl>(std::move(options), std::move(tls))));
}

AsioHttpClient::AsioHttpClient(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

AsioHttpClient::~AsioHttpClient() = default;

void AsioHttpClient::Send(std::shared_ptr<const HttpRequest> request, HttpTimeouts timeouts,
                          std::shared_ptr<HttpResponseHandler> handler,
                          std::shared_ptr<const CancelFlag> cancel) {
  impl_->Send(std::move(request), timeouts, std::move(handler), std::move(cancel));
}

size_t AsioHttpClient::IdleConnections() const { return impl_->IdleConnections(); }

}  // namespace duet::net
