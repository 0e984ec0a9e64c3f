// LedgerWriter: writes ledger rows in batches on its own thread, so
// recording an answer never waits for the disk.
//
// Enqueue() only takes a mutex and appends. The writer thread commits
// everything pending at least every `flush_interval_ms`, in transactions
// of `batch_rows` rows (it wakes early once that many wait) — or of every
// pending row once the oldest has waited a whole interval — so after
// kill -9 at most that window of rows is missing, and under load the work
// comes in small slices rather than bursts. The thread runs at a
// lower scheduling priority (nice +10) than the threads serving requests.
// When writing fails (database locked by another process, disk full) the
// rows stay pending and are retried every interval; once more than
// `max_pending` wait, new rows are dropped and counted, and the count is
// written to the ledger's `losses` table as soon as writing works again.
// Requests are never failed or slowed by any of this.
//
// Shutdown() (also run by the destructor) stops accepting rows, writes
// what is pending (retrying for up to `shutdown_retry_ms`) and joins the
// thread; rows it still cannot write are counted as lost and logged.
//
// Thread safety: Enqueue and stats are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ledger/ledger_entry.h"
#include "ledger/ledger_store.h"

namespace duet {

class LedgerWriter {
 public:
  struct Options {
    int64_t flush_interval_ms = 200;
    int64_t batch_rows = 256;  // rows per transaction
    int64_t max_pending = 100'000;
    int64_t shutdown_retry_ms = 2'000;
    LedgerStore::Options store{};  // how the database is opened
  };

  struct Stats {
    int64_t written = 0;   // rows committed since start
    int64_t lost = 0;      // rows dropped since start (never written)
    int64_t pending = 0;   // rows waiting now
    int64_t last_lag_ms = 0;  // how long the last batch's oldest row waited
    bool failing = false;  // the last attempt to write failed
    std::string last_error;
  };

  // Opens the ledger at `path` on the writer thread (retried each interval
  // until it works) and starts writing.
  LedgerWriter(std::string path, Options options);
  ~LedgerWriter();
  LedgerWriter(const LedgerWriter&) = delete;
  LedgerWriter& operator=(const LedgerWriter&) = delete;

  void Enqueue(LedgerEntry&& entry);
  // Feedback and shadow rows ride with the next batch (same durability,
  // same limits).
  void EnqueueFeedback(FeedbackEntry feedback);
  void EnqueueShadow(ShadowEntry shadow);
  Stats stats() const;
  void Shutdown();

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // Rows of the smaller tables, written after each batch of requests.
  struct SideRows {
    std::vector<FeedbackEntry> feedback;
    std::vector<ShadowEntry> shadow;
    bool empty() const { return feedback.empty() && shadow.empty(); }
  };

  void Run();
  // Writes `batch` and `side`; on failure puts back in front of what is
  // pending whatever was not written.
  bool WriteBatch(std::vector<LedgerEntry>* batch, SideRows* side, SteadyTime oldest);
  void Drop(int64_t rows, const std::string& why);  // REQUIRES: mutex_ held

  const std::string path_;
  const Options options_;
  std::optional<LedgerStore> store_;  // writer thread only

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<LedgerEntry> pending_;
  SideRows pending_side_;
  SteadyTime oldest_pending_{};
  bool stopping_ = false;
  int64_t unrecorded_losses_ = 0;  // lost rows not yet in the losses table
  std::string loss_reason_;
  Stats stats_;
  std::thread thread_;
};

}  // namespace duet
