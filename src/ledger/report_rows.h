// How the usage report reads one ledger row: its task kind, where it was
// answered, what the policy table says about its task, and whether it was
// a refusal for want of local context; and how it ranks counted names.
// Shared by UsageReport and SignalFinder so both count the same way.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/policy_config.h"
#include "ledger/ledger_entry.h"

namespace duet {

// "code_review" for "coding/code_review"; a task without a slash is its
// own kind; "" for a row without a task.
std::string_view TaskKindOf(std::string_view task);

// The side of `row` in reports: "local" or "cloud" by the `local` column
// of the backend that answered (or failed: an error row names the backend
// that gave it); when no backend was reached, the policy's side, or
// "none" when no decision was made.
std::string_view SideOf(const LedgerEntry& row);

// The task table's entry for `kind`; nullptr when the table has none.
const TaskPolicy* FindTaskPolicy(const PolicyConfig& policy,
                                 std::string_view kind);

// Where the policy sends `task`: its route, with "either" resolved through
// policy.either ("local" or "cloud").
std::string PolicySide(const PolicyConfig& policy, const TaskPolicy& task);

// A request refused because it does not fit the local model's context: an
// invalid_argument error on the local side that names the context window
// (the local engine's "prompt is too long ... context window" and the
// policy's "more than the local model's N-token context window").
bool IsLocalContextRefusal(const LedgerEntry& row);

// The task kinds the guide's "simple Q&A or basic generation" means
// (policy.md §6), read off its task table (§2): the chat tasks it keeps
// local because "both [are] fine" (general_qa, personal_assistant,
// customer_support) and the writing it keeps local for cheap exploration
// (first_draft, brainstorming).
const std::set<std::string, std::less<>>& SimpleQueryKinds();

// A name and how many rows had it (a fallback reason, an error kind, a
// rule).
struct CountedName {
  std::string name;
  int64_t count = 0;
};

// `counts` most frequent first, equal counts by name; at most `at_most`.
std::vector<CountedName> MostFrequentFirst(
    const std::map<std::string, int64_t>& counts, size_t at_most);

}  // namespace duet
