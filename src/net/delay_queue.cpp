#include "net/delay_queue.h"

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace duet::net {

class DelayQueue::Impl {
 public:
  Impl() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~Impl() {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  void After(std::chrono::milliseconds delay, std::function<void()> task) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
    timer->async_wait([timer, task = std::move(task)](
                          const boost::system::error_code& error) {
      if (!error) {
        task();
      }
    });
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

DelayQueue::DelayQueue() : impl_(std::make_unique<Impl>()) {}
DelayQueue::~DelayQueue() = default;

void DelayQueue::After(std::chrono::milliseconds delay,
                       std::function<void()> task) {
  impl_->After(delay, std::move(task));
}

}  // namespace duet::net
