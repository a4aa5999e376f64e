#include "index/sqlite.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace podium_dedup::sqlite {
namespace {

// Creates the file with mode 0600 before SQLite opens it, because SQLite
// itself creates new files with 0644 minus the umask. The -wal and -shm files
// that WAL mode adds take the permissions of the database file.
Status CreateOwnerOnlyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error{"ERR_DEDUP_DB_OPEN", "cannot open index database '" + path + "': " + std::strerror(errno) +
                                          "; pass a writable path with --db"};
  }
  ::close(fd);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  if (Status created = CreateOwnerOnlyFile(path); !created.ok()) return created.error();

  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Error{"ERR_DEDUP_DB_OPEN",
                 "cannot open index database '" + path + "': " + message + "; pass a writable path with --db"};
  }
  sqlite3_extended_result_codes(db, 1);
  // Another process (a second import) may hold the write lock briefly.
  sqlite3_busy_timeout(db, 5000);
  return std::unique_ptr<Database>(new Database(db, path));
}

Database::~Database() {
  // sqlite3_close_v2 defers the close until the last statement is finalized,
  // so a statement that outlives its owner cannot leak the connection.
  sqlite3_close_v2(db_);
}

Status Database::Execute(const std::string& sql, std::string_view error_code) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string text = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return Error{std::string(error_code), "index database '" + path_ + "': " + text};
}

Error Database::LastError(std::string_view code, std::string_view action) const {
  return Error{std::string(code),
               "index database '" + path_ + "': " + std::string(action) + " failed: " + sqlite3_errmsg(db_)};
}

Result<std::unique_ptr<Statement>> Statement::Prepare(Database& db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db.handle(), sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return db.LastError("ERR_DEDUP_DB_QUERY", "preparing a statement");
  }
  return std::unique_ptr<Statement>(new Statement(db, stmt));
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement& Statement::BindOptional(int index, const std::optional<std::string>& text) {
  return text.has_value() ? Bind(index, std::string_view(*text)) : BindNull(index);
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = db_.LastError("ERR_DEDUP_DB_QUERY", "running '" + std::string(sqlite3_sql(stmt_)).substr(0, 60) + "'");
  sqlite3_reset(stmt_);
  return error;
}

Status Statement::Run() {
  const int rc = sqlite3_step(stmt_);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    Error error = db_.LastError("ERR_DEDUP_DB_WRITE", "running '" + std::string(sqlite3_sql(stmt_)).substr(0, 60) + "'");
    Reset();
    return error;
  }
  Reset();
  return Status::Ok();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::ColumnText(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::ColumnIsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

}  // namespace podium_dedup::sqlite
