// LedgerStore: the ledger's SQLite database (schema in docs/ledger.md).
//
// Open() creates the file (and its folder) if needed, switches it to WAL
// mode, and migrates an older schema forward in one transaction; a schema
// newer than this build knows is refused rather than guessed at. Insert()
// writes a batch in one transaction: all rows or none, so retrying a
// failed batch never duplicates rows. (Request ids are not indexed: random
// keys would dirty pages all over an index on every commit; look a request
// up within a time window, which the started_at_ms index serves.)
//
// Durability: WAL with synchronous=NORMAL. A committed batch survives the
// process being killed (kill -9); an OS crash or power loss may lose the
// last commits.
//
// Thread safety: none; one thread uses a store (the LedgerWriter's, or a
// command such as `duet report`).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "ledger/ledger_entry.h"
#include "ledger/sqlite_db.h"

namespace duet {

// The schema version this build writes (PRAGMA user_version).
inline constexpr int64_t kLedgerSchemaVersion = 6;

// Where the ledger lives when ledger.path is empty:
// $XDG_DATA_HOME/duet/ledger.db, else $HOME/.local/share/duet/ledger.db;
// "" when neither variable is set.
std::string DefaultLedgerPath(const EnvLookup& getenv);

// Rows that could not be written (recorded once writing works again).
struct LedgerLoss {
  int64_t at_ms = 0;  // Unix milliseconds when they were given up
  int64_t rows = 0;
  std::string reason;
};

// Cloud spend of one client key on one UTC day (for the budget tracker).
struct DailySpend {
  std::string client_key;
  std::string model;
  int64_t day_start_unix_seconds = 0;
  double cost_usd = 0;
};

class LedgerStore {
 public:
  struct Options {
    // `duet report`: never creates or migrates (an older file is refused
    // with a message saying how to upgrade it).
    bool read_only = false;
    int busy_timeout_ms = 100;
    // Caps the file at this many pages (0 = no cap); a write beyond it
    // fails as on a full disk. Tests use it to fill the "disk".
    int64_t max_pages = 0;
  };

  static Result<LedgerStore> Open(const std::string& path, Options options);

  // Writes `entries` in one transaction. On failure nothing was written.
  Status Insert(std::span<const LedgerEntry> entries);
  Status RecordLoss(const LedgerLoss& loss);
  // Writes feedback rows in one transaction.
  Status InsertFeedback(std::span<const FeedbackEntry> feedback);
  // Writes shadow evaluation rows in one transaction.
  Status InsertShadow(std::span<const ShadowEntry> shadow);

  // Every row with started_at_ms in [since_ms, until_ms), oldest first.
  Status ForEach(int64_t since_ms, int64_t until_ms,
                 const std::function<void(const LedgerEntry&)>& visit);
  Result<std::vector<LedgerLoss>> Losses(int64_t since_ms, int64_t until_ms);
  // Feedback that arrived in [since_ms, until_ms), oldest first.
  Result<std::vector<FeedbackEntry>> Feedback(int64_t since_ms, int64_t until_ms);
  // Shadow evaluations that finished in [since_ms, until_ms), oldest first.
  Result<std::vector<ShadowEntry>> Shadow(int64_t since_ms, int64_t until_ms);
  // Cloud (non-local) spend of answered requests per key, model and UTC
  // day, for the days from the one holding `since_ms` on, oldest first.
  // Read from a per-day table kept as rows are written (no scan of the
  // requests). Shadow spend is not in it: see ShadowSpendSince.
  Result<std::vector<DailySpend>> CloudSpendSince(int64_t since_ms);
  // Shadow evaluations' spend since `since_ms`, per Claude model and UTC
  // day (client_key is "").
  Result<std::vector<DailySpend>> ShadowSpendSince(int64_t since_ms);

  int64_t schema_version() const { return schema_version_; }

 private:
  explicit LedgerStore(SqliteDb db) : db_(std::move(db)) {}
  // Brings the file to kLedgerSchemaVersion; a read-only store fails
  // instead (with a message saying how to upgrade the file).
  Status Migrate(const std::string& path, bool read_only);
  Result<int64_t> ReadSchemaVersion();

  SqliteDb db_;
  // Adds the cloud rows of `entries` to cloud_spend_by_day (inside
  // Insert's transaction).
  Status AddCloudSpend(std::span<const LedgerEntry> entries);

  SqliteStatement insert_;       // one row
  SqliteStatement insert_many_;  // kRowsPerInsert rows (ledger_store.cpp)
  SqliteStatement add_cloud_spend_;
  int64_t schema_version_ = 0;
};

}  // namespace duet
