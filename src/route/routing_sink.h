// The sink every routed answer passes through on its way to the client,
// and what it needs: the route note made from a decision, and the budget
// settlement of a cloud answer.
//
// RoutingSink stamps the RouteNote on kMessageStart (and on an error, so a
// refused or failed answer still says who and why), settles the budget
// reservation when the answer ends, and, when armed, replaces a first
// eligible error (Router::IsFallbackEligible) with the fallback backend's
// answer to the same request.
//
// Thread safety: follows the EventSink contract (one event at a time).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "backend/backend.h"
#include "route/policy/policy_engine.h"

namespace duet {

// The note a decision's answer carries (side, task, rule, explanation,
// sensitive); the router adds the backend.
RouteNote NoteFor(const RouteDecision& decision);

// A cloud answer's budget reservation, settled from the answer's usage.
struct Settlement {
  std::shared_ptr<PolicyEngine> policy;
  BudgetReservation reservation;
  std::string model;
  std::optional<Usage> usage;

  void Finish() {
    if (usage) {
      reservation.Settle(policy->CloudCost(model, *usage));
    } else {
      reservation.Release();
    }
  }
};

// Stamps the route on kMessageStart, settles the budget when the answer
// ends and, when armed, replaces a first eligible error with the fallback
// backend's answer.
class RoutingSink final : public EventSink {
 public:
  RoutingSink(std::shared_ptr<EventSink> client, RouteNote note,
              std::optional<Settlement> settlement)
      : client_(std::move(client)),
        note_(std::move(note)),
        settlement_(std::move(settlement)) {}

  // Arms the fallback: `request` goes to `fallback` (model already set)
  // if the first event is an eligible error.
  void ArmFallback(Backend* fallback, ChatRequest request,
                   std::shared_ptr<const CancelFlag> cancel) {
    fallback_ = fallback;
    fallback_request_ = std::move(request);
    cancel_ = std::move(cancel);
  }

  void OnEvent(ChatEvent&& event) override;

 private:
  std::shared_ptr<EventSink> client_;
  const RouteNote note_;
  std::optional<Settlement> settlement_;
  Backend* fallback_ = nullptr;
  std::optional<ChatRequest> fallback_request_;
  std::shared_ptr<const CancelFlag> cancel_;
  bool started_ = false;
};

}  // namespace duet
