// The router's escalation and polish wiring (see router.h): the local
// answer held back and checked, Claude's answer instead when a check
// fails, and the polish workflow's draft, improvement and review.
#include <algorithm>
#include <cstdlib>
#include <functional>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "backend/answer_collector.h"
#include "route/answer_text.h"
#include "route/escalation/escalation_sink.h"
#include "route/escalation/polish_review.h"
#include "route/escalation/review_sink.h"
#include "route/router.h"
#include "route/routing_sink.h"

namespace duet {
namespace {

// The local model's grade of its own answer (self-verification) as a
// verdict: a failure under `threshold`. No grade (an error, or no number
// in the reply) is no verdict: the other checks already passed.
std::optional<CheckFailure> GradeVerdict(const Result<ChatResponse>& reply, int64_t threshold) {
  if (!reply) {
    return std::nullopt;
  }
  const std::string text = TextOf(*reply);
  const size_t digit = text.find_first_of("0123456789");
  if (digit == std::string::npos) {
    return std::nullopt;
  }
  const int64_t grade = std::min<int64_t>(10, std::atoll(text.c_str() + digit));
  if (grade >= threshold) {
    return std::nullopt;
  }
  return CheckFailure{"self_check",
                      fmt::format("the local model graded its own answer {}/10, under "
                                  "policy.escalation.self_check_threshold ({})",
                                  grade, threshold)};
}

// The question the local model grades its answer against.
ChatRequest SelfCheckRequest(const ChatRequest& original, const ChatResponse& answer,
                             const std::string& model) {
  const std::string text = TextOf(answer);
  ChatRequest check;
  check.model = model;
  check.max_tokens = 8;
  check.sampling.temperature = 0.0;
  check.system = {ContentBlock::Text(
      "You grade answers. Reply with one integer from 0 (useless or wrong) to 10 (correct "
      "and complete), nothing else.")};
  check.messages.push_back(
      {Role::kUser,
       {ContentBlock::Text("Question:\n" + LastUserText(original) + "\n\nAnswer:\n" + text +
                           "\n\nGrade the answer from 0 to 10.")}});
  return check;
}

}  // namespace

std::shared_ptr<EventSink> Router::WithEscalation(Backend* backend, const ChatRequest& request,
                                                 std::shared_ptr<EventSink> sink,
                                                 const std::shared_ptr<const CancelFlag>& cancel,
                                                 const RouteDecision& decision) const {
  if (decision.escalation_model.empty() || backend->locality() != Locality::kLocal ||
      decision.local_only) {
    return sink;
  }
  Result<Backend*> cloud = Resolve(decision.escalation_model);
  if (!cloud || (*cloud)->locality() != Locality::kCloud) {
    return sink;
  }
  const EscalationConfig& config = options_.policy->config().escalation;
  const bool polish = decision.workflow == "polish";
  auto shared_request = std::make_shared<const ChatRequest>(request);
  RouteNote base = NoteFor(decision);
  base.side = "cloud";
  base.backend = std::string((*cloud)->name());
  base.local = false;
  base.workflow = decision.workflow;
  EscalationSink::Escalate escalate =
      [this, cloud_backend = *cloud, local_backend = backend, model = decision.escalation_model,
       shared_request, sink, cancel, base,
       polish_review = polish && options_.policy->config().polish.review,
       truncated_budget_tokens = config.truncated_budget_tokens](const CheckFailure& failure, const LocalAttempt& attempt,
                     std::vector<ChatEvent> local_answer) {
        if ((cancel && cancel->cancelled()) ||
            !cloud_backend->Health().unavailable_reason.empty()) {
          return false;
        }
        const Usage estimate{.input_tokens = attempt.usage.prompt_tokens(),
                             .output_tokens = std::max<int64_t>(
                                 attempt.usage.output_tokens,
                                 options_.policy->config().expected_output_tokens)};
        Result<BudgetReservation> reservation = options_.policy->budget().Reserve(
            shared_request->route_hints.client_key, options_.policy->CloudCost(model, estimate));
        if (!reservation) {
          spdlog::info("escalation skipped: {}", reservation.error().message());
          return false;
        }
        RouteNote note = base;
        note.escalation = failure.check;
        note.escalation_reason = failure.explanation;
        note.local_attempt_model = attempt.model;
        note.local_attempt_usage = attempt.usage;
        note.local_attempt_seconds = attempt.seconds;
        spdlog::info("{} to {}: {} ({})", base.workflow.empty() ? "escalating" : "polishing",
                     model, failure.check, failure.explanation);
        ChatRequest escalated = base.workflow == "polish"
                                    ? PolishRequest(*shared_request, attempt.text)
                                    : *shared_request;
        escalated.model = model;
        std::shared_ptr<EventSink> client = sink;
        if (polish_review) {
          client = std::make_shared<ReviewSink>(
              std::move(client),
              [local_backend, shared_request, draft = attempt.text, cancel](
                  const ChatResponse& polished, std::function<void(ReviewVerdict)> done) {
                local_backend->Generate(
                    ReviewRequest(*shared_request, draft, polished, shared_request->model),
                    std::make_shared<AnswerCollector>(
                        [done = std::move(done)](Result<ChatResponse> reply) {
                          done(reply ? ParseReview(TextOf(*reply))
                                     : ReviewVerdict{"failed", "review: " +
                                                                   reply.error().ToString()});
                        }),
                    cancel);
              });
        }
        // What escalation changed: Claude's answer held to the check the
        // local one failed (not measurable for self_check and polish).
        std::optional<AnswerCheckOptions> recheck;
        if (!polish_review && base.workflow.empty() && failure.check != "self_check") {
          recheck = AnswerCheckOptions{.checks = {failure.check},
                                       .truncated_budget_tokens = truncated_budget_tokens};
        }
        auto routing = std::make_shared<RoutingSink>(
            std::make_shared<KeepLocalAnswerSink>(std::move(client), std::move(local_answer),
                                                  shared_request, std::move(recheck)),
            std::move(note),
            Settlement{.policy = options_.policy,
                       .reservation = std::move(*reservation),
                       .model = model,
                       .usage = std::nullopt});
        cloud_backend->Generate(std::move(escalated), std::move(routing), cancel);
        return true;
      };
  EscalationSink::Options options;
  options.always_escalate = polish;
  if (config.self_check && !polish) {
    options.self_check = [backend, shared_request, cancel,
                          threshold = config.self_check_threshold](
                             const ChatResponse& answer,
                             std::function<void(std::optional<CheckFailure>)> done) {
      backend->Generate(SelfCheckRequest(*shared_request, answer, shared_request->model),
                        std::make_shared<AnswerCollector>(
                            [threshold, done = std::move(done)](Result<ChatResponse> reply) {
                              done(GradeVerdict(reply, threshold));
                            }),
                        cancel);
    };
  }
  options.checks.checks = config.checks;
  options.checks.truncated_budget_tokens = config.truncated_budget_tokens;
  options.checks.min_mean_logprob = config.min_mean_logprob;
  options.stream = request.stream;
  options.stream_hold = std::chrono::milliseconds(config.stream_hold_ms);
  return std::make_shared<EscalationSink>(std::move(sink), std::move(shared_request),
                                          std::move(options), std::move(escalate));
}

void Router::ApplyPolish(RouteDecision* decision) const {
  const PolicyConfig& config = options_.policy->config();
  const auto model = config.claude_models.find(config.polish.tier);
  const Result<Backend*> cloud =
      model == config.claude_models.end() ? Result<Backend*>(Error(NotFound("no polish tier")))
                                          : Resolve(model->second);
  std::string skipped;
  if (!decision->refusal.ok()) {
    return;
  }
  if (decision->local_only) {
    skipped = "polish skipped: the request stays local";
  } else if (decision->rule == "exceeds_local_context") {
    skipped = "polish skipped: the request does not fit the local model's window";
  } else if (decision->rule == "local_reads_no_images") {
    skipped = "polish skipped: no local model reads the request's images";
  } else if (local_backend_ == nullptr) {
    skipped = "polish skipped: no local model to draft with";
  } else if (!cloud || (*cloud)->locality() != Locality::kCloud ||
             !(*cloud)->Health().unavailable_reason.empty()) {
    skipped = "polish skipped: Claude is not available";
  }
  if (!skipped.empty()) {
    decision->reasons.push_back(skipped);
    return;
  }
  decision->budget.Release();  // the polishing call reserves its own
  const bool drafted_locally = decision->side == RouteSide::kLocal;
  decision->side = RouteSide::kLocal;
  decision->model = drafted_locally ? decision->model : "";
  decision->rule = "polish";
  decision->reasons.insert(decision->reasons.begin(),
                           "duet/polish: a local draft, improved by " + model->second);
  decision->workflow = "polish";
  decision->escalation_model = model->second;
  decision->shadow_model.clear();  // Claude answers anyway
}

}  // namespace duet
