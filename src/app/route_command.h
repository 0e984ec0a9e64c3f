// `duet route`: the router's decision for prompts or requests, without a
// model file or a network — the same PolicyEngine::Decide the server runs,
// over the backends the configuration describes (Claude counts as
// configured, so the policy's choices show even without a key).
//
//   duet route "some prompt"          a human-readable explanation
//   duet route --jsonl FILE | -       one JSON object in, one out, per line
//
// Input lines: {"id": ..., "prompt": "..."} (a single user message) or
// {"id": ..., "system": ..., "messages": [...]} (an Anthropic-style
// request; model and max_tokens optional). "pad_chars": N appends N
// characters of document text to the prompt (for size rules). Output lines:
// {"id", "side", "backend", "model", "domain", "task", "sensitive",
//  "reasons", "rule", "confidence", "tokens", "sensitive_kinds"}, or
// {"id", "error"} for a line that cannot be read.
//
// Thread safety: call from main only.
#pragma once

#include <iosfwd>
#include <string>

#include "core/config.h"

namespace duet {

struct RouteCommandOptions {
  std::string jsonl_path;  // "-" = stdin; "" = explain `prompt`
  std::string prompt;
};

// Returns the exit code: 0, 1 when the input cannot be opened, 2 for an
// unreadable Claude catalogue (anthropic.catalog_file) or
// invalid policy.
int RunRouteCommand(const Config& config, const RouteCommandOptions& options,
                    std::istream& in, std::ostream& out);

}  // namespace duet
