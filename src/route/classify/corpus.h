// The routing corpus (data/routing/corpus/*.jsonl): labeled prompts the
// task classifier is trained and evaluated on, in the format of
// ../shared/data/routing-sample.jsonl.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "route/classify/task_kinds.h"

namespace duet {

struct CorpusEntry {
  std::string id;
  std::string lang;  // "" when the line has none
  TaskKind kind = TaskKind::kGeneralQa;
  std::string prompt;
  int64_t pad_chars = 0;  // document text appended after the prompt
  std::string expected;   // "local", "cloud"/"claude", "either"
  bool sensitive = false;
};

// Parses JSONL text. kInvalidArgument naming `source` and the line for a
// line that is not an object with a known domain/task pair and a prompt.
Result<std::vector<CorpusEntry>> ParseCorpus(std::string_view jsonl,
                                             std::string_view source);

// Reads and parses a file.
Result<std::vector<CorpusEntry>> ReadCorpusFile(const std::string& path);

// The held-out split: a stable fifth of the entries, chosen by a hash of
// the id, so adding lines never moves old ones between the splits.
bool IsHeldOut(std::string_view id);

}  // namespace duet
