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
  // Prepared write statements, reused for every contact. Declared after
  // `db` so that they are finalized before the connection closes.
  std::unique_ptr<sqlite::Statement> insert_new_contact;
  std::unique_ptr<sqlite::Statement> update_contact;
  std::unique_ptr<sqlite::Statement> delete_locations;
  std::unique_ptr<sqlite::Statement> delete_keys;
  std::unique_ptr<sqlite::Statement> delete_rejections;
  std::unique_ptr<sqlite::Statement> insert_location;
  std::unique_ptr<sqlite::Statement> insert_key;
  std::unique_ptr<sqlite::Statement> insert_rejection;
  bool transaction_open = false;
  int pending_rows = 0;  // contacts written in the open transaction
  // Bulk load: the first Upsert into an index with no contacts drops the
  // secondary indexes, and Flush() builds them again, which is several times
  // faster than inserting into them row by row in random order.
  // The source whose import marker this connection has written. The marker
  // is a sync_state row committed with the first batch and deleted by
  // Flush(), so a row left behind names an import that did not finish.
  std::string marked_source;
  bool bulk_load_checked = false;
  bool bulk_load = false;

  // Page cache sizes, in KiB. Writes insert into B-trees at random: with
  // SQLite's default 2 MB cache nearly every insert re-read its pages from
  // the file, a third of the CPU time of an import of 150,000 contacts.
  // Scans read the covering indexes in order and need few pages, so the
  // memory goes to the contacts being clustered instead.
  static constexpr int kWriteCacheKiB = 128 * 1024;
  static constexpr int kScanCacheKiB = 16 * 1024;
  Status UseWriteCache();
  Status UseScanCache();

  static constexpr const char* kUnfinishedImportPrefix = "unfinished-import:";
  Status MarkImport(const std::string& source);
  Status UnmarkImport();

  Status StartBulkLoadIfEmpty();
  Status EndBulkLoad();
  Status Begin();  // opens a write transaction unless one is open
  Status CommitBatch();

  Status PrepareWriteStatements();
  // Writes the contacts row; true when the uid was new to the index.
  Result<bool> WriteContactRow(const IndexEntry& entry);
  Status DeleteDependentRows(const std::string& uid);
  Status WriteLocationKeys(const IndexEntry& entry, const LocationKeys& keys);
};

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_INDEX_INDEX_IMPL_H_
