// Backend: the seam between duet's router and whatever produces an answer
// (the in-process llama.cpp engine, Claude, an OpenAI-compatible server, or a
// test's scripted backend).
//
// A backend receives a canonical ChatRequest and answers with the ChatEvent
// sequence documented in model/chat.h, delivered to an EventSink. It never
// sees wire JSON and never blocks the caller: Generate() returns at once and
// the events arrive later, from a thread the backend owns.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/cancel.h"
#include "core/status.h"
#include "model/chat.h"

namespace duet {

// Receives one request's events.
//
// Contract for producers: events for one request are delivered one at a time
// (never concurrently), in the order of model/chat.h, ending with exactly one
// terminal event (kMessageStop or kError); nothing follows it.
// Contract for implementations: OnEvent must not block for long (it runs on
// the backend's thread); it may be called from any thread. It takes the
// event by rvalue reference and may move from it: an event passes through
// several sinks on its way to the client, and each move of one copies its
// strings.
//
// An answer that failed part way can be replaced by another (a fallback)
// only while nothing of it has reached the client: a sink says so with
// CanRestart, and forgets the events it was given with Restart, after
// which another answer's events follow from their kMessageStart. Sinks
// that pass events on, or show them as they come, keep the default: no.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnEvent(ChatEvent&& event) = 0;
  virtual bool CanRestart() const { return false; }
  // REQUIRES: CanRestart(), and no terminal event was delivered.
  virtual void Restart() {}
};

// Where a backend computes its answers. The privacy rule rests on it:
// requests with sensitive data go to kLocal backends only.
enum class Locality {
  kLocal,  // this machine, or a server the user declared private
  kCloud,  // anything else
};

// A backend's readiness, cheap to read before every request.
struct BackendHealth {
  // Why it cannot take a request now ("circuit open after 3 failures",
  // "rate limited for 12 s"); "" when it can.
  std::string unavailable_reason;
  // Its queue is full: a request now would be refused or wait long.
  bool saturated = false;
  // Tokens the upstream's rate-limit window has left; -1 = unknown.
  int64_t tokens_remaining = -1;
  // Requests being answered and waiting for a turn (local engines).
  int64_t running = 0;
  int64_t queued = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // kCloud unless a backend knows better: an unmarked backend is treated
  // as one that data leaves the machine through.
  virtual Locality locality() const { return Locality::kCloud; }

  // Thread-safe and cheap.
  virtual BackendHealth Health() const { return {}; }

  // Short stable name for logs and the ledger ("llama", "anthropic"...).
  virtual std::string_view name() const = 0;

  // The models this backend answers for. Thread-safe.
  virtual std::vector<ModelInfo> ListModels() const = 0;

  // True when `model` names one of this backend's models, by id or by an
  // alias the backend knows. Thread-safe.
  virtual bool Serves(std::string_view model) const {
    for (const ModelInfo& info : ListModels()) {
      if (info.id == model) {
        return true;
      }
    }
    return false;
  }

  // Input tokens `request` would use, as this backend counts them.
  // Returns kNotFound for a model it does not serve. Thread-safe.
  virtual Result<int64_t> CountTokens(const ChatRequest& request) = 0;

  // Starts answering `request` and returns without waiting. Events go to
  // `sink`, which the backend keeps alive until it has delivered the
  // terminal event. Request problems the backend finds (unknown model,
  // prompt too long) come back as a first and only kError event, so the api
  // layer can still answer with a proper HTTP error status. When `cancel` is
  // set the backend stops soon and ends with kError(kCancelled).
  // Thread-safe: may be called concurrently for different requests.
  virtual void Generate(ChatRequest request, std::shared_ptr<EventSink> sink,
                        std::shared_ptr<const CancelFlag> cancel) = 0;
};

}  // namespace duet
