// Private state of ContactIndex, shared by contact_index.cc (writes) and
// index_queries.cc (reads).
#ifndef PODIUM_DEDUP_INDEX_INDEX_IMPL_H_
#define PODIUM_DEDUP_INDEX_INDEX_IMPL_H_

#include <map>
#include <memory>
#include <string>

#include "index/sqlite.h"
#include "podium_dedup/index.h"

namespace podium_dedup {

struct ContactIndex::Impl {
  std::unique_ptr<sqlite::Database> db;
  std::shared_ptr<Logger> logger;
  // Prepared write statements by name, reused for every contact. Declared
  // after `db` so that they are finalized before the connection closes.
  std::map<std::string, std::unique_ptr<sqlite::Statement>> statements;
  int pending_rows = 0;  // contacts written in the open transaction

  Status PrepareWriteStatements();
  Status WriteContactRow(const IndexEntry& entry);
  Status DeleteDependentRows(const std::string& uid);
  Status WriteLocationKeys(const IndexEntry& entry, const LocationKeys& keys);
};

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_INDEX_INDEX_IMPL_H_
