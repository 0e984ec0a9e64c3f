#include "ledger/ledger_store.h"

#include <filesystem>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

#include "ledger/utc_calendar.h"

namespace duet {
namespace {

// Schema steps: kMigrations[i] takes a database from version i to i + 1.
// Append new steps; never edit a released one (docs/ledger.md).
constexpr std::string_view kMigrations[] = {
    // 0 -> 1: requests and losses.
    R"sql(
CREATE TABLE requests (
  id INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL,
  started_at_ms INTEGER NOT NULL,
  client_key TEXT NOT NULL,
  api TEXT NOT NULL,
  requested_model TEXT NOT NULL,
  stream INTEGER NOT NULL,
  side TEXT NOT NULL,
  task TEXT NOT NULL,
  rule TEXT NOT NULL,
  reason TEXT NOT NULL,
  sensitive INTEGER NOT NULL,
  fallback_reason TEXT NOT NULL,
  backend TEXT NOT NULL,
  model TEXT NOT NULL,
  local INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL,
  thinking_tokens INTEGER NOT NULL,
  stop_reason TEXT NOT NULL,
  ttft_ms INTEGER,
  latency_ms INTEGER NOT NULL,
  local_busy_seconds REAL NOT NULL,
  outcome TEXT NOT NULL,
  error_kind TEXT NOT NULL,
  error_message TEXT NOT NULL,
  cost_usd REAL NOT NULL,
  claude_haiku_usd REAL NOT NULL,
  claude_sonnet_usd REAL NOT NULL,
  claude_opus_usd REAL NOT NULL,
  prompt TEXT,
  answer TEXT
);
CREATE INDEX requests_by_time ON requests(started_at_ms);
CREATE TABLE losses (
  id INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  reason TEXT NOT NULL
);
)sql",
    // 1 -> 2: escalation and the local attempt it replaced.
    R"sql(
ALTER TABLE requests ADD COLUMN escalation TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN escalation_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN local_attempt_model TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN local_attempt_input_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN local_attempt_output_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN local_attempt_seconds REAL NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN local_attempt_usd REAL NOT NULL DEFAULT 0;
)sql",
    // 2 -> 3: clients' feedback on answers.
    R"sql(
CREATE TABLE feedback (
  id INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  client_key TEXT NOT NULL,
  score REAL NOT NULL,
  comment TEXT NOT NULL
);
CREATE INDEX feedback_by_time ON feedback(at_ms);
)sql",
    // 3 -> 4: the polish workflow.
    R"sql(
ALTER TABLE requests ADD COLUMN workflow TEXT NOT NULL DEFAULT '';
)sql",
    // 4 -> 5: what escalation changed, polish reviews, shadow evaluation.
    R"sql(
ALTER TABLE requests ADD COLUMN escalation_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN review TEXT NOT NULL DEFAULT '';
CREATE TABLE shadow (
  id INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL,
  finished_at_ms INTEGER NOT NULL,
  task TEXT NOT NULL,
  local_model TEXT NOT NULL,
  claude_model TEXT NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  judge TEXT NOT NULL,
  verdict TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX shadow_by_time ON shadow(finished_at_ms);
)sql",
    // 5 -> 6: cloud spend per UTC day, kept as rows are written, so the
    // budget's start-up read does not scan a month of requests.
    R"sql(
CREATE TABLE cloud_spend_by_day (
  day INTEGER NOT NULL,
  client_key TEXT NOT NULL,
  model TEXT NOT NULL,
  cost_usd REAL NOT NULL,
  PRIMARY KEY (day, client_key, model)
) WITHOUT ROWID;
INSERT INTO cloud_spend_by_day (day, client_key, model, cost_usd)
  SELECT started_at_ms / 86400000, client_key, model, SUM(cost_usd)
  FROM requests WHERE local = 0 GROUP BY 1, 2, 3;
)sql",
};
static_assert(std::size(kMigrations) == kLedgerSchemaVersion);

// The columns of `requests` after id, in the order Insert binds them and
// ForEach reads them.
constexpr std::string_view kColumns =
    "request_id, started_at_ms, client_key, api, requested_model, stream, side, "
    "task, rule, reason, sensitive, fallback_reason, backend, model, local, "
    "input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, "
    "thinking_tokens, stop_reason, ttft_ms, latency_ms, local_busy_seconds, "
    "outcome, error_kind, error_message, cost_usd, claude_haiku_usd, "
    "claude_sonnet_usd, claude_opus_usd, prompt, answer, escalation, "
    "escalation_reason, local_attempt_model, local_attempt_input_tokens, "
    "local_attempt_output_tokens, local_attempt_seconds, local_attempt_usd, workflow, "
    "escalation_outcome, review";
constexpr int kColumnCount = 43;

// Every row `query` yields, each made by `read(query)`.
template <typename Read>
auto ReadRows(SqliteStatement& query, Read read)
    -> Result<std::vector<decltype(read(query))>> {
  std::vector<decltype(read(query))> rows;
  while (true) {
    DUET_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) {
      return rows;
    }
    rows.push_back(read(query));
  }
}

// Spend per key, model and UTC day from a query selecting exactly those
// (the day as days since the epoch) and the sum.
DailySpend ReadDailySpend(const SqliteStatement& query) {
  return {query.Text(0), query.Text(1), query.Int(2) * 86400, query.Real(3)};
}

AnswerOutcome OutcomeNamed(std::string_view name) {
  for (AnswerOutcome outcome :
       {AnswerOutcome::kOk, AnswerOutcome::kFallback, AnswerOutcome::kEscalated,
        AnswerOutcome::kError, AnswerOutcome::kCancelled}) {
    if (AnswerOutcomeName(outcome) == name) {
      return outcome;
    }
  }
  return AnswerOutcome::kError;
}

// Binds views of e's own fields (BindBorrowed) to parameters first + 1 to
// first + kColumnCount: e must stay as it is until the statement is reset.
void BindEntry(const LedgerEntry& e, SqliteStatement* s, int first = 0) {
  int i = first;
  s->BindBorrowed(++i, std::string_view(e.request_id));
  s->Bind(++i, e.started_at_ms);
  s->BindBorrowed(++i, std::string_view(e.client_key));
  s->BindBorrowed(++i, std::string_view(e.api));
  s->BindBorrowed(++i, std::string_view(e.requested_model));
  s->Bind(++i, int64_t{e.stream});
  s->BindBorrowed(++i, std::string_view(e.side));
  s->BindBorrowed(++i, std::string_view(e.task));
  s->BindBorrowed(++i, std::string_view(e.rule));
  s->BindBorrowed(++i, std::string_view(e.reason));
  s->Bind(++i, int64_t{e.sensitive});
  s->BindBorrowed(++i, std::string_view(e.fallback_reason));
  s->BindBorrowed(++i, std::string_view(e.backend));
  s->BindBorrowed(++i, std::string_view(e.model));
  s->Bind(++i, int64_t{e.local});
  s->Bind(++i, e.usage.input_tokens);
  s->Bind(++i, e.usage.output_tokens);
  s->Bind(++i, e.usage.cache_creation_input_tokens);
  s->Bind(++i, e.usage.cache_read_input_tokens);
  s->Bind(++i, e.usage.thinking_tokens);
  s->BindBorrowed(++i, std::string_view(e.stop_reason));
  if (e.ttft_ms >= 0) {
    s->Bind(++i, e.ttft_ms);
  } else {
    s->BindNull(++i);
  }
  s->Bind(++i, e.latency_ms);
  s->Bind(++i, e.local_busy_seconds);
  s->BindBorrowed(++i, AnswerOutcomeName(e.outcome));
  s->BindBorrowed(++i, std::string_view(e.error_kind));
  s->BindBorrowed(++i, std::string_view(e.error_message));
  s->Bind(++i, e.cost_usd);
  s->Bind(++i, e.claude_haiku_usd);
  s->Bind(++i, e.claude_sonnet_usd);
  s->Bind(++i, e.claude_opus_usd);
  // Content is never stored for a sensitive request, whoever filled it in.
  const bool keep_content = !e.sensitive;
  if (keep_content && e.prompt) {
    s->BindBorrowed(++i, std::string_view(*e.prompt));
  } else {
    s->BindNull(++i);
  }
  if (keep_content && e.answer) {
    s->BindBorrowed(++i, std::string_view(*e.answer));
  } else {
    s->BindNull(++i);
  }
  s->BindBorrowed(++i, std::string_view(e.escalation));
  s->BindBorrowed(++i, std::string_view(e.escalation_reason));
  s->BindBorrowed(++i, std::string_view(e.local_attempt_model));
  s->Bind(++i, e.local_attempt_input_tokens);
  s->Bind(++i, e.local_attempt_output_tokens);
  s->Bind(++i, e.local_attempt_seconds);
  s->Bind(++i, e.local_attempt_usd);
  s->BindBorrowed(++i, std::string_view(e.workflow));
  s->BindBorrowed(++i, std::string_view(e.escalation_outcome));
  s->BindBorrowed(++i, std::string_view(e.review));
}

LedgerEntry ReadEntry(const SqliteStatement& s) {
  LedgerEntry e;
  int i = 0;
  e.request_id = s.Text(i++);
  e.started_at_ms = s.Int(i++);
  e.client_key = s.Text(i++);
  e.api = s.Text(i++);
  e.requested_model = s.Text(i++);
  e.stream = s.Int(i++) != 0;
  e.side = s.Text(i++);
  e.task = s.Text(i++);
  e.rule = s.Text(i++);
  e.reason = s.Text(i++);
  e.sensitive = s.Int(i++) != 0;
  e.fallback_reason = s.Text(i++);
  e.backend = s.Text(i++);
  e.model = s.Text(i++);
  e.local = s.Int(i++) != 0;
  e.usage.input_tokens = s.Int(i++);
  e.usage.output_tokens = s.Int(i++);
  e.usage.cache_creation_input_tokens = s.Int(i++);
  e.usage.cache_read_input_tokens = s.Int(i++);
  e.usage.thinking_tokens = s.Int(i++);
  e.stop_reason = s.Text(i++);
  e.ttft_ms = s.IsNull(i) ? -1 : s.Int(i);
  ++i;
  e.latency_ms = s.Int(i++);
  e.local_busy_seconds = s.Real(i++);
  e.outcome = OutcomeNamed(s.Text(i++));
  e.error_kind = s.Text(i++);
  e.error_message = s.Text(i++);
  e.cost_usd = s.Real(i++);
  e.claude_haiku_usd = s.Real(i++);
  e.claude_sonnet_usd = s.Real(i++);
  e.claude_opus_usd = s.Real(i++);
  if (!s.IsNull(i)) {
    e.prompt = s.Text(i);
  }
  ++i;
  if (!s.IsNull(i)) {
    e.answer = s.Text(i);
  }
  ++i;
  e.escalation = s.Text(i++);
  e.escalation_reason = s.Text(i++);
  e.local_attempt_model = s.Text(i++);
  e.local_attempt_input_tokens = s.Int(i++);
  e.local_attempt_output_tokens = s.Int(i++);
  e.local_attempt_seconds = s.Real(i++);
  e.local_attempt_usd = s.Real(i++);
  e.workflow = s.Text(i++);
  e.escalation_outcome = s.Text(i++);
  e.review = s.Text(i++);
  return e;
}

// Rows one INSERT statement writes when a batch has that many: running a
// statement costs about as much again as the row it writes (SQLite's
// statement start, halt and reset), so a full batch shares that among
// kRowsPerInsert rows.
constexpr int kRowsPerInsert = 16;

// INSERT of `rows` rows: row r binds parameters r * kColumnCount + 1 on.
std::string InsertSql(int rows) {
  std::string sql = "INSERT INTO requests (" + std::string(kColumns) + ") VALUES ";
  for (int row = 0; row < rows; ++row) {
    sql += row == 0 ? "(" : ", (";
    for (int i = 1; i <= kColumnCount; ++i) {
      sql += (i == 1 ? "?" : ", ?") + std::to_string(row * kColumnCount + i);
    }
    sql += ")";
  }
  return sql;
}

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back on failure.
template <typename Body>
Status InTransaction(SqliteDb& db, Body body) {
  DUET_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status status = body();
  if (status.ok()) {
    status = db.Exec("COMMIT");
  }
  if (!status.ok()) {
    (void)db.Exec("ROLLBACK");
  }
  return status;
}

}  // namespace

std::string DefaultLedgerPath(const EnvLookup& getenv) {
  std::filesystem::path base;
  if (const char* data = getenv("XDG_DATA_HOME"); data != nullptr && *data) {
    base = data;
  } else if (const char* home = getenv("HOME"); home != nullptr && *home) {
    base = std::filesystem::path(home) / ".local" / "share";
  } else {
    return "";
  }
  return (base / "duet" / "ledger.db").string();
}

Result<LedgerStore> LedgerStore::Open(const std::string& path, Options options) {
  if (path.empty()) {
    return Error(InvalidArgument("ledger: no path (set ledger.path, or HOME)"));
  }
  if (!options.read_only) {
    const std::filesystem::path folder = std::filesystem::path(path).parent_path();
    std::error_code error;
    if (!folder.empty()) {
      std::filesystem::create_directories(folder, error);
    }
    if (error) {
      return Error(Status(ErrorCode::kResourceExhausted,
                          "cannot create the ledger's folder " + folder.string() + ": " +
                              error.message()));
    }
  }
  DUET_ASSIGN_OR_RETURN(SqliteDb db,
                        SqliteDb::Open(path, {.read_only = options.read_only,
                                              .busy_timeout_ms = options.busy_timeout_ms}));
  LedgerStore store(std::move(db));
  if (!options.read_only) {
    DUET_RETURN_IF_ERROR(store.db_.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  }
  if (options.max_pages > 0) {
    DUET_RETURN_IF_ERROR(
        store.db_.Exec("PRAGMA max_page_count = " + std::to_string(options.max_pages)));
  }
  DUET_RETURN_IF_ERROR(store.Migrate(path, options.read_only));
  if (!options.read_only) {
    DUET_ASSIGN_OR_RETURN(store.insert_, store.db_.Prepare(InsertSql(1)));
    DUET_ASSIGN_OR_RETURN(store.insert_many_, store.db_.Prepare(InsertSql(kRowsPerInsert)));
    DUET_ASSIGN_OR_RETURN(
        store.add_cloud_spend_,
        store.db_.Prepare("INSERT INTO cloud_spend_by_day (day, client_key, model, cost_usd)"
                          " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (day, client_key, model)"
                          " DO UPDATE SET cost_usd = cost_usd + excluded.cost_usd"));
  }
  return store;
}

Result<int64_t> LedgerStore::ReadSchemaVersion() {
  // The statement ends here: left open, its read would keep this
  // connection on an old snapshot, which SQLite refuses to turn into a
  // write once another connection has written (SQLITE_BUSY at once).
  DUET_ASSIGN_OR_RETURN(SqliteStatement version, db_.Prepare("PRAGMA user_version"));
  DUET_ASSIGN_OR_RETURN(bool has_row, version.Step());
  return has_row ? version.Int(0) : 0;
}

Status LedgerStore::Migrate(const std::string& path, bool read_only) {
  DUET_ASSIGN_OR_RETURN(schema_version_, ReadSchemaVersion());
  if (schema_version_ > kLedgerSchemaVersion) {
    return InvalidArgument("ledger " + path + " has schema version " +
                           std::to_string(schema_version_) +
                           ", newer than this duet knows (" +
                           std::to_string(kLedgerSchemaVersion) +
                           "); upgrade duet or set ledger.path to another file");
  }
  if (schema_version_ == kLedgerSchemaVersion) {
    return Status::Ok();
  }
  if (read_only) {
    // Reading never writes, so an older file cannot be brought forward
    // here; the server migrates it when it opens it.
    return InvalidArgument("ledger " + path + " has schema version " +
                           std::to_string(schema_version_) + ", older than this duet's (" +
                           std::to_string(kLedgerSchemaVersion) +
                           "): run `duet serve` once to upgrade it, then try again");
  }
  return InTransaction(db_, [&]() -> Status {
    // Again under the write lock: another connection (a second duet, or
    // this one's budget read) may have migrated the file meanwhile.
    DUET_ASSIGN_OR_RETURN(schema_version_, ReadSchemaVersion());
    for (int64_t step = schema_version_; step < kLedgerSchemaVersion; ++step) {
      DUET_RETURN_IF_ERROR(db_.Exec(kMigrations[step]));
    }
    DUET_RETURN_IF_ERROR(
        db_.Exec("PRAGMA user_version = " + std::to_string(kLedgerSchemaVersion)));
    schema_version_ = kLedgerSchemaVersion;
    return Status::Ok();
  });
}

Status LedgerStore::Insert(std::span<const LedgerEntry> entries) {
  if (entries.empty()) {
    return Status::Ok();
  }
  return InTransaction(db_, [&]() -> Status {
    size_t next = 0;
    // Runs `statement` with entries[next..next + rows) bound, and resets it
    // afterwards whatever happened (letting go of their text), so it is
    // ready for the next rows.
    const auto insert = [&](SqliteStatement& statement, int rows) -> Status {
      for (int row = 0; row < rows; ++row) {
        BindEntry(entries[next + static_cast<size_t>(row)], &statement, row * kColumnCount);
      }
      Status status = statement.Run();
      statement.Reset();
      next += static_cast<size_t>(rows);
      return status;
    };
    while (entries.size() - next >= static_cast<size_t>(kRowsPerInsert)) {
      DUET_RETURN_IF_ERROR(insert(insert_many_, kRowsPerInsert));
    }
    while (next < entries.size()) {
      DUET_RETURN_IF_ERROR(insert(insert_, 1));
    }
    return AddCloudSpend(entries);
  });
}

Status LedgerStore::AddCloudSpend(std::span<const LedgerEntry> entries) {
  // A batch holds a few keys and models on one or two days: one row each.
  std::map<std::tuple<int64_t, std::string_view, std::string_view>, double> spend;
  for (const LedgerEntry& entry : entries) {
    if (!entry.local) {
      spend[{entry.started_at_ms / kMillisPerDay, entry.client_key, entry.model}] +=
          entry.cost_usd;
    }
  }
  for (const auto& [group, cost_usd] : spend) {
    const auto& [day, client_key, model] = group;
    add_cloud_spend_.Bind(1, day);
    add_cloud_spend_.BindBorrowed(2, client_key);  // `entries` outlive the Run
    add_cloud_spend_.BindBorrowed(3, model);
    add_cloud_spend_.Bind(4, cost_usd);
    Status status = add_cloud_spend_.Run();
    add_cloud_spend_.Reset();
    DUET_RETURN_IF_ERROR(status);
  }
  return Status::Ok();
}

Status LedgerStore::InsertFeedback(std::span<const FeedbackEntry> feedback) {
  if (feedback.empty()) {
    return Status::Ok();
  }
  DUET_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db_.Prepare("INSERT INTO feedback (request_id, at_ms, client_key, score, comment)"
                  " VALUES (?1, ?2, ?3, ?4, ?5)"));
  return InTransaction(db_, [&]() -> Status {
    for (const FeedbackEntry& entry : feedback) {
      insert.Reset();
      insert.Bind(1, std::string_view(entry.request_id));
      insert.Bind(2, entry.at_ms);
      insert.Bind(3, std::string_view(entry.client_key));
      insert.Bind(4, entry.score);
      insert.Bind(5, std::string_view(entry.comment));
      DUET_RETURN_IF_ERROR(insert.Run());
    }
    return Status::Ok();
  });
}

Result<std::vector<FeedbackEntry>> LedgerStore::Feedback(int64_t since_ms, int64_t until_ms) {
  DUET_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare("SELECT request_id, at_ms, client_key, score, comment FROM feedback"
                  " WHERE at_ms >= ?1 AND at_ms < ?2 ORDER BY at_ms, id"));
  query.Bind(1, since_ms);
  query.Bind(2, until_ms);
  return ReadRows(query, [](const SqliteStatement& row) {
    return FeedbackEntry{row.Text(0), row.Int(1), row.Text(2), row.Real(3), row.Text(4)};
  });
}

Status LedgerStore::InsertShadow(std::span<const ShadowEntry> shadow) {
  if (shadow.empty()) {
    return Status::Ok();
  }
  DUET_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db_.Prepare("INSERT INTO shadow (request_id, finished_at_ms, task, local_model,"
                  " claude_model, input_tokens, output_tokens, cost_usd, judge, verdict, detail)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  return InTransaction(db_, [&]() -> Status {
    for (const ShadowEntry& entry : shadow) {
      insert.Reset();
      int i = 0;
      insert.Bind(++i, std::string_view(entry.request_id));
      insert.Bind(++i, entry.finished_at_ms);
      insert.Bind(++i, std::string_view(entry.task));
      insert.Bind(++i, std::string_view(entry.local_model));
      insert.Bind(++i, std::string_view(entry.claude_model));
      insert.Bind(++i, entry.input_tokens);
      insert.Bind(++i, entry.output_tokens);
      insert.Bind(++i, entry.cost_usd);
      insert.Bind(++i, std::string_view(entry.judge));
      insert.Bind(++i, std::string_view(entry.verdict));
      insert.Bind(++i, std::string_view(entry.detail));
      DUET_RETURN_IF_ERROR(insert.Run());
    }
    return Status::Ok();
  });
}

Result<std::vector<ShadowEntry>> LedgerStore::Shadow(int64_t since_ms, int64_t until_ms) {
  DUET_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare("SELECT request_id, finished_at_ms, task, local_model, claude_model,"
                  " input_tokens, output_tokens, cost_usd, judge, verdict, detail FROM shadow"
                  " WHERE finished_at_ms >= ?1 AND finished_at_ms < ?2 ORDER BY finished_at_ms, id"));
  query.Bind(1, since_ms);
  query.Bind(2, until_ms);
  return ReadRows(query, [](const SqliteStatement& row) {
    return ShadowEntry{.request_id = row.Text(0),
                       .finished_at_ms = row.Int(1),
                       .task = row.Text(2),
                       .local_model = row.Text(3),
                       .claude_model = row.Text(4),
                       .input_tokens = row.Int(5),
                       .output_tokens = row.Int(6),
                       .cost_usd = row.Real(7),
                       .judge = row.Text(8),
                       .verdict = row.Text(9),
                       .detail = row.Text(10)};
  });
}

Status LedgerStore::RecordLoss(const LedgerLoss& loss) {
  DUET_ASSIGN_OR_RETURN(
      SqliteStatement statement,
      db_.Prepare("INSERT INTO losses (at_ms, rows, reason) VALUES (?1, ?2, ?3)"));
  statement.Bind(1, loss.at_ms);
  statement.Bind(2, loss.rows);
  statement.Bind(3, std::string_view(loss.reason));
  return statement.Run();
}

Status LedgerStore::ForEach(int64_t since_ms, int64_t until_ms,
                            const std::function<void(const LedgerEntry&)>& visit) {
  DUET_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare("SELECT " + std::string(kColumns) +
                  " FROM requests WHERE started_at_ms >= ?1 AND started_at_ms < ?2"
                  " ORDER BY started_at_ms, id"));
  query.Bind(1, since_ms);
  query.Bind(2, until_ms);
  while (true) {
    DUET_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) {
      return Status::Ok();
    }
    visit(ReadEntry(query));
  }
}

Result<std::vector<LedgerLoss>> LedgerStore::Losses(int64_t since_ms, int64_t until_ms) {
  DUET_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare("SELECT at_ms, rows, reason FROM losses WHERE at_ms >= ?1 AND at_ms < ?2"
                  " ORDER BY at_ms, id"));
  query.Bind(1, since_ms);
  query.Bind(2, until_ms);
  return ReadRows(query, [](const SqliteStatement& row) {
    return LedgerLoss{row.Int(0), row.Int(1), row.Text(2)};
  });
}

Result<std::vector<DailySpend>> LedgerStore::ShadowSpendSince(int64_t since_ms) {
  DUET_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare("SELECT '', claude_model, finished_at_ms / 86400000 AS day, SUM(cost_usd)"
                  " FROM shadow WHERE finished_at_ms >= ?1 GROUP BY claude_model, day"
                  " ORDER BY day"));
  query.Bind(1, since_ms);
  return ReadRows(query, ReadDailySpend);
}

Result<std::vector<DailySpend>> LedgerStore::CloudSpendSince(int64_t since_ms) {
  DUET_ASSIGN_OR_RETURN(
      SqliteStatement query,
      db_.Prepare("SELECT client_key, model, day, cost_usd FROM cloud_spend_by_day"
                  " WHERE day >= ?1 ORDER BY day, client_key, model"));
  query.Bind(1, since_ms / kMillisPerDay);
  return ReadRows(query, ReadDailySpend);
}

}  // namespace duet
