#include "wire/feedback_request.h"

#include <string>

#include <gtest/gtest.h>

namespace duet::wire {
namespace {

TEST(FeedbackRequestTest, RatingsAndScores) {
  Result<FeedbackRequest> up = ParseFeedbackRequest(R"({"request_id":"req_1","rating":"up"})");
  ASSERT_TRUE(up.has_value()) << up.error().ToString();
  EXPECT_EQ(up->request_id, "req_1");
  EXPECT_EQ(up->score, 1.0);
  EXPECT_EQ(up->comment, "");
  Result<FeedbackRequest> down =
      ParseFeedbackRequest(R"({"request_id":"req_1","rating":"down","comment":"wrong date"})");
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->score, 0.0);
  EXPECT_EQ(down->comment, "wrong date");
  Result<FeedbackRequest> scored = ParseFeedbackRequest(R"({"request_id":"req_2","score":0.75})");
  ASSERT_TRUE(scored.has_value());
  EXPECT_EQ(scored->score, 0.75);
}

TEST(FeedbackRequestTest, MistakesNameTheField) {
  const auto error = [](std::string_view body) {
    Result<FeedbackRequest> parsed = ParseFeedbackRequest(body);
    EXPECT_FALSE(parsed.has_value()) << body;
    return parsed ? std::string() : parsed.error().message();
  };
  EXPECT_EQ(error(R"({"rating":"up"})"), "request_id: Field required");
  EXPECT_EQ(error(R"({"request_id":"","rating":"up"})"),
            "request_id: expected the request-id of an answer");
  EXPECT_EQ(error(R"({"request_id":"r","rating":"meh"})"), "rating: expected \"up\" or \"down\"");
  EXPECT_EQ(error(R"({"request_id":"r","score":1.5})"), "score: expected a number between 0 and 1");
  EXPECT_EQ(error(R"({"request_id":"r"})"),
            "give either rating (\"up\" or \"down\") or score (0 to 1)");
  EXPECT_EQ(error(R"({"request_id":"r","rating":"up","score":1})"),
            "give either rating (\"up\" or \"down\") or score (0 to 1)");
  EXPECT_EQ(error(R"({"request_id":"r","rating":"up","comment":")" + std::string(2001, 'x') +
                  R"("})"),
            "comment: at most 2000 bytes");
  EXPECT_FALSE(error("[1, 2]").empty());
  EXPECT_FALSE(error("not json").empty());
  EXPECT_FALSE(error(std::string(100, '[') + std::string(100, ']')).empty());
}

}  // namespace
}  // namespace duet::wire
