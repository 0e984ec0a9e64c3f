// How `duet plan` shows a plan: aligned text tables for people, ordered
// JSON for scripts. Both print the same figures; money is rounded only
// for people (FormatUsd), JSON keeps it to the millionth of a dollar.
//
// Text, per usage: the Claude tiers at the guide's and today's prices
// (and batched) with the savings of running locally or on hosted open
// models, the local cost beside the guide's own estimate, hosted open
// models, priced upstreams, and the break-even of each piece of hardware.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <iosfwd>
#include <vector>

#include "cost/guide.h"
#include "cost/planner.h"

namespace duet {

// One usage and its plan. `scenario` describes the usage: one of the
// guide's, or the user's own (no guide estimate then).
struct PlannedUsage {
  UsageScenario scenario;
  MonthlyPlan plan;
};

// `options` supplies the assumptions printed once at the top.
void WritePlanText(const PlannerOptions& options,
                   const std::vector<PlannedUsage>& usages, std::ostream& out);
void WritePlanJson(const PlannerOptions& options,
                   const std::vector<PlannedUsage>& usages, std::ostream& out);

}  // namespace duet
