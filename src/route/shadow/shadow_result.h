// ShadowResult: what one shadow evaluation found ([policy.shadow]).
//
// A locally answered request was also put to Claude after the client had
// its answer, and a judge compared the two. The router hands each result
// to the ShadowReporter it was given; the server's reporter writes it to
// the ledger's `shadow` table (docs/ledger.md). No prompt or answer text
// is ever part of a result.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "model/chat.h"

namespace duet {

struct ShadowResult {
  std::string request_id;  // the locally answered request (the ledger's id)
  int64_t finished_unix_ms = 0;
  std::string task;         // as RouteNote::task: "writing/first_draft"
  std::string local_model;  // the model whose answer was judged
  std::string claude_model;
  Usage claude_usage;
  // Claude's answer and, when the judge is a Claude model, the judge's
  // call, at list prices (0 for what failed before being billed).
  double cost_usd = 0;
  std::string judge;  // the judging model: the local model or a Claude model
  // "same" or "different" (the judge's word), "unsure" (the judge answered
  // neither), "failed" (Claude or the judge failed: see `detail`).
  std::string verdict;
  std::string detail;  // for "failed": which step and why (no content)
};

// Receives every finished evaluation, on any thread; must not block.
using ShadowReporter = std::function<void(ShadowResult)>;

}  // namespace duet
