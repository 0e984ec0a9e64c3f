// Shadow evaluation through the Router: which local answers are put to
// Claude afterwards, what the judge's verdict and the cost come to, and
// the limits (sample rate, caps, concurrency, privacy, shutdown).
#include "route/shadow/shadow_evaluator.h"

#include <gtest/gtest.h>

#include <mutex>

#include "route/router.h"
#include "support/answering_backend.h"
#include "support/collecting_sink.h"
#include "support/fake_clock.h"

namespace duet {
namespace {

using testing::AnsweringBackend;
using testing::CollectingSink;

const Usage kClaudeUsage{.input_tokens = 1000, .output_tokens = 500};

bool IsJudgeRequest(const ChatRequest& request) {
  return !request.system.empty() && request.system[0].text.starts_with("You compare");
}

constexpr std::string_view kSecret =
    "Draft a reply: AWS_SECRET_ACCESS_KEY = 'q7Vd2LmP0xR9sT4uW8yZ1aB3cE5fG6hJ7kK9nM2p'";

// The classifier always says first_draft (a local task, cloud tier Haiku);
// shadowing is on for every answer unless a test says otherwise.
class ShadowRouterTest : public ::testing::Test {
 protected:
  void Build(PolicyConfig config, std::string local_answer = "Here is your draft.",
             std::string local_verdict = "DIFFERENT", double spent_this_month = 0) {
    router_.reset();
    local_ = std::make_shared<AnsweringBackend>(
        "llama", std::vector<std::string>{"qwen"},
        [answer = std::move(local_answer), verdict = std::move(local_verdict)](
            const ChatRequest& request) { return IsJudgeRequest(request) ? verdict : answer; });
    cloud_ = std::make_shared<AnsweringBackend>(
        "anthropic",
        std::vector<std::string>{"claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-6"},
        [](const ChatRequest& request) {
          return IsJudgeRequest(request) ? "SAME" : "Claude's draft.";
        });

    TaskModel model;
    model.mutable_bias()[static_cast<size_t>(TaskKind::kFirstDraft)] = 20.0f;
    classifier_ = std::make_unique<TaskClassifier>(std::move(model));
    Result<std::unique_ptr<PolicyEngine>> policy =
        PolicyEngine::Create(std::move(config), &clock_, {.classifier = classifier_.get()});
    ASSERT_TRUE(policy) << policy.error().ToString();
    policy_ = std::move(*policy);
    Router::Options options;
    options.policy = policy_;
    options.fallback = local_;
    options.shadow.spent_this_month_usd = spent_this_month;
    options.shadow.reporter = [this](ShadowResult result) {
      std::lock_guard lock(mutex_);
      results_.push_back(std::move(result));
    };
    router_ = std::make_unique<Router>(std::vector<std::shared_ptr<Backend>>{local_, cloud_},
                                       options);
  }

  static PolicyConfig Shadowing(double rate = 1.0) {
    PolicyConfig config;
    config.escalation.enabled = false;
    config.shadow.enabled = true;
    config.shadow.sample_rate = rate;
    return config;
  }

  std::vector<ChatEvent> Ask(std::string_view text, std::string id = "req_1",
                             std::string model = "auto") {
    ChatRequest request;
    request.model = std::move(model);
    request.stream = true;
    request.route_hints.request_id = std::move(id);
    request.messages.push_back({Role::kUser, {ContentBlock::Text(std::string(text))}});
    auto sink = std::make_shared<CollectingSink>();
    router_->Generate(std::move(request), sink, std::make_shared<CancelFlag>());
    EXPECT_TRUE(sink->WaitForTerminal(std::chrono::seconds(5)));
    return sink->events();
  }

  // Shadow requests Claude got (judge requests left out).
  std::vector<ChatRequest> ShadowRequests() const {
    std::vector<ChatRequest> shadows;
    for (const ChatRequest& request : cloud_->requests()) {
      if (!IsJudgeRequest(request)) {
        shadows.push_back(request);
      }
    }
    return shadows;
  }

  std::vector<ShadowResult> results() {
    std::lock_guard lock(mutex_);
    return results_;
  }

  testing::FakeClock clock_;
  std::unique_ptr<TaskClassifier> classifier_;
  std::shared_ptr<PolicyEngine> policy_;
  std::shared_ptr<AnsweringBackend> local_;
  std::shared_ptr<AnsweringBackend> cloud_;
  std::mutex mutex_;
  std::vector<ShadowResult> results_;
  std::unique_ptr<Router> router_;
};

TEST_F(ShadowRouterTest, ASampledLocalAnswerIsPutToClaudeAfterTheClientHasIt) {
  ASSERT_NO_FATAL_FAILURE(Build(Shadowing()));
  const auto events = Ask("draft a note to the team", "req_42");
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(events[0].route().backend, "llama");  // the client's answer is local
  EXPECT_EQ(events[2].delta, "Here is your draft.");

  const std::vector<ChatRequest> shadows = ShadowRequests();
  ASSERT_EQ(shadows.size(), 1u);
  EXPECT_EQ(shadows[0].model, "claude-haiku-4-5");  // first_draft's cloud tier
  EXPECT_FALSE(shadows[0].stream);
  EXPECT_EQ(shadows[0].messages.at(0).content.at(0).text, "draft a note to the team");
  EXPECT_TRUE(shadows[0].route_hints.request_id.empty());

  // The local model judged: its request holds both answers.
  const std::vector<ChatRequest> local_requests = local_->requests();
  ASSERT_EQ(local_requests.size(), 2u);
  ASSERT_TRUE(IsJudgeRequest(local_requests[1]));
  const std::string& question = local_requests[1].messages.at(0).content.at(0).text;
  EXPECT_NE(question.find("Here is your draft."), std::string::npos);
  EXPECT_NE(question.find("Claude's draft."), std::string::npos);

  const std::vector<ShadowResult> found = results();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].request_id, "req_42");
  EXPECT_EQ(found[0].task, "writing/first_draft");
  EXPECT_EQ(found[0].local_model, "qwen");
  EXPECT_EQ(found[0].claude_model, "claude-haiku-4-5");
  EXPECT_EQ(found[0].judge, "qwen");
  EXPECT_EQ(found[0].verdict, "different");
  EXPECT_EQ(found[0].claude_usage, kClaudeUsage);
  EXPECT_DOUBLE_EQ(found[0].cost_usd, policy_->CloudCost("claude-haiku-4-5", kClaudeUsage));
  EXPECT_GT(found[0].cost_usd, 0);
  EXPECT_EQ(found[0].finished_unix_ms, clock_.NowUnixMillis());
  // Shadow spend counts against the overall budget.
  EXPECT_GT(policy_->budget().Snapshot("").overall_monthly.spent_usd, 0);
}

TEST_F(ShadowRouterTest, ClaudeIsAskedAsTheClientAskedNotWithTheLocalThinkingMode) {
  PolicyConfig thinking = Shadowing();
  thinking.tasks["first_draft"].thinking = true;  // as math is by default
  ASSERT_NO_FATAL_FAILURE(Build(thinking));
  Ask("draft a note to the team");
  ASSERT_TRUE(local_->requests().at(0).thinking.has_value());
  const std::vector<ChatRequest> shadows = ShadowRequests();
  ASSERT_EQ(shadows.size(), 1u);
  EXPECT_FALSE(shadows[0].thinking.has_value());
}

TEST_F(ShadowRouterTest, TheSampleRateShadowsExactlyThatShareOfAnswers) {
  ASSERT_NO_FATAL_FAILURE(Build(Shadowing(0.25)));
  for (int i = 0; i < 20; ++i) {
    Ask("draft a note to the team", "req_" + std::to_string(i));
  }
  EXPECT_EQ(ShadowRequests().size(), 5u);
  std::vector<std::string> ids;
  for (const ShadowResult& result : results()) {
    ids.push_back(result.request_id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"req_3", "req_7", "req_11", "req_15", "req_19"}));
  const ShadowEvaluator::Stats stats = router_->shadow()->stats();
  EXPECT_EQ(stats.eligible, 20);
  EXPECT_EQ(stats.started, 5);
  EXPECT_EQ(stats.finished, 5);
}

TEST_F(ShadowRouterTest, SensitiveRequestsAreNeverShadowed) {
  ASSERT_NO_FATAL_FAILURE(Build(Shadowing()));
  for (int i = 0; i < 3; ++i) {
    const auto events = Ask(kSecret);
    ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
    EXPECT_TRUE(events[0].route().sensitive);
  }
  EXPECT_TRUE(cloud_->requests().empty());
  EXPECT_EQ(router_->shadow()->stats().eligible, 0);
}

TEST_F(ShadowRouterTest, OnlyAnswersTheTaskTableKeptLocalAndListedTasksAreShadowed) {
  PolicyConfig other_tasks = Shadowing();
  other_tasks.shadow.tasks = {"summarization"};
  ASSERT_NO_FATAL_FAILURE(Build(other_tasks));
  Ask("draft a note to the team");
  EXPECT_TRUE(cloud_->requests().empty());

  ASSERT_NO_FATAL_FAILURE(Build(Shadowing()));
  Ask("draft a note to the team", "req_1", "qwen");  // the client chose the model
  EXPECT_TRUE(cloud_->requests().empty());

  PolicyConfig off = Shadowing();
  off.shadow.enabled = false;
  ASSERT_NO_FATAL_FAILURE(Build(off));
  EXPECT_EQ(router_->shadow(), nullptr);
  Ask("draft a note to the team");
  EXPECT_TRUE(cloud_->requests().empty());
}

TEST_F(ShadowRouterTest, TheMonthlyCapStopsShadowCallsAndCountsLastMonthsSpend) {
  const double one_call = [] {
    testing::FakeClock clock;
    auto policy = PolicyEngine::Create(PolicyConfig(), &clock);
    return (*policy)->CloudCost("claude-haiku-4-5", Usage{.input_tokens = 1000,
                                                          .output_tokens = 500});
  }();
  PolicyConfig capped = Shadowing();
  capped.shadow.monthly_usd = one_call * 1.1;  // room for one call, not two
  ASSERT_NO_FATAL_FAILURE(Build(capped));
  for (int i = 0; i < 3; ++i) {
    Ask("draft a note to the team");
  }
  EXPECT_EQ(ShadowRequests().size(), 1u);
  EXPECT_EQ(router_->shadow()->stats().skipped_budget, 2);

  // Spend recorded earlier this month (the ledger's) already fills the cap.
  ASSERT_NO_FATAL_FAILURE(Build(capped, "Here is your draft.", "SAME", one_call * 1.05));
  Ask("draft a note to the team");
  EXPECT_TRUE(ShadowRequests().empty());
  EXPECT_EQ(router_->shadow()->stats().skipped_budget, 1);
}

TEST_F(ShadowRouterTest, TheOverallBudgetAlsoCapsShadowSpend) {
  PolicyConfig config = Shadowing();
  config.budget.monthly_usd = 0.000001;
  ASSERT_NO_FATAL_FAILURE(Build(config));
  Ask("draft a note to the team");
  EXPECT_TRUE(ShadowRequests().empty());
  EXPECT_EQ(router_->shadow()->stats().skipped_budget, 1);
}

TEST_F(ShadowRouterTest, AClaudeJudgeIsPaidForToo) {
  PolicyConfig config = Shadowing();
  config.shadow.judge = "sonnet";
  ASSERT_NO_FATAL_FAILURE(Build(config));
  Ask("draft a note to the team");
  const std::vector<ChatRequest> all = cloud_->requests();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(IsJudgeRequest(all[1]));
  EXPECT_EQ(all[1].model, "claude-sonnet-4-6");
  EXPECT_EQ(local_->requests().size(), 1u);  // the local model only answered
  const std::vector<ShadowResult> found = results();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].judge, "claude-sonnet-4-6");
  EXPECT_EQ(found[0].verdict, "same");
  EXPECT_DOUBLE_EQ(found[0].cost_usd,
                   policy_->CloudCost("claude-haiku-4-5", kClaudeUsage) +
                       policy_->CloudCost("claude-sonnet-4-6", kClaudeUsage));
}

TEST_F(ShadowRouterTest, AJudgeThatSaysNeitherWordLeavesTheVerdictUnsure) {
  ASSERT_NO_FATAL_FAILURE(Build(Shadowing(), "Here is your draft.", "qz 7 lorem"));
  Ask("draft a note to the team");
  ASSERT_EQ(results().size(), 1u);
  EXPECT_EQ(results()[0].verdict, "unsure");
}

TEST_F(ShadowRouterTest, AClaudeFailureIsReportedAsFailedAndCostsNothing) {
  ASSERT_NO_FATAL_FAILURE(Build(Shadowing()));
  cloud_->FailWhen([](const ChatRequest&) { return true; }, Unavailable("connection refused"));
  const auto events = Ask("draft a note to the team");
  EXPECT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);  // the client is unaffected
  const std::vector<ShadowResult> found = results();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].verdict, "failed");
  EXPECT_TRUE(found[0].detail.starts_with("claude: ")) << found[0].detail;
  EXPECT_NE(found[0].detail.find("connection refused"), std::string::npos);
  EXPECT_EQ(found[0].cost_usd, 0);
  const auto snapshot = policy_->budget().Snapshot("duet-shadow");
  EXPECT_EQ(snapshot.overall_monthly.spent_usd, 0);
  EXPECT_EQ(snapshot.overall_monthly.reserved_usd, 0);
}

TEST_F(ShadowRouterTest, AnEscalatedAnswerIsNotShadowed) {
  PolicyConfig config = Shadowing();
  config.escalation.enabled = true;
  ASSERT_NO_FATAL_FAILURE(Build(config, ""));  // an empty local answer escalates
  const auto events = Ask("draft a note to the team");
  EXPECT_EQ(events[0].route().escalation, "empty");
  EXPECT_EQ(ShadowRequests().size(), 1u);  // the escalation itself, not a shadow
  EXPECT_TRUE(results().empty());
  EXPECT_EQ(router_->shadow()->stats().skipped_unanswered, 1);
  EXPECT_EQ(router_->shadow()->stats().started, 0);
}

TEST_F(ShadowRouterTest, BeyondMaxInFlightASampledAnswerIsSkippedNotQueued) {
  PolicyConfig config = Shadowing();
  config.shadow.max_in_flight = 1;
  ASSERT_NO_FATAL_FAILURE(Build(config));
  cloud_->Hold();
  for (int i = 0; i < 3; ++i) {
    Ask("draft a note to the team");
  }
  EXPECT_EQ(router_->shadow()->stats().started, 1);
  EXPECT_EQ(router_->shadow()->stats().skipped_busy, 2);
  cloud_->Release();
  EXPECT_EQ(results().size(), 1u);
  Ask("draft a note to the team");  // room again
  EXPECT_EQ(router_->shadow()->stats().started, 2);
}

TEST_F(ShadowRouterTest, EvaluationsStillRunningAtShutdownReportNothing) {
  ASSERT_NO_FATAL_FAILURE(Build(Shadowing()));
  cloud_->Hold();
  Ask("draft a note to the team");
  router_.reset();  // cancels the evaluation
  cloud_->Release(Status(ErrorCode::kCancelled, "cancelled"));
  EXPECT_TRUE(results().empty());
  EXPECT_EQ(local_->requests().size(), 1u);  // no judge call after shutdown
}

}  // namespace
}  // namespace duet
