#include "route/shadow/shadow_evaluator.h"

#include <algorithm>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>

#include "backend/answer_collector.h"
#include "model/accumulator.h"
#include "route/budget/budget_tracker.h"
#include "route/shadow/shadow_judge.h"

namespace duet {
namespace {

// Output assumed for Claude's answer when estimating, at least: local
// answers are often shorter than Claude's.
constexpr int64_t kMinEstimatedOutputTokens = 256;

// The shadow's own cap: [policy.shadow] monthly_usd, overall.
BudgetOptions CapOptions(const ShadowConfig& config) {
  BudgetOptions options;
  options.overall.monthly_usd = config.monthly_usd;
  return options;
}

}  // namespace

struct ShadowEvaluator::State : std::enable_shared_from_this<ShadowEvaluator::State> {
  State(std::shared_ptr<PolicyEngine> policy_engine, std::shared_ptr<Backend> cloud_backend,
        Options evaluator_options)
      : policy(std::move(policy_engine)),
        cloud(std::move(cloud_backend)),
        options(std::move(evaluator_options)),
        config(policy->config().shadow),
        cap(CapOptions(config), policy->clock()) {
    cap.RecordSpend("", options.spent_this_month_usd, policy->clock()->NowUnixSeconds());
    if (config.judge != "local") {
      judge_model = policy->config().claude_models.at(config.judge);
    }
  }

  // One answer whose evaluation may start (see Start).
  struct Evaluation {
    std::shared_ptr<State> state;  // first: outlives the reservations below
    ChatRequest request;
    std::shared_ptr<Backend> local;
    std::string shadow_model;
    ChatResponse local_answer;
    Usage local_usage;
    ShadowResult result;
    BudgetReservation cap_reservation;
    BudgetReservation budget_reservation;
  };

  // Sampling at Tap(): whether this eligible answer is picked.
  bool Pick() {
    std::lock_guard lock(mutex);
    ++stats.eligible;
    if (shut_down) {
      return false;
    }
    // A tiny epsilon so that, say, ten additions of 0.1 reach 1.
    credit += config.sample_rate;
    if (credit + 1e-9 < 1) {
      return false;
    }
    credit = std::max(0.0, credit - 1);
    return true;
  }

  void NotAnswered() {
    std::lock_guard lock(mutex);
    ++stats.skipped_unanswered;
  }

  // Starts `evaluation` unless too many run or its estimate does not fit
  // a cap.
  void Start(std::shared_ptr<Evaluation> evaluation) {
    const Usage& local = evaluation->local_usage;
    const Usage claude_estimate{
        .input_tokens = local.prompt_tokens(),
        .output_tokens = std::max(local.output_tokens, kMinEstimatedOutputTokens)};
    double estimate = policy->CloudCost(evaluation->shadow_model, claude_estimate);
    if (!judge_model.empty()) {
      estimate += policy->CloudCost(
          judge_model, Usage{.input_tokens = local.prompt_tokens() + local.output_tokens +
                                             claude_estimate.output_tokens,
                             .output_tokens = 8});
    }
    {
      std::lock_guard lock(mutex);
      if (shut_down) {
        return;
      }
      if (in_flight >= config.max_in_flight) {
        ++stats.skipped_busy;
        spdlog::debug("shadow: skipped, {} evaluations running", in_flight);
        return;
      }
      Result<BudgetReservation> capped = cap.Reserve("", estimate);
      Result<BudgetReservation> budgeted =
          capped ? policy->budget().Reserve(ShadowEvaluator::kBudgetKey, estimate)
                 : Result<BudgetReservation>(Error(capped.error()));
      if (!budgeted) {
        ++stats.skipped_budget;
        spdlog::debug("shadow: skipped: {}", budgeted.error().message());
        return;
      }
      evaluation->cap_reservation = std::move(*capped);
      evaluation->budget_reservation = std::move(*budgeted);
      ++in_flight;
      ++stats.started;
    }
    ChatRequest shadow = evaluation->request;
    shadow.model = evaluation->shadow_model;
    shadow.stream = false;
    shadow.stream_include_usage = false;
    shadow.route_hints = RouteHints();
    Backend* cloud_backend = cloud.get();
    cloud_backend->Generate(
        std::move(shadow),
        std::make_shared<AnswerCollector>([self = shared_from_this(), evaluation](
                                         Result<ChatResponse> answer) mutable {
          self->OnClaudeAnswer(std::move(evaluation), std::move(answer));
        }),
        cancel);
  }

  void OnClaudeAnswer(std::shared_ptr<Evaluation> evaluation, Result<ChatResponse> answer) {
    if (cancel->cancelled()) {
      Abandon(*evaluation);
      return;
    }
    if (!answer) {
      Finish(*evaluation, "failed", "claude: " + answer.error().ToString());
      return;
    }
    evaluation->result.claude_usage = answer->usage;
    evaluation->result.cost_usd = policy->CloudCost(evaluation->shadow_model, answer->usage);
    const bool local_judge = judge_model.empty();
    Backend* judge = local_judge ? evaluation->local.get() : cloud.get();
    evaluation->result.judge = local_judge ? evaluation->request.model : judge_model;
    ChatRequest question = JudgeRequest(evaluation->request, evaluation->local_answer, *answer,
                                        evaluation->result.judge);
    judge->Generate(std::move(question),
                    std::make_shared<AnswerCollector>([self = shared_from_this(), evaluation](
                                                     Result<ChatResponse> reply) mutable {
                      self->OnJudgeReply(std::move(evaluation), std::move(reply));
                    }),
                    cancel);
  }

  void OnJudgeReply(std::shared_ptr<Evaluation> evaluation, Result<ChatResponse> reply) {
    if (cancel->cancelled()) {
      Abandon(*evaluation);
      return;
    }
    if (!reply) {
      Finish(*evaluation, "failed", "judge: " + reply.error().ToString());
      return;
    }
    if (!judge_model.empty()) {
      evaluation->result.cost_usd += policy->CloudCost(judge_model, reply->usage);
    }
    Finish(*evaluation, ParseVerdict(TextOf(*reply)), "");
  }

  void Finish(Evaluation& evaluation, std::string verdict, std::string detail) {
    ShadowResult& result = evaluation.result;
    result.verdict = std::move(verdict);
    result.detail = std::move(detail);
    result.finished_unix_ms = policy->clock()->NowUnixMillis();
    evaluation.cap_reservation.Settle(result.cost_usd);
    evaluation.budget_reservation.Settle(result.cost_usd);
    {
      std::lock_guard lock(mutex);
      --in_flight;
      ++stats.finished;
    }
    spdlog::info("shadow: {} {} vs {}: {}{}{} (${:.6f})", result.task, result.local_model,
                 result.claude_model, result.verdict, result.detail.empty() ? "" : ": ",
                 result.detail, result.cost_usd);
    if (options.reporter) {
      options.reporter(std::move(result));
    }
  }

  // A cancelled evaluation (shutdown): nothing to report; what Claude
  // billed before the cancel is unknown, so the reservations are released.
  void Abandon(Evaluation& evaluation) {
    evaluation.cap_reservation.Release();
    evaluation.budget_reservation.Release();
    std::lock_guard lock(mutex);
    --in_flight;
  }

  const std::shared_ptr<PolicyEngine> policy;
  const std::shared_ptr<Backend> cloud;
  const Options options;
  const ShadowConfig config;
  std::string judge_model;  // "" = the local model judges
  BudgetTracker cap;        // the shadow's own monthly cap
  const std::shared_ptr<CancelFlag> cancel = std::make_shared<CancelFlag>();

  mutable std::mutex mutex;
  double credit = 0;  // sampling: picks when it reaches 1
  int64_t in_flight = 0;
  bool shut_down = false;
  Stats stats;
};

namespace {

// Passes a local answer through to the client untouched, and starts its
// shadow evaluation once it has ended complete and local.
class ShadowTapSink final : public EventSink {
 public:
  ShadowTapSink(std::shared_ptr<EventSink> client,
                std::shared_ptr<ShadowEvaluator::State> state,
                std::shared_ptr<ShadowEvaluator::State::Evaluation> evaluation)
      : client_(std::move(client)), state_(std::move(state)), evaluation_(std::move(evaluation)) {}

  ~ShadowTapSink() override {
    if (evaluation_ != nullptr) {
      state_->NotAnswered();
    }
  }

  void OnEvent(ChatEvent&& event) override {
    if (evaluation_ == nullptr) {
      client_->OnEvent(std::move(event));
      return;
    }
    if (event.kind == ChatEvent::Kind::kMessageStart) {
      local_ = event.route().local;
      evaluation_->result.local_model = event.model;
      evaluation_->result.task = event.route().task;
    }
    const bool added = answer_.Add(event).ok();
    const bool complete = answer_.complete();
    client_->OnEvent(std::move(event));  // the client first: this is off its path
    if (!added) {
      state_->NotAnswered();
      evaluation_.reset();
    } else if (complete) {
      std::shared_ptr<ShadowEvaluator::State::Evaluation> evaluation = std::move(evaluation_);
      if (!local_) {  // escalated to Claude, or answered by a cloud fallback
        state_->NotAnswered();
        return;
      }
      evaluation->local_answer = answer_.TakeResponse();
      evaluation->local_usage = evaluation->local_answer.usage;
      state_->Start(std::move(evaluation));
    }
  }

 private:
  std::shared_ptr<EventSink> client_;
  std::shared_ptr<ShadowEvaluator::State> state_;
  std::shared_ptr<ShadowEvaluator::State::Evaluation> evaluation_;  // null once decided
  ResponseAccumulator answer_;
  bool local_ = false;
};

}  // namespace

ShadowEvaluator::ShadowEvaluator(std::shared_ptr<PolicyEngine> policy,
                                 std::shared_ptr<Backend> cloud, Options options)
    : state_(std::make_shared<State>(std::move(policy), std::move(cloud), std::move(options))) {}

ShadowEvaluator::~ShadowEvaluator() { Shutdown(); }

std::shared_ptr<EventSink> ShadowEvaluator::Tap(std::shared_ptr<EventSink> client,
                                                const ChatRequest& request,
                                                const RouteDecision& decision,
                                                std::shared_ptr<Backend> local) {
  if (decision.shadow_model.empty() || decision.local_only || decision.sensitive ||
      local == nullptr || local->locality() != Locality::kLocal || !state_->Pick()) {
    return client;
  }
  auto evaluation = std::make_shared<State::Evaluation>();
  evaluation->state = state_;
  evaluation->request = request;
  if (decision.thinking_added) {
    evaluation->request.thinking.reset();  // the local engine's mode, not the client's ask
  }
  evaluation->local = std::move(local);
  evaluation->shadow_model = decision.shadow_model;
  evaluation->result.request_id = request.route_hints.request_id;
  evaluation->result.claude_model = decision.shadow_model;
  return std::make_shared<ShadowTapSink>(std::move(client), state_, std::move(evaluation));
}

void ShadowEvaluator::Shutdown() {
  std::lock_guard lock(state_->mutex);
  state_->shut_down = true;
  state_->cancel->Cancel();
}

ShadowEvaluator::Stats ShadowEvaluator::stats() const {
  std::lock_guard lock(state_->mutex);
  return state_->stats;
}

}  // namespace duet
