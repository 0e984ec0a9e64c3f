#include "ledger/report_rows.h"

#include <algorithm>

namespace duet {

std::string_view TaskKindOf(std::string_view task) {
  const size_t slash = task.rfind('/');
  return slash == std::string_view::npos ? task : task.substr(slash + 1);
}

std::string_view SideOf(const LedgerEntry& row) {
  if (!row.backend.empty()) {
    return row.local ? "local" : "cloud";
  }
  return row.side.empty() ? std::string_view("none") : row.side;
}

const TaskPolicy* FindTaskPolicy(const PolicyConfig& policy,
                                 std::string_view kind) {
  const auto it = policy.tasks.find(std::string(kind));
  return it == policy.tasks.end() ? nullptr : &it->second;
}

std::string PolicySide(const PolicyConfig& policy, const TaskPolicy& task) {
  return task.route == "either" ? policy.either : task.route;
}

bool IsLocalContextRefusal(const LedgerEntry& row) {
  return row.outcome == AnswerOutcome::kError &&
         row.error_kind == "invalid_argument" && SideOf(row) == "local" &&
         row.error_message.find("context window") != std::string::npos;
}

const std::set<std::string, std::less<>>& SimpleQueryKinds() {
  static const std::set<std::string, std::less<>> kinds = {
      "general_qa", "personal_assistant", "customer_support", "first_draft",
      "brainstorming"};
  return kinds;
}

std::vector<CountedName> MostFrequentFirst(
    const std::map<std::string, int64_t>& counts, size_t at_most) {
  std::vector<CountedName> counted;
  for (const auto& [name, count] : counts) {
    counted.push_back({.name = name, .count = count});
  }
  // stable_sort keeps equal counts in name order (the map's).
  std::stable_sort(counted.begin(), counted.end(),
                   [](const CountedName& a, const CountedName& b) {
                     return a.count > b.count;
                   });
  if (counted.size() > at_most) {
    counted.resize(at_most);
  }
  return counted;
}

}  // namespace duet
