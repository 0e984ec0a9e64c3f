// The sink every routed answer passes through on its way to the client,
// and what it needs: the route note made from a decision, and the budget
// settlement of a cloud answer.
//
// RoutingSink stamps the RouteNote on kMessageStart (and on an error, so a
// refused or failed answer still says who and why), settles the budget
// reservation when the answer ends, and, when armed, replaces an eligible
// error (Router::IsFallbackEligible) with the fallback backend's answer to
// the same request: an error that is the first event, or a later one while
// the client has been sent nothing (EventSink::CanRestart: a client that
// waits for the whole answer, when the upstream's stream fails part way).
// A replaced answer's budget reservation is released, as the ledger
// records only the answer the client got.
//
// Thread safety: follows the EventSink contract (one event at a time).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

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
// ends and, when armed, replaces an eligible error the client has not been
// sent anything before with the fallback backend's answer.
class RoutingSink final : public EventSink {
 public:
  RoutingSink(std::shared_ptr<EventSink> client, RouteNote note,
              std::optional<Settlement> settlement)
      : client_(std::move(client)),
        note_(std::move(note)),
        settlement_(std::move(settlement)) {}

  // Arms the fallback: `request` goes to `fallback` (model already set)
  // on an eligible error, as above. The copy is freed once the client has
  // been sent something (at once for a streaming client).
  void ArmFallback(Backend* fallback, ChatRequest request,
                   std::shared_ptr<const CancelFlag> cancel) {
    fallback_ = fallback;
    fallback_request_ = std::move(request);
    cancel_ = std::move(cancel);
  }

  void OnEvent(ChatEvent&& event) override;

 private:
  // Sends the request to the fallback, its events to the client. `when`
  // says in the log at which point `error` came.
  void FallBack(const Status& error, std::string_view when);

  std::shared_ptr<EventSink> client_;
  const RouteNote note_;
  std::optional<Settlement> settlement_;
  Backend* fallback_ = nullptr;
  std::optional<ChatRequest> fallback_request_;
  std::shared_ptr<const CancelFlag> cancel_;
  bool started_ = false;
};

}  // namespace duet
