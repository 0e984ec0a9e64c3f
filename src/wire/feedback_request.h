// The body of POST /v1/duet/feedback: a client's verdict on an answer.
//
//   {"request_id": "req_...", "rating": "up" | "down"}
//   {"request_id": "req_...", "score": 0.8, "comment": "..."}
//
// `rating` up is score 1, down score 0; `score` is a number in [0, 1];
// exactly one of the two. `comment` is optional, at most 2,000 bytes.
// Errors are kInvalidArgument naming the field ("score: expected a number
// between 0 and 1").
// Thread safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace duet::wire {

struct FeedbackRequest {
  std::string request_id;
  double score = 0;
  std::string comment;
};

Result<FeedbackRequest> ParseFeedbackRequest(std::string_view body);

}  // namespace duet::wire
