// Implementation notes: the on-disk format of the natural-key index.
//
// The file is a SQLite database in WAL mode; PRAGMA user_version stores the
// schema version (kIndexSchemaVersion). Version 0 means an empty file, which
// gets the whole schema below. A file with a higher version than this build
// knows is rejected rather than guessed at.
//
// Tables:
//   contacts           one row per contact uid. `location_uid` is the home
//                      location (first of locations[], '' when none);
//                      `contact_json` is the full record (ContactToJson), so
//                      the merge step has every field, and the other columns
//                      are copies for queries. `emails` is a JSON array of
//                      strings; `tags` is a JSON array of {uid, label}
//                      objects (files written before that hold labels
//                      only, and their scan falls back to contact_json).
//                      `deleted_at` not NULL means soft-deleted: kept, but
//                      left out of clustering and the review queue.
//   contact_locations  one row per (contact, location). A contact in
//                      several locations is clustered in each of them.
//   contact_keys       one row per (natural key, contact, location): kind
//                      'phone' (E.164, with its national format, region,
//                      extension and region_fallback flag) or 'email'
//                      (NormalizeEmail). `position` keeps the order in which
//                      the contact listed its phones or emails.
//   phone_rejections   one row per rejected phone piece, per location.
//   locations          display name and region of each location uid.
//   sync_state         the API import's high-water mark per source.
//
// An upsert replaces the contact row and deletes and rewrites all of its
// contact_locations, contact_keys and phone_rejections rows, so importing
// the same file twice leaves the same rows.
//
// The secondary indexes (kSecondaryIndexes) are not in kSchemaV1: the first
// import into an empty index drops them and builds them in its last
// transaction, since sorting once is several times faster than inserting
// rows into them at random. An import killed before that leaves committed
// contacts without them, and the next open builds them.
#include "index/schema.h"

#include <iterator>
#include <string>
#include <utility>

#include "podium_dedup/index.h"

namespace podium_dedup {
namespace {

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS contacts (
  uid TEXT PRIMARY KEY,
  location_uid TEXT NOT NULL,
  name TEXT NOT NULL,
  emails TEXT NOT NULL,
  tags TEXT NOT NULL,
  marketing_opt_out INTEGER NOT NULL,
  sms_opt_out INTEGER NOT NULL,
  email_opt_out INTEGER NOT NULL,
  deleted_at TEXT,
  updated_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  field_count INTEGER NOT NULL,
  contact_json TEXT NOT NULL,
  source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS contact_locations (
  location_uid TEXT NOT NULL,
  contact_uid TEXT NOT NULL,
  PRIMARY KEY (location_uid, contact_uid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS contact_keys (
  natural_key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('phone', 'email')),
  contact_uid TEXT NOT NULL,
  location_uid TEXT NOT NULL,
  position INTEGER NOT NULL,
  national TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL DEFAULT '',
  extension TEXT NOT NULL DEFAULT '',
  region_fallback INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS phone_rejections (
  contact_uid TEXT NOT NULL,
  location_uid TEXT NOT NULL,
  position INTEGER NOT NULL,
  piece TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS locations (
  uid TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  region TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS sync_state (
  source TEXT PRIMARY KEY,
  high_water_mark TEXT,
  updated_at TEXT NOT NULL
);
)sql";

// The secondary indexes, by name. They are separate from kSchemaV1 because
// a first import drops them and builds them again at its end (see
// SecondaryIndexesSql), and every open restores any that a crashed import
// left missing.
// contacts_for_matching and contact_keys_by_contact cover every column that
// the match-fields scan reads, and contact_keys_by_key_location covers the
// count of holders per key, so those queries never read the tables.
constexpr std::pair<const char*, const char*> kSecondaryIndexes[] = {
    {"contact_locations_by_contact", "contact_locations (contact_uid)"},
    {"contact_keys_by_key_location", "contact_keys (natural_key, location_uid, contact_uid)"},
    {"contact_keys_by_contact",
     "contact_keys (contact_uid, location_uid, kind, position, natural_key, national, country, extension, "
     "region_fallback)"},
    {"phone_rejections_by_contact", "phone_rejections (contact_uid, location_uid, position)"},
    {"contacts_for_matching",
     "contacts (uid, deleted_at, field_count, name, emails, tags, marketing_opt_out, sms_opt_out, email_opt_out, "
     "updated_at, created_at)"},
};

// Counts the secondary indexes present in the file.
Result<int> CountSecondaryIndexes(sqlite::Database& db) {
  std::string names;
  for (const auto& [name, columns] : kSecondaryIndexes) names += std::string(names.empty() ? "'" : ", '") + name + "'";
  Result<std::unique_ptr<sqlite::Statement>> statement = sqlite::Statement::Prepare(
      db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN (" + names + ")");
  if (!statement.ok()) return statement.error();
  Result<bool> row = statement.value()->Step();
  if (!row.ok()) return row.error();
  return static_cast<int>(statement.value()->ColumnInt(0));
}

Result<int> ReadUserVersion(sqlite::Database& db) {
  // The first read of the file fails here when it is not a SQLite database.
  auto not_an_index = [&db](const Error& error) {
    return Error{"ERR_DEDUP_DB_OPEN", "cannot read '" + db.path() + "' as an index database (" + error.message +
                                          "); pass the path of a podium-dedup index or of a new file with --db"};
  };
  Result<std::unique_ptr<sqlite::Statement>> statement = sqlite::Statement::Prepare(db, "PRAGMA user_version");
  if (!statement.ok()) return not_an_index(statement.error());
  Result<bool> row = statement.value()->Step();
  if (!row.ok()) return not_an_index(row.error());
  return static_cast<int>(statement.value()->ColumnInt(0));
}

}  // namespace

std::string SecondaryIndexesSql(SecondaryIndexAction action) {
  std::string sql;
  for (const auto& [name, columns] : kSecondaryIndexes) {
    if (action == SecondaryIndexAction::kCreate) {
      sql += std::string("CREATE INDEX IF NOT EXISTS ") + name + " ON " + columns + ";";
    } else {
      sql += std::string("DROP INDEX IF EXISTS ") + name + ";";
    }
  }
  return sql;
}

Status PrepareSchema(sqlite::Database& db) {
  Result<int> version = ReadUserVersion(db);
  if (!version.ok()) return version.error();
  if (version.value() > kIndexSchemaVersion) {
    return Error{"ERR_DEDUP_DB_SCHEMA_VERSION",
                 "index database '" + db.path() + "' has schema version " + std::to_string(version.value()) +
                     ", newer than this build's " + std::to_string(kIndexSchemaVersion) +
                     "; use a newer podium-dedup or pass another --db"};
  }
  if (Status wal = db.Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;",
                              "ERR_DEDUP_DB_OPEN");
      !wal.ok()) {
    return wal;
  }
  if (version.value() == kIndexSchemaVersion) {
    Result<int> present = CountSecondaryIndexes(db);
    if (!present.ok()) return present.error();
    if (present.value() == static_cast<int>(std::size(kSecondaryIndexes))) return Status::Ok();
    // An import that was building its indexes at the end did not finish.
    return db.Execute("BEGIN IMMEDIATE;" + SecondaryIndexesSql(SecondaryIndexAction::kCreate) + "COMMIT;");
  }

  // Version 0 with tables in it is another application's database, which
  // the CREATE TABLE IF NOT EXISTS below would half-adopt.
  Result<std::unique_ptr<sqlite::Statement>> tables = sqlite::Statement::Prepare(
      db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name <> 'merge_state'");
  if (!tables.ok()) return tables.error();
  Result<bool> counted = tables.value()->Step();
  if (!counted.ok()) return counted.error();
  if (tables.value()->ColumnInt(0) > 0) {
    return Error{"ERR_DEDUP_DB_OPEN", "'" + db.path() +
                                          "' is a SQLite database of another application, not a podium-dedup "
                                          "index; pass the path of an index or of a new file with --db"};
  }
  tables.value().reset();

  const std::string create = std::string("BEGIN IMMEDIATE;") + kSchemaV1 +
                             SecondaryIndexesSql(SecondaryIndexAction::kCreate) + "PRAGMA user_version = " +
                             std::to_string(kIndexSchemaVersion) + "; COMMIT;";
  if (Status created = db.Execute(create); !created.ok()) {
    db.Execute("ROLLBACK;").ok();
    return created;
  }
  return Status::Ok();
}

}  // namespace podium_dedup
