#include "wire/feedback_request.h"

#include <cmath>

#include "wire/json_read.h"

namespace duet::wire {
namespace {

constexpr size_t kMaxCommentBytes = 2'000;
constexpr size_t kMaxRequestIdBytes = 128;

}  // namespace

Result<FeedbackRequest> ParseFeedbackRequest(std::string_view body) {
  if (NestsDeeperThan(body, 8)) {
    return Error(InvalidArgument("request body nests too deeply"));
  }
  DUET_ASSIGN_OR_RETURN(const Json json, ParseJsonObject(body));
  FeedbackRequest feedback;
  DUET_ASSIGN_OR_RETURN(feedback.request_id, RequireString(json, "request_id", ""));
  if (feedback.request_id.empty() || feedback.request_id.size() > kMaxRequestIdBytes) {
    return Error(InvalidArgument("request_id: expected the request-id of an answer"));
  }
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> rating,
                        OptionalString(json, "rating", ""));
  DUET_ASSIGN_OR_RETURN(const std::optional<double> score,
                        OptionalNumber(json, "score", ""));
  if (rating.has_value() == score.has_value()) {
    return Error(InvalidArgument("give either rating (\"up\" or \"down\") or score (0 to 1)"));
  }
  if (rating) {
    if (*rating != "up" && *rating != "down") {
      return Error(InvalidArgument("rating: expected \"up\" or \"down\""));
    }
    feedback.score = *rating == "up" ? 1.0 : 0.0;
  } else {
    if (!std::isfinite(*score) || *score < 0 || *score > 1) {
      return Error(InvalidArgument("score: expected a number between 0 and 1"));
    }
    feedback.score = *score;
  }
  DUET_ASSIGN_OR_RETURN(const std::optional<std::string> comment,
                        OptionalString(json, "comment", ""));
  if (comment) {
    if (comment->size() > kMaxCommentBytes) {
      return Error(InvalidArgument("comment: at most 2000 bytes"));
    }
    feedback.comment = *comment;
  }
  return feedback;
}

}  // namespace duet::wire
