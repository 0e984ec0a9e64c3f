// Helpers for ledger tests: sample entries and scratch database paths.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "ledger/ledger_entry.h"

namespace duet::testing {

// Unix milliseconds of 00:00 UTC on that day, computed with <chrono> so
// that tests of the ledger's own calendar code do not check it against
// itself.
inline int64_t UtcMidnightMs(int year, unsigned month, unsigned day) {
  const std::chrono::sys_days date = std::chrono::year{year} /
                                     std::chrono::month{month} /
                                     std::chrono::day{day};
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             date.time_since_epoch())
      .count();
}

// A cloud answer with distinct values in every field, so a column mix-up
// shows.
inline LedgerEntry SampleEntry(const std::string& request_id, int64_t started_at_ms) {
  LedgerEntry e;
  e.request_id = request_id;
  e.started_at_ms = started_at_ms;
  e.client_key = "key-0123456789ab";
  e.api = "openai";
  e.requested_model = "auto";
  e.stream = true;
  e.side = "cloud";
  e.task = "coding/code_review";
  e.rule = "task";
  e.reason = "code review goes to Claude";
  e.fallback_reason = "";
  e.backend = "anthropic";
  e.model = "claude-sonnet-4-6";
  e.usage = Usage{.input_tokens = 1200,
                  .output_tokens = 340,
                  .cache_creation_input_tokens = 56,
                  .cache_read_input_tokens = 78,
                  .thinking_tokens = 9};
  e.stop_reason = "end_turn";
  e.ttft_ms = 410;
  e.latency_ms = 2350;
  e.local_busy_seconds = 0.25;
  e.outcome = AnswerOutcome::kOk;
  e.cost_usd = 0.0087;
  e.claude_haiku_usd = 0.0029;
  e.claude_sonnet_usd = 0.0087;
  e.claude_opus_usd = 0.0145;
  return e;
}

// A fresh folder under the system's temp dir, removed by the destructor.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "duet-ledger-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace duet::testing
