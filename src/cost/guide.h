// The guide's cost figures (policy.md §3 and §4) as planner inputs: the
// Claude models it priced its tiers at, its four usage scenarios and the
// hardware its break-even claims name. `duet plan` with no usage prints
// these scenarios; the tests check the planner reproduces the guide's
// dollar figures from them.
//
// Every usage is computed from the guide's own wording (queries a day or
// a month times tokens a query); no monthly total is typed in except
// where the guide gives tokens directly (heavy usage).
//
// Thread safety: the returned objects are immutable statics.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cost/planner.h"

namespace duet {

// A named month of usage: one of the guide's scenarios, or any other
// (the user's flags, a month of the ledger) with the guide fields empty.
struct UsageScenario {
  std::string name;  // "2. developer daily driver", "your usage"
  // How the usage was given: "~500 queries/day × ~1,000 tokens"; "" when
  // only as monthly tokens.
  std::string usage_text;
  MonthlyUsage usage;
  // The guide's own local estimate, an estimate rather than a computation
  // ("~$15 electricity"); "" when it gives none.
  std::string guide_local_text;
  // The electricity part of that estimate, USD a month (low, high).
  std::optional<double> guide_electricity_low_usd;
  std::optional<double> guide_electricity_high_usd;
};

// tier -> the model the guide priced it at: Claude 3.5 Haiku, Claude 3.5
// Sonnet, Claude 3 Opus (all retired; their prices are in the catalogue).
const std::map<std::string, std::string>& GuideClaudeModels();

// Heavy usage, then scenarios 1-3 (light personal, developer daily
// driver, production app), in the guide's order.
const std::vector<UsageScenario>& UsageScenarios();

// The hardware of the guide's break-even claims: a GPU bought for the
// purpose ($600 and $1,000, the ends of its range) and a $3,000 server
// with two RTX 3090s.
const std::vector<HardwareOption>& GuideHardware();

}  // namespace duet
