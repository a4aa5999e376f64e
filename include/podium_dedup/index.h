// The natural-key index: a SQLite file of contacts and their normalized keys.
//
// Import normalizes each contact once (phones to E.164 in the region of each
// of its locations, emails to comparison keys) and writes the contact, its
// keys and its phone rejections in one upsert. Matching then reads the live
// contacts back one location at a time, in a single ordered scan.
//
// A contact that belongs to several locations is filed under each of them:
// it has one `contacts` row (its home location is the first of
// `location_uids`), one `contact_locations` row per location, and its keys
// once per location, normalized in that location's region. So it is
// clustered within every location it belongs to.
//
// Thread safety: a ContactIndex owns one SQLite connection and must be used
// from one thread at a time.
#ifndef PODIUM_DEDUP_INDEX_H_
#define PODIUM_DEDUP_INDEX_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "podium_dedup/config.h"
#include "podium_dedup/contact.h"
#include "podium_dedup/log.h"
#include "podium_dedup/match.h"
#include "podium_dedup/phone.h"
#include "podium_dedup/result.h"

namespace podium_dedup {

// The index file used when --db is not given.
inline constexpr const char* kDefaultIndexPath = "./podium-dedup.sqlite";

// Schema version stored in PRAGMA user_version.
inline constexpr int kIndexSchemaVersion = 1;

// The keys of a contact in one of its locations.
struct LocationKeys {
  std::string location_uid;             // empty for a contact with no location
  std::string region;                   // region the phones were parsed in
  std::vector<NormalizedPhone> phones;  // valid numbers, first occurrence order, no repeats
  std::vector<RejectedPiece> phone_rejections;
};

// A contact ready to be written: the record and its normalized keys.
struct IndexEntry {
  Contact contact;
  std::vector<LocationKeys> locations;  // one per location uid, at least one
  std::vector<std::string> email_keys;  // normalized, no repeats, no empty values
  std::string source;                   // where the record came from: "file:NAME", "api"

  // The `contacts` row's columns that are computed from `contact`
  // (ComputeIndexColumns). Upsert computes them when this is empty. The
  // ParallelIndexWriter fills it on its normalizing threads, so that the
  // JSON encoding does not run on the index's single writer thread.
  struct Columns {
    std::string record_json;  // ContactToJson(contact)
    std::string emails_json;
    std::string tags_json;
    int field_count = 0;
  };
  std::optional<Columns> columns;
};

// Turns an email into its comparison key (NormalizeEmail in match.h). The
// index module takes it as a parameter because matching sits after the index
// in the module order.
using EmailKeyFunction = std::function<std::string(const std::string&)>;

// Normalizes `contact` for the index: each raw phone in the region of each
// of its locations (settings.RegionFor), each email through `email_key`.
IndexEntry BuildIndexEntry(Contact contact, const Settings& settings, const PhoneNormalizer& normalizer,
                           const EmailKeyFunction& email_key, std::string source);

// Computes the columns of IndexEntry::Columns from `contact`.
IndexEntry::Columns ComputeIndexColumns(const Contact& contact);

// Returns the reason why none of the entry's phones gave a key in its home
// location (the first rejection), or nullopt when a phone was valid or the
// contact has no phone value at all.
std::optional<std::string> AllPhonesInvalidReason(const IndexEntry& entry);

// One contact holding a natural key that contacts of other locations hold too.
struct SharedKeyHolder {
  std::string contact_uid;
  std::string location_uid;
  std::string location_name;  // from the locations table, may be empty
  std::string name;
};

// A natural key held by live contacts in more than one location.
struct SharedKey {
  std::string natural_key;
  std::string kind;  // "phone" or "email"
  std::vector<SharedKeyHolder> holders;  // sorted by location uid, then contact uid
};

struct IndexCounts {
  int64_t contacts = 0;       // all rows, soft-deleted included
  int64_t live_contacts = 0;  // deleted_at is NULL
  int64_t keys = 0;           // contact_keys rows
  int64_t locations = 0;      // distinct locations of live contacts
};

// The fields of each IndexedContact::contact that ForEachLocation fills in,
// and which contacts it visits.
enum class ScanDetail {
  kFullRecord,   // every field, from the stored record (what merging needs)
  kMatchFields,  // uid, name, emails, tags, opt-outs and timestamps: what
                 // FindClusters reads, without parsing the stored record
  // kMatchFields, for only the contacts that share a natural key with
  // another contact of their location. The others can be in no cluster,
  // and on generated tenants they are about half of all contacts. A
  // location whose contacts are all left out is visited with none.
  kMatchCandidates,
};

// Called once per location with its live contacts, sorted by uid. A non-ok
// status stops the scan and is returned by ForEachLocation.
using LocationVisitor = std::function<Status(const std::string& location_uid, std::vector<IndexedContact>& contacts)>;

class ContactIndex {
 public:
  // Contacts written per transaction. Larger batches write faster; a crash
  // loses at most one uncommitted batch, which the next import rewrites.
  static constexpr int kBatchSize = 5000;
  // Contacts per transaction while a first import loads an empty index.
  // Each commit rewrites every page it dirtied to the WAL, and random uids
  // dirty most leaf pages of the uid index in every batch, so small batches
  // on a million contacts wrote gigabytes. A crash then loses up to this
  // many contacts of the first import, which its rerun writes again.
  static constexpr int kBulkLoadBatchSize = 100000;

  // Opens (or creates, with mode 0600) the index at `path` and brings its
  // schema to kIndexSchemaVersion. Errors: ERR_DEDUP_DB_OPEN,
  // ERR_DEDUP_DB_SCHEMA_VERSION, ERR_DEDUP_DB_WRITE.
  static Result<std::unique_ptr<ContactIndex>> Open(const std::string& path,
                                                    std::shared_ptr<Logger> logger = NullLogger());

  // Rolls back a batch that Flush() did not commit, and logs it.
  ~ContactIndex();
  ContactIndex(const ContactIndex&) = delete;
  ContactIndex& operator=(const ContactIndex&) = delete;

  const std::string& path() const { return path_; }

  // Inserts or replaces a contact with its locations, keys and rejections.
  // Writes are grouped kBatchSize to a transaction; call Flush() at the end.
  // NOTE: the last write wins, even when its updated_at is older than the
  // stored row's; a caller that imports out of order must compare first.
  Status Upsert(const IndexEntry& entry);
  // Commits the open batch, if any.
  Status Flush();

  // Inserts or updates a location's display name and region.
  Status UpsertLocation(const std::string& uid, const std::string& name, const std::string& region);

  // Returns the stored high-water mark of `source`, or nullopt if none.
  Result<std::optional<std::string>> GetHighWaterMark(const std::string& source);

  // Returns the sources (IndexEntry::source) whose last import committed
  // some contacts but never reached Flush(): the process was stopped or
  // failed, so the index may miss part of that source.
  Result<std::vector<std::string>> UnfinishedImports();
  Status SetHighWaterMark(const std::string& source, const std::string& high_water_mark);

  // Visits the live contacts of each location, ordered by location uid, in
  // one scan. Only one location's contacts are in memory at a time.
  // `contacts_read`, when given, receives the number of live (contact,
  // location) rows read, those left out by kMatchCandidates included.
  Status ForEachLocation(const LocationVisitor& visit, ScanDetail detail = ScanDetail::kFullRecord,
                         int64_t* contacts_read = nullptr);

  // Returns the natural keys held by at least two different live contacts in
  // different locations, sorted by key.
  Result<std::vector<SharedKey>> FindCrossLocationKeys();

  // Returns the live (contact uid, location uid) pairs that hold `natural_key`,
  // sorted by contact uid, then location uid.
  Result<std::vector<std::pair<std::string, std::string>>> FindContactsByKey(const std::string& natural_key);

  Result<IndexCounts> Count();

  // Counts live contacts whose phones all failed in their home location, by
  // the first rejection reason.
  Result<std::map<std::string, int64_t>> CountAllPhonesInvalidByReason();

 private:
  struct Impl;
  ContactIndex(std::string path, std::unique_ptr<Impl> impl);

  std::string path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_INDEX_H_
