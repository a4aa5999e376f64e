// RAII owners for a SQLite connection and its prepared statements, and the
// translation of SQLite result codes into ERR_DEDUP_DB_* errors.
//
// Everything here returns a Status or Result; nothing throws. Error
// messages name the database path and SQLite's own message.
#ifndef PODIUM_DEDUP_INDEX_SQLITE_H_
#define PODIUM_DEDUP_INDEX_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "podium_dedup/result.h"

namespace podium_dedup::sqlite {

// An open database connection. Closing happens in the destructor.
class Database {
 public:
  // Opens `path` read-write, creating it with mode 0600 when it does not
  // exist. Error: ERR_DEDUP_DB_OPEN.
  static Result<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

  // Runs one or more statements that return no rows.
  Status Execute(const std::string& sql, std::string_view error_code = "ERR_DEDUP_DB_WRITE");

  // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
  int64_t Changes() const { return sqlite3_changes64(db_); }

  // Builds an error with `code` from the connection's last message.
  Error LastError(std::string_view code, std::string_view action) const;

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
};

// A prepared statement. Reset() makes it ready for the next set of bindings.
class Statement {
 public:
  static Result<std::unique_ptr<Statement>> Prepare(Database& db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binding, 1-based like sqlite3_bind_*.
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  Statement& BindNull(int index);
  Statement& BindOptional(int index, const std::optional<std::string>& text);

  // Steps once: returns true while a row is available, false when done.
  Result<bool> Step();
  // Steps to completion for statements that return no rows, then resets.
  Status Run();
  void Reset();

  std::string ColumnText(int column) const;
  int64_t ColumnInt(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  Statement(Database& db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  Database& db_;
  sqlite3_stmt* stmt_;
};

}  // namespace podium_dedup::sqlite

#endif  // PODIUM_DEDUP_INDEX_SQLITE_H_
