// Through the Router: whether an escalation changed the outcome
// (RouteNote::escalation_outcome), and the polish workflow's review step
// ([policy.polish] review).
#include <gtest/gtest.h>

#include "route/escalation/polish_review.h"
#include "route/router.h"
#include "support/answering_backend.h"
#include "support/collecting_sink.h"
#include "support/fake_clock.h"

namespace duet {
namespace {

using testing::AnsweringBackend;
using testing::CollectingSink;

bool IsReviewRequest(const ChatRequest& request) {
  return !request.system.empty() && request.system[0].text.starts_with("You review");
}

// The classifier always says first_draft, which the task table keeps local.
class OutcomeAndReviewTest : public ::testing::Test {
 protected:
  void Build(AnsweringBackend::Answer local, AnsweringBackend::Answer claude,
             PolicyConfig config = PolicyConfig()) {
    local_ = std::make_shared<AnsweringBackend>("llama", std::vector<std::string>{"qwen"},
                                                std::move(local));
    cloud_ = std::make_shared<AnsweringBackend>(
        "anthropic",
        std::vector<std::string>{"claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-6"},
        std::move(claude));
    TaskModel model;
    model.mutable_bias()[static_cast<size_t>(TaskKind::kFirstDraft)] = 20.0f;
    classifier_ = std::make_unique<TaskClassifier>(std::move(model));
    auto policy =
        PolicyEngine::Create(std::move(config), &clock_, {.classifier = classifier_.get()});
    ASSERT_TRUE(policy) << policy.error().ToString();
    Router::Options options;
    options.policy = std::move(*policy);
    options.fallback = local_;
    router_ = std::make_unique<Router>(std::vector<std::shared_ptr<Backend>>{local_, cloud_},
                                       options);
  }

  std::vector<ChatEvent> Ask(std::string model = "auto") {
    ChatRequest request;
    request.model = std::move(model);
    request.messages.push_back(
        {Role::kUser, {ContentBlock::Text("draft a note about Friday's deadline")}});
    auto sink = std::make_shared<CollectingSink>();
    router_->Generate(std::move(request), sink, std::make_shared<CancelFlag>());
    EXPECT_TRUE(sink->WaitForTerminal(std::chrono::seconds(5)));
    return sink->events();
  }

  static const ChatEvent& Find(const std::vector<ChatEvent>& events, ChatEvent::Kind kind) {
    for (const ChatEvent& event : events) {
      if (event.kind == kind) {
        return event;
      }
    }
    ADD_FAILURE() << "no such event";
    return events.front();
  }

  static PolicyConfig Reviewing(bool review) {
    PolicyConfig config;
    config.polish.review = review;
    return config;
  }

  testing::FakeClock clock_;
  std::unique_ptr<TaskClassifier> classifier_;
  std::shared_ptr<AnsweringBackend> local_;
  std::shared_ptr<AnsweringBackend> cloud_;
  std::unique_ptr<Router> router_;
};

TEST_F(OutcomeAndReviewTest, AnEscalationWhoseClaudeAnswerPassesTheCheckChangedTheOutcome) {
  ASSERT_NO_FATAL_FAILURE(
      Build([](const ChatRequest&) { return ""; },
            [](const ChatRequest&) { return "Friday's deadline moves to Monday."; }));
  const auto events = Ask();
  EXPECT_EQ(events[0].route().escalation, "empty");
  EXPECT_EQ(Find(events, ChatEvent::Kind::kMessageDelta).route().escalation_outcome, "changed");
}

TEST_F(OutcomeAndReviewTest, AnEscalationWhereClaudeFailsTheSameCheckLeftItUnchanged) {
  const auto refuse = [](const ChatRequest&) { return "I'm sorry, but I can't help with that."; };
  ASSERT_NO_FATAL_FAILURE(Build(refuse, refuse));
  const auto events = Ask();
  EXPECT_EQ(events[0].route().escalation, "refusal");
  EXPECT_EQ(events[0].route().backend, "anthropic");
  EXPECT_EQ(Find(events, ChatEvent::Kind::kMessageDelta).route().escalation_outcome, "unchanged");
}

TEST_F(OutcomeAndReviewTest, APolishReviewThatDisagreesIsOnTheAnswersNote) {
  ASSERT_NO_FATAL_FAILURE(Build(
      [](const ChatRequest& request) {
        return IsReviewRequest(request)
                   ? "DISAGREE: the improved note drops the deadline.\nSecond line."
                   : "Draft: the deadline is Friday.";
      },
      [](const ChatRequest&) { return "A polished note."; }, Reviewing(true)));
  const auto events = Ask("duet/polish");
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(events[0].route().workflow, "polish");
  EXPECT_EQ(events[0].route().backend, "anthropic");
  EXPECT_EQ(events[0].route().review, "disagree");
  EXPECT_EQ(events[0].route().review_note, "the improved note drops the deadline. Second line.");
  EXPECT_EQ(Find(events, ChatEvent::Kind::kBlockDelta).delta, "A polished note.");
  // Draft, then review; the reviewer saw the request, its draft and
  // Claude's version.
  const std::vector<ChatRequest> local_requests = local_->requests();
  ASSERT_EQ(local_requests.size(), 2u);
  ASSERT_TRUE(IsReviewRequest(local_requests[1]));
  const std::string& question = local_requests[1].messages.at(0).content.at(0).text;
  EXPECT_NE(question.find("draft a note about Friday's deadline"), std::string::npos);
  EXPECT_NE(question.find("Draft: the deadline is Friday."), std::string::npos);
  EXPECT_NE(question.find("A polished note."), std::string::npos);
  // Polish always "escalates": no outcome is measured for it.
  EXPECT_EQ(Find(events, ChatEvent::Kind::kMessageDelta).route().escalation_outcome, "");
}

TEST_F(OutcomeAndReviewTest, APolishReviewThatAgreesSaysSo) {
  ASSERT_NO_FATAL_FAILURE(Build(
      [](const ChatRequest& request) { return IsReviewRequest(request) ? "AGREE" : "Draft."; },
      [](const ChatRequest&) { return "Polished."; }, Reviewing(true)));
  const auto events = Ask("duet/polish");
  EXPECT_EQ(events[0].route().review, "agree");
  EXPECT_EQ(events[0].route().review_note, "");
}

TEST_F(OutcomeAndReviewTest, WithoutReviewTheLocalModelOnlyDrafts) {
  ASSERT_NO_FATAL_FAILURE(Build([](const ChatRequest&) { return "Draft."; },
                                [](const ChatRequest&) { return "Polished."; },
                                Reviewing(false)));
  const auto events = Ask("duet/polish");
  EXPECT_EQ(events[0].route().review, "");
  EXPECT_EQ(local_->requests().size(), 1u);
}

TEST_F(OutcomeAndReviewTest, WhenClaudeFailsTheDraftStandsUnreviewed) {
  ASSERT_NO_FATAL_FAILURE(Build([](const ChatRequest&) { return "Draft."; },
                                [](const ChatRequest&) { return "Polished."; },
                                Reviewing(true)));
  cloud_->FailWhen([](const ChatRequest&) { return true; }, Unavailable("overloaded"));
  const auto events = Ask("duet/polish");
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(Find(events, ChatEvent::Kind::kBlockDelta).delta, "Draft.");
  EXPECT_EQ(events[0].route().review, "");
  EXPECT_EQ(local_->requests().size(), 1u);
}

TEST_F(OutcomeAndReviewTest, AFailedReviewStillDeliversClaudesVersion) {
  ASSERT_NO_FATAL_FAILURE(Build([](const ChatRequest&) { return "Draft."; },
                                [](const ChatRequest&) { return "Polished."; },
                                Reviewing(true)));
  local_->FailWhen(IsReviewRequest, Unavailable("the local queue is full"));
  const auto events = Ask("duet/polish");
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(Find(events, ChatEvent::Kind::kBlockDelta).delta, "Polished.");
  EXPECT_EQ(events[0].route().review, "failed");
  EXPECT_NE(events[0].route().review_note.find("queue is full"), std::string::npos);
}

TEST_F(OutcomeAndReviewTest, TheLocalEngineIsAskedForConfidenceOnlyWhenItIsChecked) {
  PolicyConfig config;
  config.escalation.checks = {"empty", "confidence"};
  ASSERT_NO_FATAL_FAILURE(Build([](const ChatRequest&) { return "A fine draft."; },
                                [](const ChatRequest&) { return "Claude."; }, config));
  Ask();
  Ask("qwen");  // the client named the model: not a candidate
  ASSERT_EQ(local_->requests().size(), 2u);
  EXPECT_TRUE(local_->requests()[0].report_confidence);
  EXPECT_FALSE(local_->requests()[1].report_confidence);

  ASSERT_NO_FATAL_FAILURE(Build([](const ChatRequest&) { return "A fine draft."; },
                                [](const ChatRequest&) { return "Claude."; }));
  Ask();
  EXPECT_FALSE(local_->requests().at(0).report_confidence);  // default checks
}

TEST(ParseReviewTest, ReadsTheVerdictAndAnAsciiNote) {
  EXPECT_EQ(ParseReview("AGREE").verdict, "agree");
  EXPECT_EQ(ParseReview("I agree.").verdict, "agree");
  const ReviewVerdict disagree = ParseReview("Disagree - the total is wrong");
  EXPECT_EQ(disagree.verdict, "disagree");
  EXPECT_EQ(disagree.note, "the total is wrong");
  EXPECT_EQ(ParseReview("DISAGREE: caf\xc3\xa9 prices\n\nare wrong").note,
            "caf prices are wrong");
  EXPECT_EQ(ParseReview(std::string("DISAGREE ") + std::string(1000, 'x')).note.size(),
            kReviewNoteChars);
  EXPECT_EQ(ParseReview("qz 7").verdict, "unsure");
  EXPECT_EQ(ParseReview("").verdict, "unsure");
}

}  // namespace
}  // namespace duet
