// ContactIndex: opening the index, and the writes (contacts, locations,
// sync state). The queries are in index_queries.cc; the schema and its
// implementation notes are in schema.cc.
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "index/index_impl.h"
#include "index/schema.h"
#include "podium_dedup/contact_json.h"
#include "podium_dedup/index.h"

namespace podium_dedup {
namespace {

// A contact is first inserted with DO NOTHING on a uid conflict. For a uid
// the index has never seen (every row of a first import) that is the whole
// write, and the three deletes of its dependent rows are skipped because
// there are none. Only a uid already present takes the update and deletes.
constexpr const char* kInsertNewContact = R"sql(
INSERT INTO contacts (uid, location_uid, name, emails, tags, marketing_opt_out, sms_opt_out,
                      email_opt_out, deleted_at, updated_at, created_at, field_count, contact_json, source)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
ON CONFLICT (uid) DO NOTHING
)sql";

constexpr const char* kUpdateContact = R"sql(
UPDATE contacts SET
  location_uid = ?2, name = ?3, emails = ?4, tags = ?5, marketing_opt_out = ?6, sms_opt_out = ?7,
  email_opt_out = ?8, deleted_at = ?9, updated_at = ?10, created_at = ?11, field_count = ?12,
  contact_json = ?13, source = ?14
WHERE uid = ?1
)sql";

constexpr const char* kInsertKey = R"sql(
INSERT INTO contact_keys (natural_key, kind, contact_uid, location_uid, position, national, country,
                          extension, region_fallback)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
)sql";

// The `tags` column: [{"uid": ..., "label": ...}, ...], which is all that
// matching compares (index_queries.cc reads it back).
std::string TagsJson(const std::vector<Tag>& tags) {
  nlohmann::json array = nlohmann::json::array();
  for (const Tag& tag : tags) array.push_back({{"uid", tag.uid}, {"label", tag.label}});
  return array.dump();
}

std::string HomeLocation(const IndexEntry& entry) {
  return entry.locations.empty() ? std::string() : entry.locations.front().location_uid;
}

}  // namespace

Result<std::unique_ptr<ContactIndex>> ContactIndex::Open(const std::string& path, std::shared_ptr<Logger> logger) {
  Result<std::unique_ptr<sqlite::Database>> db = sqlite::Database::Open(path);
  if (!db.ok()) return db.error();
  if (Status schema = PrepareSchema(*db.value()); !schema.ok()) return schema.error();

  auto impl = std::make_unique<Impl>();
  impl->db = std::move(db).value();
  impl->logger = std::move(logger);
  if (Status prepared = impl->PrepareWriteStatements(); !prepared.ok()) return prepared.error();
  return std::unique_ptr<ContactIndex>(new ContactIndex(path, std::move(impl)));
}

ContactIndex::ContactIndex(std::string path, std::unique_ptr<Impl> impl)
    : path_(std::move(path)), impl_(std::move(impl)) {}

ContactIndex::~ContactIndex() {
  if (!impl_) return;
  if (impl_->transaction_open) {
    // Reaching here means the caller stopped before Flush(), usually on an
    // error. The partial batch is dropped so the index contains whole batches only.
    impl_->logger->warn("index database '{}': rolled back {} contacts that were not flushed", path_,
                        impl_->pending_rows);
    static_cast<void>(impl_->db->Execute("ROLLBACK"));
    impl_->transaction_open = false;
    impl_->pending_rows = 0;
  }
  // The batches committed before a failed bulk load have no secondary
  // indexes yet. They are built now, or, if that fails too, by the next
  // ContactIndex::Open (PrepareSchema).
  if (impl_->bulk_load) static_cast<void>(impl_->EndBulkLoad());
}

Status ContactIndex::Impl::PrepareWriteStatements() {
  const std::pair<std::unique_ptr<sqlite::Statement>*, const char*> sql[] = {
      {&insert_new_contact, kInsertNewContact},
      {&update_contact, kUpdateContact},
      {&delete_locations, "DELETE FROM contact_locations WHERE contact_uid = ?1"},
      {&delete_keys, "DELETE FROM contact_keys WHERE contact_uid = ?1"},
      {&delete_rejections, "DELETE FROM phone_rejections WHERE contact_uid = ?1"},
      {&insert_location, "INSERT OR IGNORE INTO contact_locations (location_uid, contact_uid) VALUES (?1, ?2)"},
      {&insert_key, kInsertKey},
      {&insert_rejection,
       "INSERT INTO phone_rejections (contact_uid, location_uid, position, piece, reason) VALUES (?1, ?2, ?3, ?4, ?5)"},
  };
  for (const auto& [slot, text] : sql) {
    Result<std::unique_ptr<sqlite::Statement>> statement = sqlite::Statement::Prepare(*db, text);
    if (!statement.ok()) return statement.error();
    *slot = std::move(statement).value();
  }
  return Status::Ok();
}

Status ContactIndex::Upsert(const IndexEntry& entry) {
  if (!impl_->transaction_open) {
    if (Status s = impl_->UseWriteCache(); !s.ok()) return s;
    if (Status begun = impl_->Begin(); !begun.ok()) return begun;
    if (Status s = impl_->StartBulkLoadIfEmpty(); !s.ok()) return s;
    if (Status s = impl_->MarkImport(entry.source); !s.ok()) return s;
  }
  ++impl_->pending_rows;

  Result<bool> inserted = impl_->WriteContactRow(entry);
  if (!inserted.ok()) return inserted.error();
  if (!inserted.value()) {
    // A uid seen before: its old rows are found through the indexes, so a
    // bulk load ends here (an input that repeats uids loads row by row).
    if (Status s = impl_->EndBulkLoad(); !s.ok()) return s;
    if (Status s = impl_->DeleteDependentRows(entry.contact.uid); !s.ok()) return s;
  }
  for (int i = 0; i < static_cast<int>(entry.locations.size()); ++i) {
    if (Status s = impl_->WriteLocationKeys(entry, entry.locations[i]); !s.ok()) return s;
  }

  if (impl_->pending_rows >= (impl_->bulk_load ? kBulkLoadBatchSize : kBatchSize)) return impl_->CommitBatch();
  return Status::Ok();
}

Status ContactIndex::Impl::MarkImport(const std::string& source) {
  if (marked_source == source) return Status::Ok();
  if (Status s = UnmarkImport(); !s.ok()) return s;
  Result<std::unique_ptr<sqlite::Statement>> mark = sqlite::Statement::Prepare(
      *db,
      "INSERT INTO sync_state (source, high_water_mark, updated_at) "
      "VALUES (?1, NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) ON CONFLICT (source) DO NOTHING");
  if (!mark.ok()) return mark.error();
  mark.value()->Bind(1, kUnfinishedImportPrefix + source);
  if (Status s = mark.value()->Run(); !s.ok()) return s;
  marked_source = source;
  return Status::Ok();
}

Status ContactIndex::Impl::UnmarkImport() {
  if (marked_source.empty()) return Status::Ok();
  Result<std::unique_ptr<sqlite::Statement>> unmark =
      sqlite::Statement::Prepare(*db, "DELETE FROM sync_state WHERE source = ?1");
  if (!unmark.ok()) return unmark.error();
  unmark.value()->Bind(1, kUnfinishedImportPrefix + marked_source);
  if (Status s = unmark.value()->Run(); !s.ok()) return s;
  marked_source.clear();
  return Status::Ok();
}

Result<std::vector<std::string>> ContactIndex::UnfinishedImports() {
  Result<std::unique_ptr<sqlite::Statement>> prepared = sqlite::Statement::Prepare(
      *impl_->db, "SELECT substr(source, ?2) FROM sync_state WHERE substr(source, 1, ?1) = ?3 ORDER BY source");
  if (!prepared.ok()) return prepared.error();
  sqlite::Statement& row = *prepared.value();
  const std::string prefix = Impl::kUnfinishedImportPrefix;
  row.Bind(1, static_cast<int64_t>(prefix.size())).Bind(2, static_cast<int64_t>(prefix.size() + 1)).Bind(3, prefix);
  std::vector<std::string> sources;
  while (true) {
    Result<bool> step = row.Step();
    if (!step.ok()) return step.error();
    if (!step.value()) return sources;
    sources.push_back(row.ColumnText(0));
  }
}

Status ContactIndex::Impl::UseWriteCache() {
  return db->Execute("PRAGMA cache_size = -" + std::to_string(kWriteCacheKiB));
}

Status ContactIndex::Impl::UseScanCache() {
  if (Status s = db->Execute("PRAGMA cache_size = -" + std::to_string(kScanCacheKiB)); !s.ok()) return s;
  sqlite3_db_release_memory(db->handle());
  return Status::Ok();
}

Status ContactIndex::Impl::StartBulkLoadIfEmpty() {
  if (bulk_load_checked) return Status::Ok();
  bulk_load_checked = true;
  Result<std::unique_ptr<sqlite::Statement>> any =
      sqlite::Statement::Prepare(*db, "SELECT EXISTS (SELECT 1 FROM contacts)");
  if (!any.ok()) return any.error();
  Result<bool> row = any.value()->Step();
  if (!row.ok()) return row.error();
  const bool has_contacts = any.value()->ColumnInt(0) != 0;
  any.value().reset();  // a statement still stepping would make DROP INDEX fail
  if (has_contacts) return Status::Ok();
  bulk_load = true;
  return db->Execute(SecondaryIndexesSql(SecondaryIndexAction::kDrop));
}

Status ContactIndex::Impl::EndBulkLoad() {
  if (!bulk_load) return Status::Ok();
  bulk_load = false;
  return db->Execute(SecondaryIndexesSql(SecondaryIndexAction::kCreate));
}

Status ContactIndex::Impl::Begin() {
  if (transaction_open) return Status::Ok();
  if (Status begun = db->Execute("BEGIN IMMEDIATE"); !begun.ok()) return begun;
  transaction_open = true;
  return Status::Ok();
}

Status ContactIndex::Impl::CommitBatch() {
  if (!transaction_open) return Status::Ok();
  transaction_open = false;
  pending_rows = 0;
  return db->Execute("COMMIT");
}

IndexEntry::Columns ComputeIndexColumns(const Contact& contact) {
  IndexEntry::Columns columns;
  columns.record_json = ContactToJson(contact).dump();
  columns.emails_json = nlohmann::json(contact.emails).dump();
  columns.tags_json = TagsJson(contact.tags);
  columns.field_count = FieldCount(contact);
  return columns;
}

Result<bool> ContactIndex::Impl::WriteContactRow(const IndexEntry& entry) {
  const Contact& contact = entry.contact;
  std::optional<IndexEntry::Columns> computed;
  if (!entry.columns) computed = ComputeIndexColumns(contact);
  const IndexEntry::Columns& columns = entry.columns ? *entry.columns : *computed;
  auto bind = [&](sqlite::Statement& statement) -> sqlite::Statement& {
    return statement.Bind(1, contact.uid)
        .Bind(2, HomeLocation(entry))
        .Bind(3, contact.name)
        .Bind(4, columns.emails_json)
        .Bind(5, columns.tags_json)
        .Bind(6, int64_t{contact.marketing_opt_out})
        .Bind(7, int64_t{contact.sms_opt_out})
        .Bind(8, int64_t{contact.email_opt_out})
        .BindOptional(9, contact.deleted_at)
        .Bind(10, contact.updated_at)
        .Bind(11, contact.created_at)
        .Bind(12, int64_t{columns.field_count})
        .Bind(13, columns.record_json)
        .Bind(14, entry.source);
  };
  if (Status s = bind(*insert_new_contact).Run(); !s.ok()) return s.error();
  if (db->Changes() == 1) return true;
  if (Status s = bind(*update_contact).Run(); !s.ok()) return s.error();
  return false;
}

Status ContactIndex::Impl::DeleteDependentRows(const std::string& uid) {
  for (sqlite::Statement* statement_ptr : {delete_locations.get(), delete_keys.get(), delete_rejections.get()}) {
    sqlite::Statement& statement = *statement_ptr;
    statement.Bind(1, uid);
    if (Status s = statement.Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ContactIndex::Impl::WriteLocationKeys(const IndexEntry& entry, const LocationKeys& keys) {
  const std::string& uid = entry.contact.uid;
  sqlite::Statement& location = *insert_location;
  location.Bind(1, keys.location_uid).Bind(2, uid);
  if (Status s = location.Run(); !s.ok()) return s;

  sqlite::Statement& key = *insert_key;
  for (size_t i = 0; i < keys.phones.size(); ++i) {
    const NormalizedPhone& phone = keys.phones[i];
    key.Bind(1, phone.e164).Bind(2, "phone").Bind(3, uid).Bind(4, keys.location_uid);
    key.Bind(5, static_cast<int64_t>(i)).Bind(6, phone.national).Bind(7, phone.country);
    key.Bind(8, phone.extension).Bind(9, int64_t{phone.region_fallback});
    if (Status s = key.Run(); !s.ok()) return s;
  }
  for (size_t i = 0; i < entry.email_keys.size(); ++i) {
    key.Bind(1, entry.email_keys[i]).Bind(2, "email").Bind(3, uid).Bind(4, keys.location_uid);
    key.Bind(5, static_cast<int64_t>(i)).Bind(6, "").Bind(7, "").Bind(8, "").Bind(9, int64_t{0});
    if (Status s = key.Run(); !s.ok()) return s;
  }

  sqlite::Statement& rejection = *insert_rejection;
  for (size_t i = 0; i < keys.phone_rejections.size(); ++i) {
    const RejectedPiece& piece = keys.phone_rejections[i];
    rejection.Bind(1, uid).Bind(2, keys.location_uid).Bind(3, static_cast<int64_t>(i));
    rejection.Bind(4, piece.piece).Bind(5, piece.reason);
    if (Status s = rejection.Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ContactIndex::Flush() {
  // The indexes are built, and the import marker deleted, in the last
  // batch's transaction, so no reader reads the contacts without them.
  if (impl_->bulk_load || !impl_->marked_source.empty()) {
    if (Status begun = impl_->Begin(); !begun.ok()) return begun;
    if (Status s = impl_->EndBulkLoad(); !s.ok()) return s;
    if (Status s = impl_->UnmarkImport(); !s.ok()) return s;
  }
  return impl_->CommitBatch();
}

Status ContactIndex::UpsertLocation(const std::string& uid, const std::string& name, const std::string& region) {
  Result<std::unique_ptr<sqlite::Statement>> statement = sqlite::Statement::Prepare(
      *impl_->db,
      "INSERT INTO locations (uid, name, region) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (uid) DO UPDATE SET name = excluded.name, region = excluded.region");
  if (!statement.ok()) return statement.error();
  statement.value()->Bind(1, uid).Bind(2, name).Bind(3, region);
  return statement.value()->Run();
}

Result<std::optional<std::string>> ContactIndex::GetHighWaterMark(const std::string& source) {
  Result<std::unique_ptr<sqlite::Statement>> statement =
      sqlite::Statement::Prepare(*impl_->db, "SELECT high_water_mark FROM sync_state WHERE source = ?1");
  if (!statement.ok()) return statement.error();
  statement.value()->Bind(1, source);
  Result<bool> row = statement.value()->Step();
  if (!row.ok()) return row.error();
  if (!row.value() || statement.value()->ColumnIsNull(0)) return std::optional<std::string>();
  return std::optional<std::string>(statement.value()->ColumnText(0));
}

Status ContactIndex::SetHighWaterMark(const std::string& source, const std::string& high_water_mark) {
  Result<std::unique_ptr<sqlite::Statement>> statement = sqlite::Statement::Prepare(
      *impl_->db,
      "INSERT INTO sync_state (source, high_water_mark, updated_at) "
      "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) "
      "ON CONFLICT (source) DO UPDATE SET high_water_mark = excluded.high_water_mark, "
      "updated_at = excluded.updated_at");
  if (!statement.ok()) return statement.error();
  statement.value()->Bind(1, source).Bind(2, high_water_mark);
  return statement.value()->Run();
}

}  // namespace podium_dedup
