// Router: model resolution, "auto", and falling back to the local side when
// the chosen backend fails before answering.
#include "route/router.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "support/collecting_sink.h"
#include "support/fake_clock.h"

namespace duet {
namespace {

using testing::CollectingSink;

// Answers every request with one text block, or fails with `failure`.
class FakeBackend final : public Backend {
 public:
  FakeBackend(std::string name, std::vector<std::string> models,
              Status failure = Status::Ok())
      : name_(std::move(name)), models_(std::move(models)), failure_(std::move(failure)) {}

  std::string_view name() const override { return name_; }
  // Named "llama": this machine; anything else: the cloud.
  Locality locality() const override {
    return name_ == "llama" ? Locality::kLocal : Locality::kCloud;
  }
  std::vector<ModelInfo> ListModels() const override {
    std::vector<ModelInfo> infos;
    for (const std::string& id : models_) {
      ModelInfo info;
      info.id = id;
      info.reads_images = std::find(seeing_.begin(), seeing_.end(), id) != seeing_.end();
      infos.push_back(std::move(info));
    }
    return infos;
  }
  Result<int64_t> CountTokens(const ChatRequest&) override { return 1; }
  void Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                std::shared_ptr<const CancelFlag>) override {
    {
      std::lock_guard lock(mutex_);
      seen_models_.push_back(request.model);
      last_request_ = request;
    }
    if (!failure_.ok() && !fails_part_way_) {
      sink->OnEvent(ChatEvent::Failure(failure_));
      return;
    }
    sink->OnEvent(ChatEvent::MessageStart("msg_1", request.model, {}));
    sink->OnEvent(ChatEvent::BlockStart(0, ContentBlock::Text("")));
    sink->OnEvent(ChatEvent::Delta(0, ChatEvent::DeltaKind::kText, name_));
    if (!failure_.ok()) {
      sink->OnEvent(ChatEvent::Failure(failure_));
      return;
    }
    sink->OnEvent(ChatEvent::BlockStop(0));
    sink->OnEvent(ChatEvent::MessageDelta(
        StopReason::kEndTurn, Usage{.input_tokens = 1000, .output_tokens = 500}));
    sink->OnEvent(ChatEvent::MessageStop());
  }
  // Its failure comes after the start of an answer, not before it.
  void FailPartWay() { fails_part_way_ = true; }
  // Which of its models say they read images (none unless set).
  void SetReadsImages(std::vector<std::string> models) { seeing_ = std::move(models); }
  std::vector<std::string> seen_models() const {
    std::lock_guard lock(mutex_);
    return seen_models_;
  }
  ChatRequest last_request() const {
    std::lock_guard lock(mutex_);
    return last_request_;
  }

 private:
  std::string name_;
  std::vector<std::string> models_;
  Status failure_;
  bool fails_part_way_ = false;
  std::vector<std::string> seeing_;
  mutable std::mutex mutex_;
  std::vector<std::string> seen_models_;
  ChatRequest last_request_;
};

ChatRequest For(std::string model) {
  ChatRequest request;
  request.model = std::move(model);
  request.messages.push_back({Role::kUser, {ContentBlock::Text("hi")}});
  return request;
}

std::vector<ChatEvent> Answer(Router& router, ChatRequest request,
                              std::shared_ptr<CancelFlag> cancel =
                                  std::make_shared<CancelFlag>()) {
  auto sink = std::make_shared<CollectingSink>();
  router.Generate(std::move(request), sink, std::move(cancel));
  EXPECT_TRUE(sink->WaitForTerminal(std::chrono::seconds(5)));
  EXPECT_EQ(sink->terminal_count(), 1);
  return sink->events();
}

struct Routes {
  std::shared_ptr<FakeBackend> local;
  std::shared_ptr<FakeBackend> cloud;
  std::unique_ptr<Router> router;
};

Routes Make(Status cloud_failure) {
  Routes setup;
  setup.local = std::make_shared<FakeBackend>("llama", std::vector<std::string>{"qwen", "coder"});
  setup.cloud = std::make_shared<FakeBackend>("anthropic", std::vector<std::string>{"claude-x"},
                                              std::move(cloud_failure));
  Router::Options options;
  options.fallback = setup.local;
  setup.router = std::make_unique<Router>(
      std::vector<std::shared_ptr<Backend>>{setup.local, setup.cloud}, options);
  return setup;
}

TEST(RouterTest, AutoGoesToTheFirstBackendsFirstModelAndIsNamed) {
  Routes setup = Make(Status::Ok());
  const auto events = Answer(*setup.router, For("auto"));
  EXPECT_EQ(events[0].model, "qwen");
  EXPECT_EQ(events[0].route().backend, "llama");
  EXPECT_TRUE(events[0].route().fallback_reason.empty());
  EXPECT_EQ(setup.local->seen_models(), std::vector<std::string>{"qwen"});
}

TEST(RouterTest, NamedModelsGoWhereTheyAreServed) {
  Routes setup = Make(Status::Ok());
  EXPECT_EQ(Answer(*setup.router, For("claude-x"))[0].route().backend, "anthropic");
  EXPECT_EQ(Answer(*setup.router, For("coder"))[0].model, "coder");
  const auto unknown = Answer(*setup.router, For("nope"));
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].error, NotFound("model: nope"));
}

TEST(RouterTest, ServerSideFailuresFallBackToTheLocalModel) {
  for (ErrorCode code : {ErrorCode::kUnavailable, ErrorCode::kResourceExhausted,
                         ErrorCode::kDeadlineExceeded, ErrorCode::kInternal}) {
    Routes setup = Make(Status(code, "Overloaded"));
    const auto events = Answer(*setup.router, For("claude-x"));
    ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop) << ErrorCodeName(code);
    EXPECT_EQ(events[0].route().backend, "llama");
    EXPECT_EQ(events[0].route().fallback_reason, "anthropic: Overloaded");
    EXPECT_EQ(events[0].model, "qwen");
    EXPECT_EQ(setup.cloud->seen_models(), std::vector<std::string>{"claude-x"});
  }
}

// The answer a client that waits for the whole answer gets (its sink can
// restart until the end).
std::shared_ptr<CollectingSink> AnswerWhole(Router& router, ChatRequest request) {
  auto sink = std::make_shared<CollectingSink>();
  sink->AllowRestart();
  router.Generate(std::move(request), sink, std::make_shared<CancelFlag>());
  EXPECT_TRUE(sink->WaitForTerminal(std::chrono::seconds(5)));
  return sink;
}

TEST(RouterTest, AFailurePartWayFallsBackOnlyForAClientThatWasSentNothing) {
  // A client that waits for the whole answer: its sink restarts, and the
  // fallback's answer is all it sees.
  Routes waiting = Make(Unavailable("Overloaded"));
  waiting.cloud->FailPartWay();
  const auto sink = AnswerWhole(*waiting.router, For("claude-x"));
  EXPECT_EQ(sink->restarts(), 1);
  const auto answered = sink->events();
  ASSERT_EQ(answered.size(), 6u);
  EXPECT_EQ(answered[0].route().backend, "llama");
  EXPECT_EQ(answered[0].route().fallback_reason, "anthropic: Overloaded");
  EXPECT_EQ(answered[2].delta, "llama");
  EXPECT_EQ(answered.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(waiting.local->seen_models(), std::vector<std::string>{"qwen"});

  // A streaming client was sent the start: the answer ends with the error.
  Routes streaming = Make(Unavailable("Overloaded"));
  streaming.cloud->FailPartWay();
  const auto failed = Answer(*streaming.router, For("claude-x"));
  ASSERT_EQ(failed.size(), 4u);
  EXPECT_EQ(failed[0].route().backend, "anthropic");
  EXPECT_EQ(failed[2].delta, "anthropic");
  EXPECT_EQ(failed[3].error, Unavailable("Overloaded"));
  EXPECT_TRUE(streaming.local->seen_models().empty());

  // A request error part way is not hidden, restartable client or not.
  Routes refused = Make(InvalidArgument("bad"));
  refused.cloud->FailPartWay();
  const auto refused_sink = AnswerWhole(*refused.router, For("claude-x"));
  EXPECT_EQ(refused_sink->restarts(), 0);
  EXPECT_EQ(refused_sink->events().back().error, InvalidArgument("bad"));
  EXPECT_TRUE(refused.local->seen_models().empty());
}

TEST(RouterTest, ARequestWithImagesFallsBackOnlyToAModelThatReadsThem) {
  ChatRequest request = For("claude-x");
  ContentBlock image;
  image.type = BlockType::kImage;
  image.image.data = "iVBORw0KGgo=";
  request.messages[0].content.push_back(image);

  // No local model reads images: the client gets Claude's own error, not
  // a local refusal of its picture.
  Routes blind = Make(Unavailable("Overloaded"));
  const auto refused = Answer(*blind.router, request);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].error, Unavailable("Overloaded"));
  EXPECT_TRUE(blind.local->seen_models().empty());

  // One does (not the first): it answers.
  Routes seeing = Make(Unavailable("Overloaded"));
  seeing.local->SetReadsImages({"coder"});
  const auto answered = Answer(*seeing.router, request);
  ASSERT_EQ(answered.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(answered[0].route().fallback_reason, "anthropic: Overloaded");
  EXPECT_EQ(seeing.local->seen_models(), std::vector<std::string>{"coder"});
}

TEST(RouterTest, RequestErrorsAreNotHiddenByAFallback) {
  for (ErrorCode code : {ErrorCode::kInvalidArgument, ErrorCode::kUnauthenticated,
                         ErrorCode::kPermissionDenied, ErrorCode::kNotFound,
                         ErrorCode::kPayloadTooLarge}) {
    Routes setup = Make(Status(code, "bad"));
    const auto events = Answer(*setup.router, For("claude-x"));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].error.code(), code);
    EXPECT_TRUE(setup.local->seen_models().empty());
  }
}

TEST(RouterTest, AClientThatForbidsFallbackGetsTheError) {
  Routes setup = Make(Unavailable("Overloaded"));
  ChatRequest request = For("claude-x");
  request.route_hints.allow_fallback = false;
  const auto events = Answer(*setup.router, request);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].error, Unavailable("Overloaded"));
  EXPECT_TRUE(setup.local->seen_models().empty());
}

TEST(RouterTest, ACancelledRequestDoesNotFallBack) {
  Routes setup = Make(Unavailable("Overloaded"));
  auto cancel = std::make_shared<CancelFlag>();
  cancel->Cancel();
  const auto events = Answer(*setup.router, For("claude-x"), cancel);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(setup.local->seen_models().empty());
}

TEST(RouterTest, TheFallbackItselfFailingIsReported) {
  auto local = std::make_shared<FakeBackend>("llama", std::vector<std::string>{"qwen"},
                                             Unavailable("queue full"));
  Router::Options options;
  options.fallback = local;
  Router router({local}, options);
  const auto events = Answer(router, For("auto"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].error, Unavailable("queue full"));
  EXPECT_EQ(local->seen_models().size(), 1u);  // tried once, not twice
}

// With the policy: the decision picks the backend, travels on the answer,
// and sensitive data reaches no cloud backend by any path (issue 5).
class PolicyRouterTest : public ::testing::Test {
 protected:
  void SetUp() override { Build(/*with_local=*/true, PolicyConfig()); }

  void Build(bool with_local, PolicyConfig config, Status cloud_failure = Status::Ok()) {
    local_ = std::make_shared<FakeBackend>("llama", std::vector<std::string>{"qwen"});
    // Like AnthropicBackend, the cloud serves retired names too (to refuse
    // them).
    cloud_ = std::make_shared<FakeBackend>(
        "anthropic",
        std::vector<std::string>{"claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-6",
                                 "claude-3-opus-20240229"},
        std::move(cloud_failure));
    TaskModel model;  // always code_review, a task the table sends to Claude
    model.mutable_bias()[static_cast<size_t>(TaskKind::kCodeReview)] = 20.0f;
    classifier_ = std::make_unique<TaskClassifier>(std::move(model));
    Result<std::unique_ptr<PolicyEngine>> policy =
        PolicyEngine::Create(std::move(config), &clock_, {.classifier = classifier_.get()});
    ASSERT_TRUE(policy) << policy.error().ToString();
    policy_ = std::move(*policy);
    Router::Options options;
    options.policy = policy_;
    std::vector<std::shared_ptr<Backend>> backends;
    if (with_local) {
      options.fallback = local_;
      backends.push_back(local_);
    }
    backends.push_back(cloud_);
    router_ = std::make_unique<Router>(std::move(backends), options);
  }

  testing::FakeClock clock_;
  std::unique_ptr<TaskClassifier> classifier_;
  std::shared_ptr<PolicyEngine> policy_;
  std::shared_ptr<FakeBackend> local_;
  std::shared_ptr<FakeBackend> cloud_;
  std::unique_ptr<Router> router_;
};

constexpr std::string_view kSecret =
    "Review before I push: AWS_SECRET_ACCESS_KEY = 'q7Vd2LmP0xR9sT4uW8yZ1aB3cE5fG6hJ7kK9nM2p'";

ChatRequest Asking(std::string_view text, std::string model = "auto") {
  ChatRequest request = For(std::move(model));
  request.messages.front().content.front().text = std::string(text);
  return request;
}

TEST_F(PolicyRouterTest, TheDecisionPicksTheBackendAndTravelsOnTheAnswer) {
  const auto events = Answer(*router_, Asking("please review this diff"));
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(events[0].model, "claude-sonnet-4-6");
  EXPECT_EQ(events[0].route().backend, "anthropic");
  EXPECT_EQ(events[0].route().side, "cloud");
  EXPECT_EQ(events[0].route().task, "coding/code_review");
  EXPECT_EQ(events[0].route().rule, "task");
  EXPECT_FALSE(events[0].route().sensitive);
  EXPECT_TRUE(local_->seen_models().empty());
}

TEST_F(PolicyRouterTest, SensitiveRequestsReachNoCloudBackendByAnyPath) {
  // By the task table, by an explicit Claude model, and by the header.
  ChatRequest forced = Asking(kSecret);
  forced.route_hints.forced_side = "cloud";
  for (ChatRequest request : {Asking(kSecret), Asking(kSecret, "claude-opus-4-6"), forced}) {
    const auto events = Answer(*router_, request);
    ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
    EXPECT_EQ(events[0].route().backend, "llama");
    EXPECT_EQ(events[0].route().side, "local");
    EXPECT_EQ(events[0].route().rule, "sensitive");
    EXPECT_TRUE(events[0].route().sensitive);
  }
  EXPECT_TRUE(cloud_->seen_models().empty());
  EXPECT_EQ(local_->seen_models().size(), 3u);
}

// A named local model's answer starts before the policy has read the
// request; this backend answers at once, inside Generate, so every event
// comes before the decision. They still reach the client once each, in
// order, with the whole decision on the answer.
TEST_F(PolicyRouterTest, ANamedLocalModelsAnswerCarriesTheDecisionMadeWhileItStarted) {
  for (const std::string_view text : {std::string_view("please review this diff"), kSecret}) {
    const auto events = Answer(*router_, Asking(text, "qwen"));
    ASSERT_EQ(events.size(), 6u);
    EXPECT_EQ(events[0].kind, ChatEvent::Kind::kMessageStart);
    EXPECT_EQ(events[2].delta, "llama");
    EXPECT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
    EXPECT_EQ(events[0].route().backend, "llama");
    EXPECT_EQ(events[0].route().side, "local");
    EXPECT_EQ(events[0].route().rule, "explicit_model");
    EXPECT_EQ(events[0].route().task, "coding/code_review");
    EXPECT_EQ(events[0].route().sensitive, text == kSecret);
  }
  EXPECT_EQ(local_->seen_models(), (std::vector<std::string>{"qwen", "qwen"}));
  EXPECT_TRUE(cloud_->seen_models().empty());
}

TEST_F(PolicyRouterTest, WithNoLocalModelASensitiveRequestIsRefusedNotSent) {
  Build(/*with_local=*/false, PolicyConfig());
  const auto events = Answer(*router_, Asking(kSecret));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].error.code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(cloud_->seen_models().empty());
  // The same request without the secret goes to the cloud.
  EXPECT_EQ(Answer(*router_, Asking("please review this diff"))[0].route().backend,
            "anthropic");
}

TEST_F(PolicyRouterTest, ACloudFailureStillFallsBackToLocal) {
  Build(/*with_local=*/true, PolicyConfig(), Unavailable("Overloaded"));
  const auto events = Answer(*router_, Asking("please review this diff"));
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(events[0].route().backend, "llama");
  EXPECT_EQ(events[0].route().side, "local");
  EXPECT_EQ(events[0].route().fallback_reason, "anthropic: Overloaded");
}

TEST_F(PolicyRouterTest, ARetiredClaudeModelIsRefusedNeverSentNorAnsweredLocally) {
  // Even with Claude down, a request naming a retired model gets the
  // reason, not another model's answer.
  Build(/*with_local=*/true, PolicyConfig(), Unavailable("Overloaded"));
  const auto events = Answer(*router_, Asking("please review this diff", "claude-3-opus-20240229"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].error,
            NotFound("model: claude-3-opus-20240229: retired; duet does not send requests to it"));
  EXPECT_TRUE(cloud_->seen_models().empty());
  EXPECT_TRUE(local_->seen_models().empty());
}

TEST_F(PolicyRouterTest, CloudSpendIsSettledFromTheAnswersUsage) {
  PolicyConfig config;
  config.budget.monthly_usd = 10;
  Build(/*with_local=*/true, config);
  Answer(*router_, Asking("please review this diff"));
  // 1,000 input and 500 output tokens at Sonnet's $3 / $15 per million.
  const BudgetTracker::UsageSnapshot usage = policy_->budget().Snapshot("");
  EXPECT_NEAR(usage.overall_monthly.spent_usd, 0.003 + 0.0075, 1e-6);
  EXPECT_EQ(usage.overall_monthly.reserved_usd, 0);

  // A failed cloud call that fell back spends nothing.
  Build(/*with_local=*/true, config, Unavailable("Overloaded"));
  Answer(*router_, Asking("please review this diff"));
  EXPECT_EQ(policy_->budget().Snapshot("").overall_monthly.spent_usd, 0);
}

}  // namespace
}  // namespace duet

namespace duet {
namespace {

// A local backend that answers with `text` (the escalation tests' local
// model): "" is an empty answer; `failure` makes it fail instead.
class TextBackend final : public Backend {
 public:
  explicit TextBackend(std::string text, Status failure = Status::Ok())
      : text_(std::move(text)), failure_(std::move(failure)) {}
  std::string_view name() const override { return "llama"; }
  Locality locality() const override { return Locality::kLocal; }
  std::vector<ModelInfo> ListModels() const override {
    ModelInfo info;
    info.id = "qwen";
    return {info};
  }
  Result<int64_t> CountTokens(const ChatRequest&) override { return 1; }
  void Generate(ChatRequest, std::shared_ptr<EventSink> sink,
                std::shared_ptr<const CancelFlag>) override {
    ++calls_;
    if (!failure_.ok()) {
      sink->OnEvent(ChatEvent::Failure(failure_));
      return;
    }
    sink->OnEvent(ChatEvent::MessageStart("msg_local", "qwen", {}));
    sink->OnEvent(ChatEvent::BlockStart(0, ContentBlock::Text("")));
    if (!text_.empty()) {
      sink->OnEvent(ChatEvent::Delta(0, ChatEvent::DeltaKind::kText, text_));
    }
    sink->OnEvent(ChatEvent::BlockStop(0));
    sink->OnEvent(ChatEvent::MessageDelta(
        StopReason::kEndTurn, Usage{.input_tokens = 40, .output_tokens = 12}));
    sink->OnEvent(ChatEvent::MessageStop());
  }
  int calls() const { return calls_; }

 private:
  std::string text_;
  Status failure_;
  std::atomic<int> calls_{0};
};

// The policy keeps every request local (the classifier always says
// first_draft) and escalation is on with its defaults.
class EscalationRouterTest : public ::testing::Test {
 protected:
  void Build(std::string local_text, PolicyConfig config = PolicyConfig(),
             Status local_failure = Status::Ok(), Status cloud_failure = Status::Ok()) {
    local_ = std::make_shared<TextBackend>(std::move(local_text), std::move(local_failure));
    cloud_ = std::make_shared<FakeBackend>(
        "anthropic",
        std::vector<std::string>{"claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-6"},
        std::move(cloud_failure));
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
    router_ = std::make_unique<Router>(std::vector<std::shared_ptr<Backend>>{local_, cloud_},
                                       options);
  }

  testing::FakeClock clock_;
  std::unique_ptr<TaskClassifier> classifier_;
  std::shared_ptr<PolicyEngine> policy_;
  std::shared_ptr<TextBackend> local_;
  std::shared_ptr<FakeBackend> cloud_;
  std::unique_ptr<Router> router_;
};

std::string TextOf(const std::vector<ChatEvent>& events) {
  std::string text;
  for (const ChatEvent& event : events) {
    if (event.kind == ChatEvent::Kind::kBlockDelta) {
      text += event.delta;
    }
  }
  return text;
}

TEST_F(EscalationRouterTest, AGoodLocalAnswerPassesItsChecksAndStaysLocal) {
  ASSERT_NO_FATAL_FAILURE(Build("Here is a short draft of the note you asked for."));
  const auto events = Answer(*router_, Asking("draft a note to the team"));
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(TextOf(events), "Here is a short draft of the note you asked for.");
  EXPECT_EQ(events[0].route().backend, "llama");
  EXPECT_EQ(events[0].route().escalation, "passed");
  EXPECT_TRUE(cloud_->seen_models().empty());
}

TEST_F(EscalationRouterTest, AFailedCheckHandsTheRequestToClaude) {
  ASSERT_NO_FATAL_FAILURE(Build(""));  // an empty answer
  const auto events = Answer(*router_, Asking("draft a note to the team"));
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(TextOf(events), "anthropic");  // only Claude's answer reached the client
  const RouteNote& route = events[0].route();
  EXPECT_EQ(route.backend, "anthropic");
  EXPECT_EQ(route.side, "cloud");
  EXPECT_FALSE(route.local);
  EXPECT_EQ(route.escalation, "empty");
  EXPECT_FALSE(route.escalation_reason.empty());
  EXPECT_EQ(route.local_attempt_model, "qwen");
  EXPECT_EQ(route.local_attempt_usage.output_tokens, 12);
  // first_draft's cloud tier is Haiku.
  EXPECT_EQ(cloud_->seen_models(), std::vector<std::string>{"claude-haiku-4-5"});
  EXPECT_EQ(local_->calls(), 1);
}

TEST_F(EscalationRouterTest, SensitiveRequestsAreNeverEscalated) {
  ASSERT_NO_FATAL_FAILURE(Build(""));
  const auto events = Answer(*router_, Asking(kSecret));
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(events[0].route().backend, "llama");
  EXPECT_EQ(events[0].route().escalation, "");
  EXPECT_TRUE(cloud_->seen_models().empty());
}

TEST_F(EscalationRouterTest, OffTasksNotListedAndAnExplicitModelAreNotEscalated) {
  PolicyConfig off;
  off.escalation.enabled = false;
  ASSERT_NO_FATAL_FAILURE(Build("", off));
  EXPECT_EQ(Answer(*router_, Asking("draft a note"))[0].route().backend, "llama");

  PolicyConfig other_tasks;
  other_tasks.escalation.tasks = {"summarization"};
  ASSERT_NO_FATAL_FAILURE(Build("", other_tasks));
  EXPECT_EQ(Answer(*router_, Asking("draft a note"))[0].route().backend, "llama");

  ASSERT_NO_FATAL_FAILURE(Build(""));
  EXPECT_EQ(Answer(*router_, Asking("draft a note", "qwen"))[0].route().backend, "llama");
  EXPECT_TRUE(cloud_->seen_models().empty());
}

TEST_F(EscalationRouterTest, WithTheBudgetSpentTheLocalAnswerStandsAndSaysSo) {
  PolicyConfig config;
  config.budget.monthly_usd = 0.000001;
  ASSERT_NO_FATAL_FAILURE(Build("", config));
  const auto events = Answer(*router_, Asking("draft a note"));
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(events[0].route().backend, "llama");
  EXPECT_EQ(events[0].route().escalation, "empty");
  EXPECT_NE(events[0].route().escalation_reason.find("could not escalate"), std::string::npos);
  EXPECT_TRUE(cloud_->seen_models().empty());
}

TEST_F(EscalationRouterTest, AStreamPastItsHoldTimeGoesOutUnchecked) {
  PolicyConfig config;
  config.escalation.stream_hold_ms = 0;
  ASSERT_NO_FATAL_FAILURE(Build("", config));
  ChatRequest request = Asking("draft a note");
  request.stream = true;
  const auto events = Answer(*router_, request);
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(events[0].route().backend, "llama");
  EXPECT_EQ(events[0].route().escalation, "unchecked");
  EXPECT_TRUE(cloud_->seen_models().empty());
}

TEST_F(EscalationRouterTest, WhenClaudeFailsTheLocalAnswerStandsInsteadOfAnError) {
  ASSERT_NO_FATAL_FAILURE(Build("", PolicyConfig(), Status::Ok(), Unavailable("Overloaded")));
  const auto events = Answer(*router_, Asking("draft a note"));
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(events[0].route().backend, "llama");
  EXPECT_EQ(events[0].route().escalation, "empty");
  EXPECT_NE(events[0].route().escalation_reason.find("Claude failed (Overloaded)"),
            std::string::npos)
      << events[0].route().escalation_reason;
  EXPECT_EQ(cloud_->seen_models(), std::vector<std::string>{"claude-haiku-4-5"});
  EXPECT_EQ(local_->calls(), 1);  // not asked twice
  // The reservation made for Claude was released, not spent.
  EXPECT_EQ(policy_->budget().Snapshot("").overall_monthly.spent_usd, 0);
  EXPECT_EQ(policy_->budget().Snapshot("").overall_monthly.reserved_usd, 0);
}

TEST_F(EscalationRouterTest, PolishHasClaudeImproveTheLocalDraft) {
  ASSERT_NO_FATAL_FAILURE(Build("Dear team, Friday is off."));
  for (bool streamed : {false, true}) {
    ChatRequest request = Asking("draft a note to the team", "duet/polish");
    request.stream = streamed;  // a stream is never released before Claude
    const auto events = Answer(*router_, request);
    ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
    EXPECT_EQ(TextOf(events), "anthropic");
    EXPECT_EQ(events[0].route().workflow, "polish");
    EXPECT_EQ(events[0].route().rule, "polish");
    EXPECT_EQ(events[0].route().backend, "anthropic");
    EXPECT_EQ(events[0].route().local_attempt_model, "qwen");
    EXPECT_EQ(events[0].route().local_attempt_usage.output_tokens, 12);
  }
  // Claude (the polish tier: Sonnet) saw the draft as its own answer and
  // was asked to improve it.
  EXPECT_EQ(cloud_->seen_models().back(), "claude-sonnet-4-6");
  const ChatRequest sent = cloud_->last_request();
  ASSERT_EQ(sent.messages.size(), 3u);
  EXPECT_EQ(sent.messages[1].role, Role::kAssistant);
  EXPECT_EQ(sent.messages[1].content[0].text, "Dear team, Friday is off.");
  EXPECT_NE(sent.messages[2].content[0].text.find("Improve your answer above"),
            std::string::npos);

  // The header asks for the same with any model name.
  ChatRequest by_header = Asking("draft a note to the team");
  by_header.route_hints.workflow = "polish";
  EXPECT_EQ(Answer(*router_, by_header)[0].route().workflow, "polish");
  // And the pseudo-model is listed.
  bool listed = false;
  for (const ModelInfo& model : router_->ListModels()) {
    listed = listed || model.id == "duet/polish";
  }
  EXPECT_TRUE(listed);
}

TEST_F(EscalationRouterTest, PolishNeverSendsASensitiveRequestToClaude) {
  ASSERT_NO_FATAL_FAILURE(Build("a draft"));
  const auto events = Answer(*router_, Asking(kSecret, "duet/polish"));
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(events[0].route().backend, "llama");
  EXPECT_EQ(events[0].route().workflow, "");
  EXPECT_NE(events[0].route().explanation.find("polish skipped"), std::string::npos)
      << events[0].route().explanation;
  EXPECT_TRUE(cloud_->seen_models().empty());
}

TEST_F(EscalationRouterTest, PolishIsSkippedForARequestTooBigToDraftLocally) {
  ASSERT_NO_FATAL_FAILURE(Build("a draft"));
  // ~150K tokens: over the local window (the policy's 131,072 default).
  const auto events =
      Answer(*router_, Asking("summarise: " + std::string(600'000, 'a') + " end", "duet/polish"));
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(events[0].route().backend, "anthropic");
  EXPECT_EQ(events[0].route().workflow, "");
  EXPECT_NE(events[0].route().explanation.find("polish skipped"), std::string::npos);
  EXPECT_EQ(local_->calls(), 0);
}

TEST_F(EscalationRouterTest, SelfCheckAsksTheLocalModelToGradeItsOwnAnswer) {
  PolicyConfig config;
  config.escalation.self_check = true;
  // The local model answers "3" to everything: the draft passes the plain
  // checks, then grades itself 3/10, under the threshold of 6.
  ASSERT_NO_FATAL_FAILURE(Build("3", config));
  auto events = Answer(*router_, Asking("draft a note"));
  ASSERT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(events[0].route().backend, "anthropic");
  EXPECT_EQ(events[0].route().escalation, "self_check");
  EXPECT_NE(events[0].route().escalation_reason.find("3/10"), std::string::npos);
  EXPECT_EQ(local_->calls(), 2);  // the answer, then the grade

  // "9 ..." grades 9/10: it stands.
  ASSERT_NO_FATAL_FAILURE(Build("9 things to say in the note", config));
  events = Answer(*router_, Asking("draft a note"));
  EXPECT_EQ(events[0].route().backend, "llama");
  EXPECT_EQ(events[0].route().escalation, "passed");
  EXPECT_EQ(local_->calls(), 2);

  // No number, no verdict: the answer stands.
  ASSERT_NO_FATAL_FAILURE(Build("Dear team", config));
  EXPECT_EQ(Answer(*router_, Asking("draft a note"))[0].route().escalation, "passed");
  EXPECT_TRUE(cloud_->seen_models().empty());
}

TEST_F(EscalationRouterTest, ALocalErrorIsNotEscalated) {
  ASSERT_NO_FATAL_FAILURE(Build("", PolicyConfig(), InvalidArgument("prompt too long")));
  const auto events = Answer(*router_, Asking("draft a note"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].error.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(cloud_->seen_models().empty());
}

}  // namespace
}  // namespace duet
