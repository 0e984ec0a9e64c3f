// `duet demo`: the whole idea in one command (docs/demo.md).
//
// Starts the gateway with the demo's defaults — its ledger in a fresh
// temporary folder; the local side on a configured model, else one found
// on this machine (`duet models`), else a generated tiny model whose
// answers are noise; Claude through ANTHROPIC_API_KEY when it is set,
// else through the built-in Claude simulator — and says plainly which of
// these it is using. Then it sends a mixed workload (demo_workload.h)
// through the real HTTP API, showing each request's routing decision as
// it is made; prints the rules that fired and the cost report (`duet
// report` on the demo's ledger: what the workload cost against all-Haiku,
// all-Sonnet and all-Opus); and leaves the gateway serving, with the
// settings that point the OpenAI SDK, the Anthropic SDK, Claude Code and
// curl at it, until Ctrl-C.
#pragma once

#include <iosfwd>

#include "core/config.h"

namespace duet {

struct DemoOptions {
  bool exit_after_report = false;  // --exit: stop after the report
  bool keep_ledger = false;        // --keep: leave the demo folder behind
};

// Returns the process exit code: 0, or 1 when the gateway cannot start.
int RunDemo(Config config, const DemoOptions& options, std::ostream& out);

}  // namespace duet
