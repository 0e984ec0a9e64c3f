// The requests `duet demo` sends: a realistic mixed workload that shows
// every rule of the policy at work (docs/demo.md).
//
//   tasks      one request per task kind of the guide's table (policy.md
//              §2), in plain English: the local kinds stay local, the hard
//              ones (code review, complex debugging, long-form writing...)
//              go to Claude
//   sensitive  personal data, a card number, a medical note: local always
//   long       a ~55,000-token annual report: over the long-context line
//   burst      cloud-bound requests while Claude answers 429: answered
//              locally, and the rate-limit state keeps the next ones local
//   outage     cloud-bound requests while Claude is unreachable: answered
//              locally, then the circuit breaker stops trying
//
// The burst and the outage are staged with the Claude simulator; against
// the real API they are left out (DemoWorkload's `staged_faults`).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace duet {

struct DemoRequest {
  enum class Phase { kTasks, kSensitive, kLongDocument, kBurst, kOutage };
  Phase phase = Phase::kTasks;
  std::string label;   // what the display shows ("code review")
  bool openai = false;  // sent to /v1/chat/completions (else /v1/messages)
  std::string prompt;
  int max_tokens = 200;
};

// The workload, in sending order. `staged_faults`: include the burst and
// the outage (the simulator can stage them).
std::vector<DemoRequest> DemoWorkload(bool staged_faults);

// "tasks", "sensitive", "long document", "rate-limit burst", "outage".
std::string DemoPhaseName(DemoRequest::Phase phase);

}  // namespace duet
