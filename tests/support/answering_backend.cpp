#include "support/answering_backend.h"

#include <utility>

namespace duet::testing {

AnsweringBackend::AnsweringBackend(std::string name, std::vector<std::string> models,
                                   Answer answer)
    : name_(std::move(name)), models_(std::move(models)), answer_(std::move(answer)) {}

std::vector<ModelInfo> AnsweringBackend::ListModels() const {
  std::vector<ModelInfo> infos;
  for (const std::string& id : models_) {
    ModelInfo info;
    info.id = id;
    infos.push_back(std::move(info));
  }
  return infos;
}

void AnsweringBackend::Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                                std::shared_ptr<const CancelFlag>) {
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    if (hold_) {
      held_.emplace_back(std::move(request), std::move(sink));
      return;
    }
  }
  Respond(request, *sink);
}

void AnsweringBackend::Respond(const ChatRequest& request, EventSink& sink) {
  Usage usage;
  std::function<bool(const ChatRequest&)> fails;
  Status failure;
  {
    std::lock_guard lock(mutex_);
    usage = usage_;
    fails = fails_;
    failure = failure_;
  }
  if (fails && fails(request)) {
    sink.OnEvent(ChatEvent::Failure(failure));
    return;
  }
  const std::string text = answer_(request);
  sink.OnEvent(ChatEvent::MessageStart("msg_" + name_, request.model, {}));
  sink.OnEvent(ChatEvent::BlockStart(0, ContentBlock::Text("")));
  if (!text.empty()) {
    sink.OnEvent(ChatEvent::Delta(0, ChatEvent::DeltaKind::kText, text));
  }
  sink.OnEvent(ChatEvent::BlockStop(0));
  sink.OnEvent(ChatEvent::MessageDelta(StopReason::kEndTurn, usage));
  sink.OnEvent(ChatEvent::MessageStop());
}

void AnsweringBackend::set_usage(Usage usage) {
  std::lock_guard lock(mutex_);
  usage_ = usage;
}

void AnsweringBackend::FailWhen(std::function<bool(const ChatRequest&)> fails, Status failure) {
  std::lock_guard lock(mutex_);
  fails_ = std::move(fails);
  failure_ = std::move(failure);
}

void AnsweringBackend::Hold() {
  std::lock_guard lock(mutex_);
  hold_ = true;
}

void AnsweringBackend::Release(Status failure) {
  std::vector<std::pair<ChatRequest, std::shared_ptr<EventSink>>> held;
  {
    std::lock_guard lock(mutex_);
    held.swap(held_);
    hold_ = false;
  }
  for (auto& [request, sink] : held) {
    if (failure.ok()) {
      Respond(request, *sink);
    } else {
      sink->OnEvent(ChatEvent::Failure(failure));
    }
  }
}

std::vector<ChatRequest> AnsweringBackend::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

}  // namespace duet::testing
