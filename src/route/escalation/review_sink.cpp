#include "route/escalation/review_sink.h"

#include <utility>

namespace duet {

void ReviewSink::Release(const ReviewVerdict* verdict) {
  passing_through_ = true;
  for (ChatEvent& event : buffered_) {
    if (verdict != nullptr && event.kind == ChatEvent::Kind::kMessageStart) {
      event.mutable_route().review = verdict->verdict;
      event.mutable_route().review_note = verdict->note;
    }
    client_->OnEvent(std::move(event));
  }
  buffered_.clear();
}

void ReviewSink::OnEvent(ChatEvent&& event) {
  if (passing_through_) {
    client_->OnEvent(std::move(event));
    return;
  }
  if (event.kind == ChatEvent::Kind::kMessageStart && event.route().local) {
    Release(nullptr);  // the draft stands (Claude failed): nothing to review
    client_->OnEvent(std::move(event));
    return;
  }
  const bool added = event.kind != ChatEvent::Kind::kError && answer_.Add(event).ok();
  buffered_.push_back(std::move(event));
  if (!added) {
    Release(nullptr);
    return;
  }
  if (answer_.complete()) {
    auto self = shared_from_this();  // alive until the verdict arrives
    review_(answer_.response(), [self](ReviewVerdict verdict) { self->Release(&verdict); });
  }
}

}  // namespace duet
