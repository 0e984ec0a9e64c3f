// PolicyEngine: the hard rules of policy.md §1 in their order, the task
// table of §2, model choice per role and tier, and the budget (issue 5).
#include "route/policy/policy_engine.h"

#include <gtest/gtest.h>

#include <toml++/toml.h>

#include "core/config.h"
#include "support/fake_clock.h"

namespace duet {
namespace {

// A classifier that always answers `kind`: the policy tests choose the
// task, the classifier's own tests measure the classifier.
TaskClassifier FixedClassifier(TaskKind kind) {
  TaskModel model;
  model.mutable_bias()[static_cast<size_t>(kind)] = 20.0f;
  return TaskClassifier(std::move(model));
}

ChatRequest Ask(std::string text, std::string model = "auto") {
  ChatRequest request;
  request.model = std::move(model);
  request.messages.push_back({Role::kUser, {ContentBlock::Text(std::move(text))}});
  return request;
}

// A machine with one local model (32K window) and Claude, both up.
RouteTargets BothSides() {
  RouteTargets targets;
  targets.local_models = {{"qwen-general", 32'768}, {"qwen-coder", 32'768}};
  targets.cloud_configured = true;
  targets.side_of_model = [](std::string_view model) -> std::optional<RouteSide> {
    if (model.starts_with("claude-")) {
      return RouteSide::kCloud;
    }
    if (model.starts_with("qwen-")) {
      return RouteSide::kLocal;
    }
    return std::nullopt;
  };
  return targets;
}

class PolicyEngineTest : public ::testing::Test {
 protected:
  PolicyEngine& Engine(TaskKind kind, PolicyConfig config = {}) {
    classifier_ = std::make_unique<TaskClassifier>(FixedClassifier(kind));
    Result<std::unique_ptr<PolicyEngine>> engine =
        PolicyEngine::Create(std::move(config), &clock_, {.classifier = classifier_.get()});
    EXPECT_TRUE(engine) << engine.error().ToString();
    engine_ = std::move(*engine);
    return *engine_;
  }

  testing::FakeClock clock_;
  std::unique_ptr<TaskClassifier> classifier_;
  std::unique_ptr<PolicyEngine> engine_;
};

TEST_F(PolicyEngineTest, TaskTableSendsLocalTasksLocalAndHardTasksToSonnet) {
  RouteDecision local = Engine(TaskKind::kSummarization).Decide(Ask("tl;dr this"), BothSides());
  EXPECT_EQ(local.side, RouteSide::kLocal);
  EXPECT_EQ(local.rule, "task");
  EXPECT_EQ(local.model, "qwen-general");
  EXPECT_TRUE(local.refusal.ok());

  RouteDecision cloud = Engine(TaskKind::kCodeReview).Decide(Ask("review my PR"), BothSides());
  EXPECT_EQ(cloud.side, RouteSide::kCloud);
  EXPECT_EQ(cloud.rule, "task");
  EXPECT_EQ(cloud.cloud_tier, "sonnet");
  EXPECT_EQ(cloud.model, "claude-sonnet-4-6");
  EXPECT_EQ(cloud.task, TaskKind::kCodeReview);
  EXPECT_NE(cloud.Explanation().find("code_review goes cloud"), std::string::npos)
      << cloud.Explanation();
}

TEST_F(PolicyEngineTest, EitherGoesLocalByDefaultAndToHaikuWhenConfigured) {
  EXPECT_EQ(Engine(TaskKind::kExplainCode).Decide(Ask("what does this do"), BothSides()).side,
            RouteSide::kLocal);
  PolicyConfig config;
  config.either = "cloud";
  RouteDecision decision =
      Engine(TaskKind::kExplainCode, config).Decide(Ask("what does this do"), BothSides());
  EXPECT_EQ(decision.side, RouteSide::kCloud);
  EXPECT_EQ(decision.rule, "either");
  EXPECT_EQ(decision.cloud_tier, "haiku");
}

TEST_F(PolicyEngineTest, LocalSpecialistAndThinkingFollowTheRole) {
  PolicyConfig config;
  config.local_models["coding"] = "qwen-coder";
  EXPECT_EQ(Engine(TaskKind::kRefactoring, config).Decide(Ask("dedupe"), BothSides()).model,
            "qwen-coder");
  // A role whose model is not loaded falls back to the first local model.
  config.local_models["reasoning"] = "deepseek-r1";
  RouteDecision math = Engine(TaskKind::kMath, config).Decide(Ask("solve x^2=4"), BothSides());
  EXPECT_EQ(math.model, "qwen-general");
  EXPECT_TRUE(math.thinking);
}

TEST_F(PolicyEngineTest, SensitiveDataStaysLocalWhateverElseAsks) {
  PolicyEngine& engine = Engine(TaskKind::kCodeReview);
  const std::string secret =
      "Review this before I push: AWS_SECRET_ACCESS_KEY = "
      "'q7Vd2LmP0xR9sT4uW8yZ1aB3cE5fG6hJ7kK9nM2p'";
  RouteDecision by_task = engine.Decide(Ask(secret), BothSides());
  EXPECT_EQ(by_task.side, RouteSide::kLocal);
  EXPECT_EQ(by_task.rule, "sensitive");
  EXPECT_TRUE(by_task.sensitive);
  EXPECT_TRUE(by_task.local_only);
  EXPECT_EQ(by_task.Explanation().find("q7Vd2"), std::string::npos);

  RouteDecision explicit_cloud = engine.Decide(Ask(secret, "claude-opus-4-6"), BothSides());
  EXPECT_EQ(explicit_cloud.side, RouteSide::kLocal);
  EXPECT_EQ(explicit_cloud.rule, "sensitive");
  EXPECT_EQ(explicit_cloud.model, "qwen-general");

  ChatRequest forced = Ask(secret);
  forced.route_hints.forced_side = "cloud";
  EXPECT_EQ(engine.Decide(forced, BothSides()).side, RouteSide::kLocal);
}

TEST_F(PolicyEngineTest, SensitiveDataInAnyPartIsFound) {
  PolicyEngine& engine = Engine(TaskKind::kGeneralQa);
  ChatRequest in_system = Ask("hello");
  in_system.system.push_back(ContentBlock::Text("Customer: jana.novak@gmail.com"));
  EXPECT_TRUE(engine.Decide(in_system, BothSides()).sensitive);

  ChatRequest in_tool_result = Ask("what did the tool say?");
  ContentBlock result;
  result.type = BlockType::kToolResult;
  result.tool_result_content.push_back(
      ContentBlock::Text("-----BEGIN RSA PRIVATE KEY-----\n"
                         "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
                         "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
                         "-----END RSA PRIVATE KEY-----\n"));
  in_tool_result.messages.insert(in_tool_result.messages.begin(), {Role::kUser, {result}});
  const RouteDecision decision = engine.Decide(in_tool_result, BothSides());
  EXPECT_TRUE(decision.sensitive);
  EXPECT_EQ(decision.sensitive_kinds, std::vector<std::string>{"private_key"});
}

TEST_F(PolicyEngineTest, SensitiveAndTooBigForTheLocalWindowIsAClearError) {
  const RouteDecision decision =
      Engine(TaskKind::kLongDocumentAnalysis)
          .Decide(Ask("PRIVILEGED & CONFIDENTIAL\n" + std::string(200'000, 'a')), BothSides());
  EXPECT_EQ(decision.side, RouteSide::kLocal);
  ASSERT_FALSE(decision.refusal.ok());
  EXPECT_EQ(decision.refusal.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(decision.refusal.message().find("32768-token context window"), std::string::npos)
      << decision.refusal.message();
}

TEST_F(PolicyEngineTest, StrictDeploymentsAndKeysStayLocal) {
  PolicyConfig strict;
  strict.mode = "local-only";
  RouteDecision decision =
      Engine(TaskKind::kCodeReview, strict).Decide(Ask("review my PR"), BothSides());
  EXPECT_EQ(decision.side, RouteSide::kLocal);
  EXPECT_EQ(decision.rule, "local_only_mode");

  PolicyConfig keys;
  keys.local_only_keys = {"key-legal"};
  ChatRequest request = Ask("review my PR");
  request.route_hints.client_key = "key-legal";
  EXPECT_EQ(Engine(TaskKind::kCodeReview, keys).Decide(request, BothSides()).rule,
            "local_only_key");
  request.route_hints.client_key = "key-dev";
  EXPECT_EQ(engine_->Decide(request, BothSides()).side, RouteSide::kCloud);
}

TEST_F(PolicyEngineTest, SizeRulesSendLongRequestsToClaude) {
  PolicyEngine& engine = Engine(TaskKind::kSummarization);
  // 40K tokens: over the 32K local window.
  RouteDecision too_big = engine.Decide(Ask(std::string(160'000, 'a')), BothSides());
  EXPECT_EQ(too_big.side, RouteSide::kCloud);
  EXPECT_EQ(too_big.rule, "exceeds_local_context");
  EXPECT_EQ(too_big.cloud_tier, "haiku");  // a local task in the cloud: the cheap tier

  RouteTargets big_window = BothSides();
  big_window.local_models = {{"qwen-general", 131'072}};
  RouteDecision long_context = engine.Decide(Ask(std::string(240'000, 'a')), big_window);
  EXPECT_EQ(long_context.rule, "long_context");
  EXPECT_EQ(long_context.side, RouteSide::kCloud);

  // Without a loaded model the window comes from policy.default_local_context.
  RouteTargets dry_run = BothSides();
  dry_run.local_models.clear();
  EXPECT_EQ(engine.Decide(Ask(std::string(160'000, 'a')), dry_run).rule, "task");
}

TEST_F(PolicyEngineTest, InterlockingConstraintsGoToClaude) {
  const RouteDecision decision = Engine(TaskKind::kEditing).Decide(
      Ask("Rewrite the changelog as release notes: group by component, omit internal "
          "refactors unless they change performance by more than 10%, keep breaking changes "
          "first but only for public APIs, no more than 12 bullets, and end with an upgrade "
          "note unless there are no breaking changes."),
      BothSides());
  EXPECT_EQ(decision.side, RouteSide::kCloud);
  EXPECT_EQ(decision.rule, "many_constraints");
  EXPECT_EQ(decision.task, TaskKind::kMultiConstraint);
  EXPECT_GT(decision.complexity, 0.5);
}

TEST_F(PolicyEngineTest, ExplicitModelsAreHonoured) {
  PolicyEngine& engine = Engine(TaskKind::kSummarization);
  RouteDecision cloud = engine.Decide(Ask("tl;dr", "claude-haiku-4-5"), BothSides());
  EXPECT_EQ(cloud.side, RouteSide::kCloud);
  EXPECT_EQ(cloud.rule, "explicit_model");
  EXPECT_EQ(cloud.model, "claude-haiku-4-5");
  ChatRequest forced = Ask("tl;dr");
  forced.route_hints.forced_side = "cloud";
  EXPECT_EQ(engine.Decide(forced, BothSides()).rule, "forced_side");

  // A hosted OpenAI-compatible model is not Claude: Claude being absent or
  // down does not move it.
  RouteTargets no_claude = BothSides();
  no_claude.cloud_configured = false;
  no_claude.side_of_model = [](std::string_view) { return RouteSide::kCloud; };
  const RouteDecision hosted = engine.Decide(Ask("tl;dr", "llama-3.3-70b"), no_claude);
  EXPECT_EQ(hosted.side, RouteSide::kCloud);
  EXPECT_EQ(hosted.rule, "explicit_model");
  EXPECT_EQ(hosted.model, "llama-3.3-70b");
}

// The router starts these answers before Decide reads the request
// (Router::SendWhileDeciding), so Decide must keep every one of them on the
// named local model, whatever the task, size, data, state of the cloud,
// budget or escalation and shadow settings; only what it reports differs.
TEST_F(PolicyEngineTest, ANamedLocalModelIsKeptWhateverTheRequestHolds) {
  PolicyConfig config;
  config.budget.monthly_usd = 10;
  config.shadow.enabled = true;
  config.shadow.sample_rate = 1;
  for (const bool local_only_mode : {false, true}) {
    config.mode = local_only_mode ? "local-only" : "auto";
    for (const TaskKind kind : {TaskKind::kFirstDraft, TaskKind::kCodeReview, TaskKind::kMath}) {
      PolicyEngine& engine = Engine(kind, config);
      ChatRequest polite = Ask("please review this diff", "qwen-coder");
      polite.route_hints.forced_side = "cloud";
      ChatRequest huge = Ask(std::string(200'000, 'x') + " summarise", "qwen-general");
      ChatRequest secret = Ask("mail maria.lopez@gmail.com the draft", "qwen-general");
      for (const ChatRequest& request : {polite, huge, secret}) {
        ASSERT_TRUE(engine.AnswersWithNamedLocalModel(request, BothSides()));
        const RouteDecision decision = engine.Decide(request, BothSides());
        EXPECT_EQ(decision.side, RouteSide::kLocal);
        EXPECT_EQ(decision.model, request.model);
        EXPECT_EQ(decision.rule, "explicit_model");
        EXPECT_TRUE(decision.refusal.ok());
        EXPECT_EQ(decision.escalation_model, "");
        EXPECT_EQ(decision.shadow_model, "");
        EXPECT_FALSE(decision.thinking);
        EXPECT_FALSE(decision.budget.pending());
        EXPECT_EQ(decision.task, kind);
      }
      EXPECT_TRUE(engine.Decide(secret, BothSides()).sensitive);
    }
  }
  // Not for "auto", a Claude model, or a model no backend serves.
  PolicyEngine& engine = Engine(TaskKind::kFirstDraft);
  EXPECT_FALSE(engine.AnswersWithNamedLocalModel(Ask("hi"), BothSides()));
  EXPECT_FALSE(engine.AnswersWithNamedLocalModel(Ask("hi", ""), BothSides()));
  EXPECT_FALSE(engine.AnswersWithNamedLocalModel(Ask("hi", "claude-haiku-4-5"), BothSides()));
  EXPECT_FALSE(engine.AnswersWithNamedLocalModel(Ask("hi", "gpt-oss-120b"), BothSides()));
}

TEST_F(PolicyEngineTest, RetiredClaudeModelsAreRefusedNotRouted) {
  PolicyEngine& engine = Engine(TaskKind::kSummarization);
  const Status retired =
      NotFound("model: claude-3-opus-20240229: retired; duet does not send requests to it");
  RouteDecision decision = engine.Decide(Ask("tl;dr", "claude-3-opus-20240229"), BothSides());
  EXPECT_EQ(decision.refusal, retired);
  EXPECT_FALSE(decision.budget.pending());
  // Claude being down does not turn the refusal into a local answer.
  RouteTargets down = BothSides();
  down.cloud_unavailable_reason = "circuit open after repeated failures";
  EXPECT_EQ(engine.Decide(Ask("tl;dr", "claude-3-opus-20240229"), down).refusal, retired);
  // Nor does the absence of a Claude backend hide why.
  RouteTargets no_claude = BothSides();
  no_claude.cloud_configured = false;
  no_claude.side_of_model = [](std::string_view) { return std::nullopt; };
  EXPECT_EQ(engine.Decide(Ask("tl;dr", "claude-3-5-sonnet-latest"), no_claude).refusal,
            NotFound("model: claude-3-5-sonnet-latest: retired; duet does not send "
                     "requests to it"));

  // The policy itself never chooses one: whatever the task, by the table
  // or forced to the cloud, the model it picks is current.
  for (TaskKind kind : AllTaskKinds()) {
    ChatRequest forced = Ask("x");
    forced.route_hints.forced_side = "cloud";
    for (const ChatRequest& request : {Ask("x"), forced}) {
      const RouteDecision chosen = Engine(kind).Decide(request, BothSides());
      if (chosen.side == RouteSide::kCloud) {
        const ClaudeModel* model = ClaudeCatalog::BuiltIn().Find(chosen.model);
        ASSERT_NE(model, nullptr) << chosen.model;
        EXPECT_FALSE(model->retired) << chosen.model;
      }
    }
  }
}

ChatRequest WithImage(ChatRequest request) {
  ContentBlock image;
  image.type = BlockType::kImage;
  image.image.media_type = "image/png";
  image.image.data = "iVBORw0KGgo=";
  request.messages.back().content.insert(request.messages.back().content.begin(), image);
  return request;
}

TEST_F(PolicyEngineTest, ImagesGoToALocalModelThatReadsThemElseToClaude) {
  PolicyEngine& engine = Engine(TaskKind::kSummarization);
  const ChatRequest request = WithImage(Ask("tl;dr this slide"));

  // No local model reads images: Claude, which does.
  RouteDecision blind = engine.Decide(request, BothSides());
  EXPECT_EQ(blind.side, RouteSide::kCloud);
  EXPECT_EQ(blind.rule, "local_reads_no_images");
  EXPECT_NE(blind.Explanation().find("1 image, and no local model reads images"),
            std::string::npos)
      << blind.Explanation();
  // The same words without the image stay local.
  EXPECT_EQ(engine.Decide(Ask("tl;dr this slide"), BothSides()).side, RouteSide::kLocal);

  // A local model that reads them answers, though the task's own model
  // (qwen-general) does not.
  RouteTargets seeing = BothSides();
  seeing.local_models[1].reads_images = true;
  RouteDecision local = engine.Decide(request, seeing);
  EXPECT_EQ(local.side, RouteSide::kLocal);
  EXPECT_EQ(local.rule, "task");
  EXPECT_EQ(local.model, "qwen-coder");
  // Text alone keeps the task's model.
  EXPECT_EQ(engine.Decide(Ask("tl;dr this slide"), seeing).model, "qwen-general");

  // Claude down: a local model that cannot read the images is no fallback.
  RouteTargets down = BothSides();
  down.cloud_unavailable_reason = "circuit open";
  RouteDecision stuck = engine.Decide(request, down);
  EXPECT_EQ(stuck.side, RouteSide::kCloud);
  EXPECT_NE(stuck.Explanation().find("local cannot take it either"), std::string::npos)
      << stuck.Explanation();
  seeing.cloud_unavailable_reason = "circuit open";
  EXPECT_EQ(engine.Decide(request, seeing).side, RouteSide::kLocal);
}

TEST_F(PolicyEngineTest, TheLocalWindowIsCheckedWithTheLocalModelsOwnImageCost) {
  // Four images: ~6,400 tokens at Claude's estimate, 1,024 on a model whose
  // images cost 256 each (Gemma 3's), in a 4,096-token window.
  ChatRequest request = Ask("tl;dr these slides");
  for (int i = 0; i < 4; ++i) {
    request = WithImage(std::move(request));
  }
  RouteTargets known = BothSides();
  known.local_models = {{"gemma", 4096, true, 256}};
  RouteTargets unknown = BothSides();
  unknown.local_models = {{"gemma", 4096, true, 0}};

  PolicyEngine& engine = Engine(TaskKind::kSummarization);
  RouteDecision fits = engine.Decide(request, known);
  EXPECT_EQ(fits.side, RouteSide::kLocal);
  EXPECT_EQ(fits.rule, "task");
  EXPECT_EQ(engine.Decide(request, unknown).rule, "exceeds_local_context");

  // Local-only: refused only when the estimate says it cannot fit.
  PolicyConfig keys;
  keys.local_only_keys = {"key-legal"};
  request.route_hints.client_key = "key-legal";
  PolicyEngine& strict = Engine(TaskKind::kSummarization, keys);
  EXPECT_TRUE(strict.Decide(request, known).refusal.ok());
  const Status refused = strict.Decide(request, unknown).refusal;
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("more than the local model's 4096-token context window"),
            std::string::npos)
      << refused.message();
}

TEST_F(PolicyEngineTest, LocalOnlyImagesStayLocalEvenWithoutAModelThatReadsThem) {
  PolicyConfig keys;
  keys.local_only_keys = {"key-legal"};
  ChatRequest request = WithImage(Ask("what does this contract say"));
  request.route_hints.client_key = "key-legal";
  // The local engine then refuses the images with a 400 saying why; they
  // never go to the cloud.
  RouteDecision decision = Engine(TaskKind::kSummarization, keys).Decide(request, BothSides());
  EXPECT_EQ(decision.side, RouteSide::kLocal);
  EXPECT_EQ(decision.rule, "local_only_key");
}

TEST_F(PolicyEngineTest, CloudTroubleFallsBackToLocal) {
  PolicyEngine& engine = Engine(TaskKind::kCodeReview);
  RouteTargets down = BothSides();
  down.cloud_unavailable_reason = "circuit open after repeated failures";
  EXPECT_EQ(engine.Decide(Ask("review"), down).rule, "cloud_unavailable");
  EXPECT_EQ(engine.Decide(Ask("review"), down).side, RouteSide::kLocal);

  RouteTargets limited = BothSides();
  limited.cloud_tokens_remaining = 10;
  EXPECT_EQ(engine.Decide(Ask("review"), limited).rule, "cloud_rate_limited");

  RouteTargets none = BothSides();
  none.cloud_configured = false;
  EXPECT_EQ(engine.Decide(Ask("review"), none).rule, "no_cloud");

  // x-duet-fallback: never turns the same trouble into an error.
  ChatRequest strict = Ask("review");
  strict.route_hints.allow_fallback = false;
  const RouteDecision refused = engine.Decide(strict, down);
  EXPECT_FALSE(refused.refusal.ok());
  EXPECT_EQ(refused.refusal.code(), ErrorCode::kUnavailable);
}

TEST_F(PolicyEngineTest, LocalTroubleGoesToTheCloudOnlyWhenAllowed) {
  RouteTargets no_local = BothSides();
  no_local.local_models.clear();
  no_local.local_configured = false;
  EXPECT_EQ(Engine(TaskKind::kSummarization).Decide(Ask("tl;dr"), no_local).rule,
            "local_unavailable");
  const RouteDecision sensitive =
      engine_->Decide(Ask("tl;dr: call me at +44 20 7946 0958"), no_local);
  EXPECT_EQ(sensitive.side, RouteSide::kLocal);
  EXPECT_EQ(sensitive.refusal.code(), ErrorCode::kUnavailable);

  RouteTargets busy = BothSides();
  busy.local_saturated = true;
  EXPECT_EQ(engine_->Decide(Ask("tl;dr"), busy).side, RouteSide::kLocal);
  PolicyConfig overflow;
  overflow.overflow_to_cloud = true;
  EXPECT_EQ(Engine(TaskKind::kSummarization, overflow).Decide(Ask("tl;dr"), busy).rule,
            "local_busy");
}

TEST_F(PolicyEngineTest, BudgetIsReservedAndExhaustedBudgetGoesLocal) {
  PolicyConfig config;
  config.budget.daily_usd = 0.05;
  PolicyEngine& engine = Engine(TaskKind::kCodeReview, config);
  // ~1,000 input tokens and 1,024 expected output at Sonnet's $3/$15:
  // about $0.018 each.
  const std::string prompt(4000, 'x');
  RouteDecision first = engine.Decide(Ask(prompt), BothSides());
  RouteDecision second = engine.Decide(Ask(prompt), BothSides());
  EXPECT_EQ(first.side, RouteSide::kCloud);
  EXPECT_EQ(second.side, RouteSide::kCloud);
  EXPECT_TRUE(first.budget.pending());
  EXPECT_NEAR(first.estimated_cost_usd, (1000 * 3.0 + 1024 * 15.0) / 1e6, 1e-9);
  RouteDecision third = engine.Decide(Ask(prompt), BothSides());
  EXPECT_EQ(third.side, RouteSide::kLocal);
  EXPECT_EQ(third.rule, "budget");
  // A settled answer that cost less frees room for the next request.
  first.budget.Settle(0.001);
  second.budget.Settle(0.001);
  EXPECT_EQ(engine.Decide(Ask(prompt), BothSides()).side, RouteSide::kCloud);
}

TEST_F(PolicyEngineTest, SameRequestSameStateSameDecision) {
  PolicyEngine& engine = Engine(TaskKind::kDataExtraction);
  const RouteDecision a = engine.Decide(Ask("extract the totals"), BothSides());
  const RouteDecision b = engine.Decide(Ask("extract the totals"), BothSides());
  EXPECT_EQ(a.side, b.side);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.Explanation(), b.Explanation());
}

TEST_F(PolicyEngineTest, LocalTaskAnswersAreEscalationCandidatesWhenClaudeCanTakeThem) {
  // first_draft stays local by the table; its cloud tier is Haiku.
  RouteDecision decision = Engine(TaskKind::kFirstDraft).Decide(Ask("draft a note"), BothSides());
  EXPECT_EQ(decision.side, RouteSide::kLocal);
  EXPECT_EQ(decision.escalation_model, "claude-haiku-4-5");

  PolicyConfig to_sonnet;
  to_sonnet.escalation.tier = "sonnet";
  decision = Engine(TaskKind::kFirstDraft, to_sonnet).Decide(Ask("draft a note"), BothSides());
  EXPECT_EQ(decision.escalation_model, "claude-sonnet-4-6");

  // Not a candidate: Claude down, not configured, escalation off, a task
  // not listed, sensitive data, an explicit local model, a cloud decision.
  RouteTargets down = BothSides();
  down.cloud_unavailable_reason = "circuit open";
  EXPECT_EQ(Engine(TaskKind::kFirstDraft).Decide(Ask("draft a note"), down).escalation_model,
            "");
  RouteTargets no_cloud = BothSides();
  no_cloud.cloud_configured = false;
  EXPECT_EQ(Engine(TaskKind::kFirstDraft).Decide(Ask("draft a note"), no_cloud).escalation_model,
            "");
  PolicyConfig off;
  off.escalation.enabled = false;
  EXPECT_EQ(Engine(TaskKind::kFirstDraft, off).Decide(Ask("draft a note"), BothSides())
                .escalation_model,
            "");
  PolicyConfig other;
  other.escalation.tasks = {"summarization"};
  EXPECT_EQ(Engine(TaskKind::kFirstDraft, other).Decide(Ask("draft a note"), BothSides())
                .escalation_model,
            "");
  EXPECT_EQ(Engine(TaskKind::kFirstDraft)
                .Decide(Ask("draft a note to maria.lopez@gmail.com"), BothSides())
                .escalation_model,
            "");
  EXPECT_EQ(Engine(TaskKind::kFirstDraft).Decide(Ask("draft a note", "qwen"), BothSides())
                .escalation_model,
            "");
  EXPECT_EQ(Engine(TaskKind::kCodeReview).Decide(Ask("review this"), BothSides())
                .escalation_model,
            "");
}

TEST(PolicyConfigTest, ValidationNamesTheBadKey) {
  testing::FakeClock clock;
  PolicyConfig unknown_task;
  unknown_task.tasks["poetry"] = TaskPolicy{};
  Result<std::unique_ptr<PolicyEngine>> engine = PolicyEngine::Create(unknown_task, &clock);
  ASSERT_FALSE(engine);
  EXPECT_NE(engine.error().message().find("policy.tasks.poetry"), std::string::npos);

  PolicyConfig bad_tier;
  bad_tier.tasks["code_review"].cloud_tier = "gigantic";
  engine = PolicyEngine::Create(bad_tier, &clock);
  ASSERT_FALSE(engine);
  EXPECT_NE(engine.error().message().find("code_review.cloud"), std::string::npos);

  PolicyConfig bad_pattern;
  bad_pattern.sensitive_patterns = {"(unclosed"};
  EXPECT_FALSE(PolicyEngine::Create(bad_pattern, &clock));

  // The guide's Opus is retired: the policy may not be told to choose it.
  PolicyConfig retired;
  retired.claude_models["opus"] = "claude-3-opus-latest";
  engine = PolicyEngine::Create(retired, &clock);
  ASSERT_FALSE(engine);
  EXPECT_EQ(engine.error(),
            InvalidArgument("policy.claude_models.opus: claude-3-opus-latest is retired; duet "
                            "does not send requests to it"));
}

TEST(PolicyConfigTest, TomlExpressesTheWholePolicy) {
  Config config;
  const Status status = ApplyToml(R"(
[policy]
mode = "auto"
either = "cloud"
long_context_tokens = 40000
constraint_threshold = 5
[policy.local_models]
coding = "qwen-coder"
[policy.claude_models]
opus = "claude-opus-4-8"
[policy.tasks]
code_review = { route = "cloud", cloud = "opus" }
math = { route = "local", local = "reasoning", thinking = true }
[policy.sensitive]
words = ["Project Falcon"]
local_only_keys = ["key-legal"]
[policy.budget]
monthly_usd = 50
per_key = { daily_usd = 2 }
[policy.budget.keys.key-ci]
monthly_usd = 5
[policy.escalation]
tasks = ["first_draft", "summarization"]
checks = ["empty", "json"]
truncated_budget_tokens = 300
stream_hold_ms = 1500
tier = "sonnet"
self_check = true
self_check_threshold = 7
)",
                                  "test.toml", &config);
  ASSERT_TRUE(status.ok()) << status.ToString();
  const PolicyConfig& policy = config.policy;
  EXPECT_EQ(policy.either, "cloud");
  EXPECT_EQ(policy.long_context_tokens, 40000);
  EXPECT_EQ(policy.local_models.at("coding"), "qwen-coder");
  EXPECT_EQ(policy.claude_models.at("opus"), "claude-opus-4-8");
  EXPECT_EQ(policy.tasks.at("code_review").cloud_tier, "opus");
  EXPECT_EQ(policy.tasks.at("summarization").route, "local");  // default kept
  EXPECT_EQ(policy.sensitive_words, std::vector<std::string>{"Project Falcon"});
  EXPECT_EQ(policy.budget.monthly_usd, 50);
  EXPECT_EQ(policy.key_budget.daily_usd, 2);
  EXPECT_EQ(policy.key_budgets.at("key-ci").monthly_usd, 5);
  EXPECT_EQ(policy.escalation.tasks, (std::vector<std::string>{"first_draft", "summarization"}));
  EXPECT_EQ(policy.escalation.checks, (std::vector<std::string>{"empty", "json"}));
  EXPECT_EQ(policy.escalation.truncated_budget_tokens, 300);
  EXPECT_EQ(policy.escalation.stream_hold_ms, 1500);
  EXPECT_EQ(policy.escalation.tier, "sonnet");
  EXPECT_TRUE(policy.escalation.self_check);
  EXPECT_EQ(policy.escalation.self_check_threshold, 7);

  // The printed config reads back to the same policy.
  Config again;
  ASSERT_TRUE(ApplyToml(ConfigToToml(config), "printed", &again).ok());
  EXPECT_EQ(again.policy, config.policy);

  Config bad;
  const Status wrong = ApplyToml("[policy]\neither = \"sometimes\"\n", "bad.toml", &bad);
  EXPECT_EQ(wrong.message(),
            "bad.toml: policy.either: 'sometimes' is not one of local, cloud");
  EXPECT_EQ(ApplyToml("[policy.escalation]\nhold = 1\n", "bad.toml", &bad).message(),
            "bad.toml: policy.escalation.hold: unknown key (enabled, tasks, checks, "
            "truncated_budget_tokens, stream_hold_ms, tier, self_check, self_check_threshold, "
            "min_mean_logprob)");
  EXPECT_EQ(ApplyToml("[policy.escalation]\nstream_hold_ms = -1\n", "bad.toml", &bad).message(),
            "bad.toml: policy.escalation.stream_hold_ms: expected an integer in [0, 600000]");
  EXPECT_EQ(ApplyToml("[policy.escalation]\nmin_mean_logprob = 0.5\n", "bad.toml", &bad).message(),
            "bad.toml: policy.escalation.min_mean_logprob: expected a log-probability from -100 "
            "to 0");
  Config shadow;
  ASSERT_TRUE(ApplyToml("[policy.shadow]\nenabled = true\nsample_rate = 0.25\njudge = \"haiku\"\n"
                        "[policy.polish]\nreview = true\n",
                        "good.toml", &shadow)
                  .ok());
  EXPECT_TRUE(shadow.policy.shadow.enabled);
  EXPECT_EQ(shadow.policy.shadow.sample_rate, 0.25);
  EXPECT_EQ(shadow.policy.shadow.judge, "haiku");
  EXPECT_TRUE(shadow.policy.polish.review);
  EXPECT_EQ(ApplyToml("[policy.shadow]\nsample_rate = 1.5\n", "bad.toml", &bad).message(),
            "bad.toml: policy.shadow.sample_rate: expected a number from 0 to 1");
}

TEST(PolicyConfigTest, EscalationChecksAndTierAreValidated) {
  testing::FakeClock clock;
  PolicyConfig bad_check;
  bad_check.escalation.checks = {"empty", "vibes"};
  Result<std::unique_ptr<PolicyEngine>> engine = PolicyEngine::Create(bad_check, &clock);
  ASSERT_FALSE(engine);
  EXPECT_NE(engine.error().message().find("policy.escalation.checks"), std::string::npos);
  EXPECT_NE(engine.error().message().find("vibes"), std::string::npos);

  PolicyConfig bad_tier;
  bad_tier.escalation.tier = "gigantic";
  engine = PolicyEngine::Create(bad_tier, &clock);
  ASSERT_FALSE(engine);
  EXPECT_EQ(engine.error(), InvalidArgument("policy.escalation.tier: 'gigantic' is not a "
                                            "tier of policy.claude_models"));

  PolicyConfig bad_shadow;
  bad_shadow.shadow.tier = "gigantic";
  engine = PolicyEngine::Create(bad_shadow, &clock);
  ASSERT_FALSE(engine);
  EXPECT_EQ(engine.error(), InvalidArgument("policy.shadow.tier: 'gigantic' is not a "
                                            "tier of policy.claude_models"));
  PolicyConfig bad_judge;
  bad_judge.shadow.judge = "oracle";
  engine = PolicyEngine::Create(bad_judge, &clock);
  ASSERT_FALSE(engine);
  EXPECT_EQ(engine.error(),
            InvalidArgument("policy.shadow.judge: 'oracle' is neither \"local\" nor a tier of "
                            "policy.claude_models"));
  PolicyConfig claude_judge;
  claude_judge.shadow.judge = "haiku";
  EXPECT_TRUE(PolicyEngine::Create(claude_judge, &clock).has_value());
}

}  // namespace
}  // namespace duet
