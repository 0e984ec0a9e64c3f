#include "api/http/server.h"

#include <algorithm>
#include <csignal>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "api/http/session.h"

namespace duet::api::http {

namespace net = boost::asio;
using net::ip::tcp;

class HttpServer::Impl {
 public:
  Impl(Options options, Handler* handler)
      : contexts_(ContextsFor(options, &own_contexts_)),
        io_(*contexts_.front()),
        shared_(std::make_shared<ServerShared>()),
        acceptor_(net::make_strand(io_)),
        signals_(io_),
        grace_timer_(io_) {
    for (net::io_context* context : contexts_) {
      work_.push_back(net::make_work_guard(*context));
    }
    shared_->options = std::move(options);
    shared_->handler = handler;
  }

  ~Impl() {
    // Sessions that die while io_ is torn down must not post to it.
    std::lock_guard lock(shared_->mutex);
    shared_->on_drained = nullptr;
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Result<uint16_t> Start() {
    const Options& options = shared_->options;
    boost::system::error_code error;
    const auto address = net::ip::make_address(options.host, error);
    if (error) {
      return Error(Unavailable("cannot listen on host '" + options.host +
                               "': " + error.message()));
    }
    const tcp::endpoint endpoint(address, options.port);
    acceptor_.open(endpoint.protocol(), error);
    if (!error) {
      acceptor_.set_option(net::socket_base::reuse_address(true), error);
    }
    if (!error) {
      acceptor_.bind(endpoint, error);
    }
    if (!error) {
      acceptor_.listen(net::socket_base::max_listen_connections, error);
    }
    if (error) {
      return Error(Unavailable("cannot listen on " + options.host + ":" +
                               std::to_string(options.port) + ": " +
                               error.message()));
    }
    const uint16_t port = acceptor_.local_endpoint().port();

    shared_->on_drained = [this] {
      net::post(io_, [this] { FinishShutdown(); });
    };
    if (options.handle_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      signals_.async_wait([this](boost::system::error_code wait_error, int) {
        if (!wait_error) {
          spdlog::info("signal received: shutting down gracefully");
          BeginShutdown();
        }
      });
    }
    Accept();

    for (net::io_context* context : contexts_) {
      threads_.emplace_back([context] { context->run(); });
    }
    return port;
  }

  void Shutdown() {
    net::post(io_, [this] { BeginShutdown(); });
  }

  void Wait() {
    for (std::thread& thread : threads_) {
      if (thread.joinable()) {
        thread.join();
      }
    }
    threads_.clear();
    // Backends may still be letting go of cancelled answers; each holds a
    // Session whose socket needs io_ alive until it is released.
    if (!shared_->WaitForExchanges(shared_->options.shutdown_cancel_wait)) {
      spdlog::error(
          "a backend did not release its answers after shutdown; leaving "
          "the server's memory to the operating system");
      abandoned_ = true;
    }
  }

  bool started() const { return !threads_.empty(); }
  // True when Wait() gave up on a backend: destroying io_ would then race
  // with that backend, so the owner must not destroy this Impl.
  bool abandoned() const { return abandoned_; }

 private:
  // The event loops the server runs: the given ones, or io_threads (one
  // per core when 0) of its own, made in `own`.
  static std::vector<net::io_context*> ContextsFor(
      const Options& options,
      std::vector<std::unique_ptr<net::io_context>>* own) {
    if (!options.io_contexts.empty()) {
      return options.io_contexts;
    }
    std::vector<net::io_context*> contexts;
    for (int i = 0; i < IoThreadsFor(options.io_threads); ++i) {
      // Concurrency hint 1: the loop is run by one thread, so asio queues
      // work posted from that thread without taking the loop's lock.
      own->push_back(std::make_unique<net::io_context>(1));
      contexts.push_back(own->back().get());
    }
    return contexts;
  }

  // Each connection goes to the next event loop in turn.
  void Accept() {
    net::io_context& next = *contexts_[next_context_++ % contexts_.size()];
    // A connection's handlers run on its loop's one thread: no strand.
    acceptor_.async_accept(
        next.get_executor(),
        [this](boost::system::error_code error, SessionSocket socket) {
          if (error == net::error::operation_aborted ||
              shared_->shutting_down.load()) {
            return;
          }
          if (!error) {
            boost::system::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            std::make_shared<Session>(std::move(socket), shared_)->Start();
          } else {
            spdlog::warn("accept failed: {}", error.message());
          }
          Accept();
        });
  }

  // Runs on io_ (not a session strand).
  void BeginShutdown() {
    if (shared_->shutting_down.exchange(true)) {
      return;
    }
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    signals_.cancel(ignored);
    auto sessions = shared_->Snapshot();
    if (sessions.empty()) {
      FinishShutdown();
      return;
    }
    spdlog::info("waiting up to {} ms for {} connection(s) to finish",
                 shared_->options.shutdown_grace.count(), sessions.size());
    for (const auto& session : sessions) {
      session->OnShutdownStarted();
    }
    grace_timer_.expires_after(shared_->options.shutdown_grace);
    grace_timer_.async_wait([this](boost::system::error_code error) {
      if (error) {
        return;  // drained before the grace period ended
      }
      auto remaining = shared_->Snapshot();
      spdlog::warn("grace period over: cancelling {} answer(s) in flight",
                   remaining.size());
      for (const auto& session : remaining) {
        session->CancelInFlight();
      }
      grace_timer_.expires_after(shared_->options.shutdown_cancel_wait);
      grace_timer_.async_wait([this](boost::system::error_code wait_error) {
        if (wait_error) {
          return;
        }
        for (const auto& session : shared_->Snapshot()) {
          session->Close();
        }
      });
    });
  }

  // Runs on io_ once no session is left.
  void FinishShutdown() {
    if (finished_) {
      return;
    }
    finished_ = true;
    grace_timer_.cancel();
    work_.clear();
    spdlog::info("shutdown complete");
  }

  // Empty when Options::io_contexts is given.
  std::vector<std::unique_ptr<net::io_context>> own_contexts_;
  std::vector<net::io_context*> contexts_;  // one thread each
  // The first loop: accepting, signals and shutdown run there.
  net::io_context& io_;
  size_t next_context_ = 0;  // accept handlers run one at a time
  std::shared_ptr<ServerShared> shared_;
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  net::steady_timer grace_timer_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  bool finished_ = false;
  bool abandoned_ = false;
};

int HttpServer::IoThreadsFor(int io_threads) {
  return io_threads > 0
             ? io_threads
             : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

HttpServer::HttpServer(Options options, Handler* handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

HttpServer::~HttpServer() {
  if (impl_->started()) {
    impl_->Shutdown();
    impl_->Wait();
  }
  if (impl_->abandoned()) {
    // Deliberately leaked: the process is ending, and a backend thread may
    // still touch these objects.
    static_cast<void>(impl_.release());
  }
}

Result<uint16_t> HttpServer::Start() { return impl_->Start(); }
void HttpServer::Shutdown() { impl_->Shutdown(); }
void HttpServer::Wait() { impl_->Wait(); }

}  // namespace duet::api::http
