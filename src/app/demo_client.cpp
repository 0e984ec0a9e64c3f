#include "app/demo_client.h"

#include <chrono>
#include <future>
#include <utility>

#include "net/asio_http_client.h"

namespace duet {
namespace {

class Collector final : public net::HttpResponseHandler {
 public:
  explicit Collector(std::promise<Result<DemoReply>> done) : done_(std::move(done)) {}

  bool OnHead(const net::HttpResponseHead& head) override {
    reply_.status = head.status;
    reply_.head = head;
    return true;
  }
  bool OnBody(std::string_view bytes) override {
    reply_.body.append(bytes);
    return true;
  }
  void OnComplete(Status status, bool /*head_received*/) override {
    if (status.ok()) {
      done_.set_value(std::move(reply_));
    } else {
      done_.set_value(Error(std::move(status)));
    }
  }

 private:
  std::promise<Result<DemoReply>> done_;
  DemoReply reply_;
};

}  // namespace

Result<std::unique_ptr<DemoClient>> DemoClient::Create(std::string base_url) {
  DUET_ASSIGN_OR_RETURN(std::unique_ptr<net::AsioHttpClient> client,
                        net::AsioHttpClient::Create({}));
  return std::unique_ptr<DemoClient>(new DemoClient(std::move(base_url), std::move(client)));
}

Result<DemoReply> DemoClient::Post(const std::string& path, std::string body) {
  net::HttpRequest request;
  request.url = base_url_ + path;
  request.headers = {{"content-type", "application/json"},
                     {"x-api-key", "duet-demo"},
                     {"authorization", "Bearer duet-demo"},
                     {"anthropic-version", "2023-06-01"}};
  request.body = std::move(body);
  std::promise<Result<DemoReply>> promise;
  std::future<Result<DemoReply>> future = promise.get_future();
  const auto started = std::chrono::steady_clock::now();
  net::HttpTimeouts timeouts;
  timeouts.first_byte = std::chrono::minutes(10);  // a local model may be slow
  client_->Send(std::make_shared<const net::HttpRequest>(std::move(request)), timeouts,
                std::make_shared<Collector>(std::move(promise)), nullptr);
  Result<DemoReply> reply = future.get();
  if (reply) {
    reply->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  return reply;
}

}  // namespace duet
