// ContactIndex queries: the per-location scan that feeds clustering, the
// cross-location review query and the summary counts.
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "index/index_impl.h"
#include "podium_dedup/contact_json.h"
#include "podium_dedup/index.h"

namespace podium_dedup {
namespace {

// Keys are ordered by kind ('email' before 'phone') and then by the position
// the contact listed them in, so a contact's phones come back in its order.
// RECORD is the stored record for ScanDetail::kFullRecord. The match-fields
// scan leaves it out, so that SQLite reads contacts and keys from the
// covering indexes (schema.cc) in uid order instead of fetching each table
// row at random, which on a million contacts is most of the scan's time.
constexpr const char* kLocationScan = R"sql(
SELECT cl.location_uid, c.uid, RECORD, c.field_count,
       k.kind, k.natural_key, k.national, k.country, k.extension, k.region_fallback,
       c.name, c.emails, c.tags, c.marketing_opt_out, c.sms_opt_out, c.email_opt_out, c.updated_at, c.created_at
FROM contact_locations cl
JOIN contacts c ON c.uid = cl.contact_uid
LEFT JOIN contact_keys k ON k.contact_uid = cl.contact_uid AND k.location_uid = cl.location_uid
WHERE c.deleted_at IS NULL
ORDER BY cl.location_uid, cl.contact_uid, k.kind, k.position
)sql";

std::string LocationScanSql(ScanDetail detail) {
  std::string sql = kLocationScan;
  sql.replace(sql.find("RECORD"), 6, detail == ScanDetail::kFullRecord ? "c.contact_json" : "NULL");
  return sql;
}

// The (location, natural key) pairs held by two or more contacts, each as
// location + '\x1f' + key. Deleted contacts count too, which can only keep
// a contact that has no live partner: FindClusters then leaves it alone.
// contact_keys_by_key_location covers the query, so it reads in order.
Result<std::unordered_set<std::string>> SharedLocationKeys(sqlite::Database& db) {
  Result<std::unique_ptr<sqlite::Statement>> prepared = sqlite::Statement::Prepare(
      db,
      "SELECT location_uid, natural_key FROM contact_keys GROUP BY natural_key, location_uid "
      "HAVING COUNT(DISTINCT contact_uid) > 1");
  if (!prepared.ok()) return prepared.error();
  sqlite::Statement& row = *prepared.value();
  std::unordered_set<std::string> shared;
  while (true) {
    Result<bool> step = row.Step();
    if (!step.ok()) return step.error();
    if (!step.value()) return shared;
    shared.insert(row.ColumnText(0) + '\x1f' + row.ColumnText(1));
  }
}

bool SharesAKey(const IndexedContact& contact, const std::string& location,
                const std::unordered_set<std::string>& shared) {
  std::string key = location + '\x1f';
  const size_t prefix = key.size();
  auto is_shared = [&](const std::string& natural_key) {
    key.resize(prefix);
    key += natural_key;
    return shared.contains(key);
  };
  for (const NormalizedPhone& phone : contact.phones) {
    if (is_shared(phone.e164)) return true;
  }
  for (const std::string& email : contact.email_keys) {
    if (is_shared(email)) return true;
  }
  return false;
}

constexpr const char* kSharedKeyScan = R"sql(
SELECT k.natural_key, k.kind, k.location_uid, k.contact_uid, c.name, COALESCE(l.name, '')
FROM contact_keys k
JOIN contacts c ON c.uid = k.contact_uid
LEFT JOIN locations l ON l.uid = k.location_uid
WHERE c.deleted_at IS NULL
ORDER BY k.natural_key, k.kind, k.location_uid, k.contact_uid
)sql";

// Live contacts with at least one rejected phone and no phone key in their
// home location, with the first rejection of that location.
constexpr const char* kAllPhonesInvalid = R"sql(
SELECT r.reason, COUNT(*)
FROM contacts c
JOIN phone_rejections r ON r.contact_uid = c.uid AND r.location_uid = c.location_uid AND r.position = 0
WHERE c.deleted_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM contact_keys k
                  WHERE k.contact_uid = c.uid AND k.location_uid = c.location_uid AND k.kind = 'phone')
GROUP BY r.reason
ORDER BY r.reason
)sql";

Error BadRow(const std::string& path, const std::string& uid, const std::string& detail) {
  return Error{"ERR_DEDUP_DB_BAD_ROW", "index database '" + path + "': contact '" + uid +
                                           "' has an unreadable contact_json (" + detail +
                                           "); re-import the contact or delete the index file and import again"};
}

void AddKey(const sqlite::Statement& row, IndexedContact* indexed) {
  if (row.ColumnIsNull(4)) return;  // a contact without keys in this location
  const std::string kind = row.ColumnText(4);
  if (kind == "email") {
    indexed->email_keys.push_back(row.ColumnText(5));
    return;
  }
  NormalizedPhone phone;
  phone.e164 = row.ColumnText(5);
  phone.national = row.ColumnText(6);
  phone.country = row.ColumnText(7);
  phone.extension = row.ColumnText(8);
  phone.region_fallback = row.ColumnInt(9) != 0;
  indexed->phones.push_back(std::move(phone));
}

// Fills the fields of ScanDetail::kMatchFields from the copy columns.
// Returns false when the row needs its stored record instead: a file
// written before the `tags` column held tag uids, or an unreadable column.
bool ReadMatchFields(const sqlite::Statement& row, Contact* contact) {
  contact->name = row.ColumnText(10);
  contact->marketing_opt_out = row.ColumnInt(13) != 0;
  contact->sms_opt_out = row.ColumnInt(14) != 0;
  contact->email_opt_out = row.ColumnInt(15) != 0;
  contact->updated_at = row.ColumnText(16);
  contact->created_at = row.ColumnText(17);
  const nlohmann::json emails = nlohmann::json::parse(row.ColumnText(11), nullptr, false);
  const nlohmann::json tags = nlohmann::json::parse(row.ColumnText(12), nullptr, false);
  if (!emails.is_array() || !tags.is_array()) return false;
  for (const nlohmann::json& email : emails) {
    if (!email.is_string()) return false;
    contact->emails.push_back(email.get<std::string>());
  }
  for (const nlohmann::json& tag : tags) {
    if (!tag.is_object()) return false;
    const auto uid = tag.find("uid");
    const auto label = tag.find("label");
    if (uid == tag.end() || label == tag.end() || !uid->is_string() || !label->is_string()) return false;
    contact->tags.push_back(Tag{uid->get<std::string>(), label->get<std::string>(), ""});
  }
  return true;
}

// True when two holders are different contacts in different locations.
bool SpansLocations(const std::vector<SharedKeyHolder>& holders) {
  for (size_t i = 0; i < holders.size(); ++i) {
    for (size_t j = i + 1; j < holders.size(); ++j) {
      if (holders[i].contact_uid != holders[j].contact_uid && holders[i].location_uid != holders[j].location_uid) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Status ContactIndex::ForEachLocation(const LocationVisitor& visit, ScanDetail detail, int64_t* contacts_read) {
  // The scan reads the covering indexes in order, so it needs few pages in
  // the cache, and the contacts of a location take the memory instead.
  if (Status s = impl_->UseScanCache(); !s.ok()) return s;
  Result<std::unique_ptr<sqlite::Statement>> prepared =
      sqlite::Statement::Prepare(*impl_->db, LocationScanSql(detail));
  if (!prepared.ok()) return prepared.error();
  sqlite::Statement& row = *prepared.value();
  Result<std::unique_ptr<sqlite::Statement>> record =
      sqlite::Statement::Prepare(*impl_->db, "SELECT contact_json FROM contacts WHERE uid = ?1");
  if (!record.ok()) return record.error();
  // Reads the stored record of `uid`: in the scan's row, or by its own query.
  auto stored_record = [&](const std::string& uid) -> Result<std::string> {
    if (detail == ScanDetail::kFullRecord) return row.ColumnText(2);
    sqlite::Statement& lookup = *record.value();
    lookup.Bind(1, uid);
    Result<bool> found = lookup.Step();
    if (!found.ok()) return found.error();
    std::string text = found.value() ? lookup.ColumnText(0) : std::string();
    lookup.Reset();
    return text;
  };

  std::unordered_set<std::string> shared;
  if (detail == ScanDetail::kMatchCandidates) {
    Result<std::unordered_set<std::string>> found = SharedLocationKeys(*impl_->db);
    if (!found.ok()) return found.error();
    shared = std::move(found).value();
  }
  // Drops the contact read last when it shares no key with another contact
  // of its location, so FindClusters could not put it in any cluster.
  auto settle_last = [&](const std::string& location, std::vector<IndexedContact>& contacts) {
    if (detail != ScanDetail::kMatchCandidates || contacts.empty()) return;
    if (!SharesAKey(contacts.back(), location, shared)) contacts.pop_back();
  };

  std::string location;
  bool location_open = false;
  bool contact_open = false;
  std::string contact_uid;
  std::vector<IndexedContact> contacts;
  int64_t read = 0;
  while (true) {
    Result<bool> step = row.Step();
    if (!step.ok()) return step.error();
    const bool done = !step.value();
    const std::string row_location = done ? std::string() : row.ColumnText(0);
    if (location_open && (done || row_location != location)) {
      settle_last(location, contacts);
      if (Status s = visit(location, contacts); !s.ok()) return s;
      contacts.clear();
      location_open = false;
      contact_open = false;
    }
    if (done) break;

    location = row_location;
    location_open = true;
    const std::string uid = row.ColumnText(1);
    if (!contact_open || uid != contact_uid) {
      settle_last(location, contacts);
      ++read;
      IndexedContact indexed;
      indexed.contact.uid = uid;
      if (detail == ScanDetail::kFullRecord || !ReadMatchFields(row, &indexed.contact)) {
        Result<std::string> text = stored_record(uid);
        if (!text.ok()) return text.error();
        Result<Contact> contact = ContactFromJsonText(text.value());
        if (!contact.ok()) return BadRow(path_, uid, contact.error().message);
        indexed.contact = std::move(contact).value();
      }
      indexed.location_uid = location;
      indexed.field_count = static_cast<int>(row.ColumnInt(3));
      contacts.push_back(std::move(indexed));
      contact_open = true;
      contact_uid = uid;
    }
    AddKey(row, &contacts.back());
  }
  if (contacts_read != nullptr) *contacts_read = read;
  return Status::Ok();
}

Result<std::vector<SharedKey>> ContactIndex::FindCrossLocationKeys() {
  if (Status s = impl_->UseScanCache(); !s.ok()) return s.error();
  Result<std::unique_ptr<sqlite::Statement>> prepared = sqlite::Statement::Prepare(*impl_->db, kSharedKeyScan);
  if (!prepared.ok()) return prepared.error();
  sqlite::Statement& row = *prepared.value();

  std::vector<SharedKey> shared;
  SharedKey current;
  auto close_group = [&] {
    if (SpansLocations(current.holders)) shared.push_back(std::move(current));
    current = SharedKey();
  };
  while (true) {
    Result<bool> step = row.Step();
    if (!step.ok()) return step.error();
    if (!step.value()) break;
    const std::string key = row.ColumnText(0);
    const std::string kind = row.ColumnText(1);
    if (key != current.natural_key || kind != current.kind) {
      close_group();
      current.natural_key = key;
      current.kind = kind;
    }
    SharedKeyHolder holder{row.ColumnText(3), row.ColumnText(2), row.ColumnText(5), row.ColumnText(4)};
    // A contact may list the same number twice (with two extensions).
    const bool repeat = !current.holders.empty() && current.holders.back().contact_uid == holder.contact_uid &&
                        current.holders.back().location_uid == holder.location_uid;
    if (!repeat) current.holders.push_back(std::move(holder));
  }
  close_group();
  return shared;
}

Result<std::vector<std::pair<std::string, std::string>>> ContactIndex::FindContactsByKey(
    const std::string& natural_key) {
  Result<std::unique_ptr<sqlite::Statement>> prepared = sqlite::Statement::Prepare(
      *impl_->db,
      "SELECT DISTINCT k.contact_uid, k.location_uid FROM contact_keys k "
      "JOIN contacts c ON c.uid = k.contact_uid "
      "WHERE k.natural_key = ?1 AND c.deleted_at IS NULL ORDER BY k.contact_uid, k.location_uid");
  if (!prepared.ok()) return prepared.error();
  sqlite::Statement& row = *prepared.value();
  row.Bind(1, natural_key);
  std::vector<std::pair<std::string, std::string>> holders;
  while (true) {
    Result<bool> step = row.Step();
    if (!step.ok()) return step.error();
    if (!step.value()) return holders;
    holders.emplace_back(row.ColumnText(0), row.ColumnText(1));
  }
}

Result<IndexCounts> ContactIndex::Count() {
  Result<std::unique_ptr<sqlite::Statement>> prepared = sqlite::Statement::Prepare(
      *impl_->db,
      "SELECT (SELECT COUNT(*) FROM contacts), "
      "(SELECT COUNT(*) FROM contacts WHERE deleted_at IS NULL), "
      "(SELECT COUNT(*) FROM contact_keys), "
      "(SELECT COUNT(DISTINCT cl.location_uid) FROM contact_locations cl "
      " JOIN contacts c ON c.uid = cl.contact_uid WHERE c.deleted_at IS NULL)");
  if (!prepared.ok()) return prepared.error();
  sqlite::Statement& row = *prepared.value();
  Result<bool> step = row.Step();
  if (!step.ok()) return step.error();
  return IndexCounts{row.ColumnInt(0), row.ColumnInt(1), row.ColumnInt(2), row.ColumnInt(3)};
}

Result<std::map<std::string, int64_t>> ContactIndex::CountAllPhonesInvalidByReason() {
  Result<std::unique_ptr<sqlite::Statement>> prepared = sqlite::Statement::Prepare(*impl_->db, kAllPhonesInvalid);
  if (!prepared.ok()) return prepared.error();
  sqlite::Statement& row = *prepared.value();
  std::map<std::string, int64_t> counts;
  while (true) {
    Result<bool> step = row.Step();
    if (!step.ok()) return step.error();
    if (!step.value()) break;
    counts[row.ColumnText(0)] = row.ColumnInt(1);
  }
  return counts;
}

}  // namespace podium_dedup
