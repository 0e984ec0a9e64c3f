// ReviewSink: holds Claude's polished answer back until the local model
// has reviewed it ([policy.polish] review), then delivers it with the
// verdict in its RouteNote (review, review_note) on kMessageStart.
//
// It sits in front of the client for a polish request. Claude's answer is
// buffered whole (a streaming client receives it at once, after the
// review: the price of a verdict in the response headers); the review is
// asked for when it is complete. An answer that is not Claude's (Claude
// failed and the local draft stands) or that ends in an error passes
// through unreviewed. A review that fails leaves verdict "failed" and the
// answer is delivered all the same.
//
// Thread safety: follows the EventSink contract (one event at a time).
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "backend/backend.h"
#include "model/accumulator.h"
#include "route/escalation/polish_review.h"

namespace duet {

class ReviewSink final : public EventSink, public std::enable_shared_from_this<ReviewSink> {
 public:
  // Reviews `polished` and calls `done` exactly once, from any thread.
  using Review = std::function<void(const ChatResponse& polished,
                                    std::function<void(ReviewVerdict)> done)>;

  ReviewSink(std::shared_ptr<EventSink> client, Review review)
      : client_(std::move(client)), review_(std::move(review)) {}

  void OnEvent(ChatEvent&& event) override;

 private:
  void Release(const ReviewVerdict* verdict);

  std::shared_ptr<EventSink> client_;
  Review review_;
  std::vector<ChatEvent> buffered_;
  ResponseAccumulator answer_;
  bool passing_through_ = false;
};

}  // namespace duet
