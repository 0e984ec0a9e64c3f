// AnsweringBackend: a synchronous Backend whose answer to each request is
// a function of the request, for router-level tests that need the local
// model to say one thing to a client and another to a judge or reviewer.
//
// Each answer is one text block ("" gives an empty block) with the usage
// the test sets, delivered on the caller's thread inside Generate() —
// unless Hold() was called: then requests are kept until Release().
//
// Thread safety: Generate, Hold, Release and requests() may be called
// from any thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backend/backend.h"

namespace duet::testing {

class AnsweringBackend final : public Backend {
 public:
  using Answer = std::function<std::string(const ChatRequest&)>;

  // Named `name`, serving `models`; "llama" is kLocal, any other name kCloud.
  AnsweringBackend(std::string name, std::vector<std::string> models, Answer answer);

  std::string_view name() const override { return name_; }
  Locality locality() const override {
    return name_ == "llama" ? Locality::kLocal : Locality::kCloud;
  }
  std::vector<ModelInfo> ListModels() const override;
  Result<int64_t> CountTokens(const ChatRequest&) override { return 1; }
  void Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                std::shared_ptr<const CancelFlag> cancel) override;

  // Usage on every answer's kMessageDelta.
  void set_usage(Usage usage);
  // Requests for which `fails` is true get `failure` as their only event.
  void FailWhen(std::function<bool(const ChatRequest&)> fails, Status failure);
  // Keeps the next requests unanswered until Release().
  void Hold();
  // Answers what was held, or fails it with `failure`.
  void Release(Status failure = Status::Ok());

  std::vector<ChatRequest> requests() const;  // every request, in order

 private:
  void Respond(const ChatRequest& request, EventSink& sink);

  const std::string name_;
  const std::vector<std::string> models_;
  const Answer answer_;
  mutable std::mutex mutex_;
  Usage usage_{.input_tokens = 1000, .output_tokens = 500};
  std::function<bool(const ChatRequest&)> fails_;
  Status failure_;
  bool hold_ = false;
  std::vector<ChatRequest> requests_;
  std::vector<std::pair<ChatRequest, std::shared_ptr<EventSink>>> held_;
};

}  // namespace duet::testing
