// Small RAII owners for the SQLite connection and statements of the merge
// state table. Every failure becomes an ERR_DEDUP_DB_* error that names the
// database file and SQLite's own message.
#ifndef PODIUM_DEDUP_MERGE_SQLITE_DB_H_
#define PODIUM_DEDUP_MERGE_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "podium_dedup/result.h"

namespace podium_dedup::merge_internal {

class Statement {
 public:
  Statement(sqlite3_stmt* statement, std::string db_path) : statement_(statement), db_path_(std::move(db_path)) {}
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds are 1-based, as in SQLite.
  void Bind(int index, const std::string& value);
  void Bind(int index, int64_t value);
  void BindNull(int index);
  void BindOptional(int index, const std::optional<std::string>& value);

  // Steps once. Returns true when a row is available, false when done.
  Result<bool> Step();
  // Steps until done, for statements that return no rows.
  Status Run();

  std::string ColumnText(int index) const;
  int64_t ColumnInt(int index) const;
  bool ColumnIsNull(int index) const;

 private:
  sqlite3_stmt* statement_;
  std::string db_path_;
};

class Database {
 public:
  // Opens (or creates) `path` with a busy timeout, so that several processes
  // can share the file, and WAL journaling, so readers do not block writers.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, int busy_timeout_ms);

  ~Database() { sqlite3_close_v2(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Status Exec(const std::string& sql);
  Result<std::unique_ptr<Statement>> Prepare(const std::string& sql);
  int Changes() const { return sqlite3_changes(db_); }
  const std::string& path() const { return path_; }

  Error MakeError(const std::string& what) const;

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
};

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT, so that the read and the
// write in `body` are one step for every process on the file. Rolls back
// when `body` fails.
template <typename Body>
Status InImmediateTransaction(Database& db, Body&& body) {
  if (Status s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  Status status = body();
  if (!status.ok()) {
    db.Exec("ROLLBACK");
    return status;
  }
  if (Status s = db.Exec("COMMIT"); !s.ok()) {
    db.Exec("ROLLBACK");
    return s;
  }
  return Status::Ok();
}

}  // namespace podium_dedup::merge_internal

#endif  // PODIUM_DEDUP_MERGE_SQLITE_DB_H_
