// Creation and version check of the index schema (see schema.cc).
#ifndef PODIUM_DEDUP_INDEX_SCHEMA_H_
#define PODIUM_DEDUP_INDEX_SCHEMA_H_

#include <string>

#include "index/sqlite.h"
#include "podium_dedup/result.h"

namespace podium_dedup {

// Sets the connection's pragmas and creates the schema in an empty file,
// or restores the secondary indexes that an interrupted first import left
// dropped.
// Errors: ERR_DEDUP_DB_OPEN when the file is not a SQLite database,
// ERR_DEDUP_DB_SCHEMA_VERSION when a newer version wrote it.
Status PrepareSchema(sqlite::Database& db);

enum class SecondaryIndexAction { kCreate, kDrop };

// Returns the statements that create (IF NOT EXISTS) or drop (IF EXISTS)
// every secondary index of the schema.
std::string SecondaryIndexesSql(SecondaryIndexAction action);

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_INDEX_SCHEMA_H_
