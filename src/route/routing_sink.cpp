#include "route/routing_sink.h"

#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "route/router.h"

namespace duet {

RouteNote NoteFor(const RouteDecision& decision) {
  RouteNote note;
  note.side = std::string(RouteSideName(decision.side));
  note.task = std::string(TaskDomainName(decision.task)) + "/" +
              std::string(TaskKindName(decision.task));
  note.rule = decision.rule;
  note.explanation = decision.Explanation();
  note.sensitive = decision.sensitive;
  return note;
}

void RoutingSink::FallBack(const Status& error, std::string_view when) {
  spdlog::info("{} failed {} ({}); answering from {}", note_.backend, when,
               error.ToString(), fallback_->name());
  if (settlement_) {
    // Nothing was delivered, and the ledger records only the fallback's
    // answer: the budget counts the same.
    settlement_->reservation.Release();
  }
  RouteNote next_note = note_;
  next_note.backend = std::string(fallback_->name());
  next_note.local = fallback_->locality() == Locality::kLocal;
  next_note.fallback_reason = note_.backend + ": " + error.message();
  if (!next_note.side.empty()) {
    next_note.side = "local";
  }
  auto next =
      std::make_shared<RoutingSink>(std::move(client_), std::move(next_note), std::nullopt);
  fallback_->Generate(std::move(*fallback_request_), std::move(next), std::move(cancel_));
}

void RoutingSink::OnEvent(ChatEvent&& event) {
  const bool first = !started_;
  started_ = true;
  if (event.kind == ChatEvent::Kind::kError && fallback_request_ &&
      Router::IsFallbackEligible(event.error.code()) &&
      !(cancel_ && cancel_->cancelled())) {
    if (first) {
      FallBack(event.error, "before answering");
      return;
    }
    // A client that has been sent nothing yet (one that waits for the
    // whole answer) can still get the fallback's answer instead.
    if (client_->CanRestart()) {
      client_->Restart();
      FallBack(event.error, "part way through an answer the client had not been sent");
      return;
    }
  }
  if (event.kind == ChatEvent::Kind::kError) {
    event.mutable_route() = note_;  // a refused or failed answer still says who and why
  }
  if (event.kind == ChatEvent::Kind::kMessageStart) {
    RouteNote& route = event.mutable_route();
    std::string fallback_reason = std::move(route.fallback_reason);
    route = note_;
    if (route.fallback_reason.empty()) {
      route.fallback_reason = std::move(fallback_reason);
    }
  }
  if (settlement_) {
    if (event.kind == ChatEvent::Kind::kMessageStart ||
        event.kind == ChatEvent::Kind::kMessageDelta) {
      settlement_->usage = event.usage;
    }
    if (event.terminal()) {
      settlement_->Finish();
      settlement_.reset();
    }
  }
  client_->OnEvent(std::move(event));
  if (fallback_request_ && !client_->CanRestart()) {
    fallback_request_.reset();  // the client has been sent something: free the copy
  }
}

}  // namespace duet
