// SqliteDb / SqliteStatement: the small part of SQLite's C API the ledger
// uses, with RAII handles and Status errors.
//
// Errors carry SQLite's message and map to codes the writer can act on:
// a locked or busy database is kUnavailable (try again later), a full disk
// or an I/O error kResourceExhausted, anything else kInternal.
//
// Thread safety: one SqliteDb per thread (the ledger writer owns its own;
// `duet report` opens another, read-only).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace duet {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(SqliteStatement&&) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) noexcept;
  ~SqliteStatement();

  // Parameters are 1-based, as in SQL's ?1, ?2...
  void Bind(int index, int64_t value);
  void Bind(int index, double value);
  void Bind(int index, std::string_view text);  // copied
  // Without a copy: `text` must stay alive and unchanged until the
  // statement is next Reset (a bulk insert binding its rows' own fields).
  void BindBorrowed(int index, std::string_view text);
  void BindNull(int index);

  // Runs one step: true when a row is ready, false when done.
  Result<bool> Step();
  // Steps until done, for statements that return no rows.
  Status Run();
  // Ready for new bindings and a new run.
  void Reset();

  int64_t Int(int column) const;
  double Real(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  friend class SqliteDb;
  SqliteStatement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  sqlite3* db_ = nullptr;
  sqlite3_stmt* statement_ = nullptr;
};

class SqliteDb {
 public:
  struct OpenOptions {
    bool read_only = false;
    // How long a statement waits for another process's lock before
    // failing with kUnavailable.
    int busy_timeout_ms = 100;
  };

  // Opens (creating unless read_only) the database file at `path`.
  static Result<SqliteDb> Open(const std::string& path, OpenOptions options);

  SqliteDb() = default;
  SqliteDb(SqliteDb&&) noexcept;
  SqliteDb& operator=(SqliteDb&&) noexcept;
  ~SqliteDb();

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  Result<SqliteStatement> Prepare(std::string_view sql);

  bool is_open() const { return db_ != nullptr; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

}  // namespace duet
