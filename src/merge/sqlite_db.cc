#include "merge/sqlite_db.h"

namespace podium_dedup::merge_internal {

void Statement::Bind(int index, const std::string& value) {
  sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
}

void Statement::Bind(int index, int64_t value) { sqlite3_bind_int64(statement_, index, value); }

void Statement::BindNull(int index) { sqlite3_bind_null(statement_, index); }

void Statement::BindOptional(int index, const std::optional<std::string>& value) {
  if (value.has_value()) {
    Bind(index, *value);
  } else {
    BindNull(index);
  }
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(statement_);
  return Error{rc == SQLITE_BUSY ? "ERR_DEDUP_DB_BUSY" : "ERR_DEDUP_DB_WRITE",
               "SQLite statement failed on '" + db_path_ + "': " + sqlite3_errmsg(db) +
                   "; check that the file is writable and not locked by another program"};
}

Status Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!row.value()) return Status::Ok();
  }
}

std::string Statement::ColumnText(int index) const {
  const unsigned char* text = sqlite3_column_text(statement_, index);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(statement_, index));
}

int64_t Statement::ColumnInt(int index) const { return sqlite3_column_int64(statement_, index); }

bool Statement::ColumnIsNull(int index) const { return sqlite3_column_type(statement_, index) == SQLITE_NULL; }

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Error{"ERR_DEDUP_DB_OPEN", "cannot open the database '" + path + "': " + message +
                                          "; pass an existing, writable file with --db"};
  }
  sqlite3_busy_timeout(db, busy_timeout_ms);
  std::unique_ptr<Database> database(new Database(db, path));
  // WAL is a property of the file; setting it again is harmless. Another
  // process holding a lock can make this fail, and then the file keeps its
  // current journal mode, which is still correct, only slower.
  database->Exec("PRAGMA journal_mode=WAL");
  if (Status s = database->Exec("PRAGMA synchronous=FULL"); !s.ok()) return s.error();
  return database;
}

Status Database::Exec(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string text = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return Error{rc == SQLITE_BUSY ? "ERR_DEDUP_DB_BUSY" : "ERR_DEDUP_DB_WRITE",
               "SQLite failed on '" + path_ + "' running '" + sql.substr(0, 60) + "': " + text +
                   "; check that the file is writable and not locked by another program"};
}

Result<std::unique_ptr<Statement>> Database::Prepare(const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &statement, nullptr) != SQLITE_OK) {
    return MakeError("preparing '" + sql.substr(0, 60) + "'");
  }
  return std::make_unique<Statement>(statement, path_);
}

Error Database::MakeError(const std::string& what) const {
  return Error{"ERR_DEDUP_DB_WRITE", "SQLite failed on '" + path_ + "' " + what + ": " + sqlite3_errmsg(db_)};
}

}  // namespace podium_dedup::merge_internal
