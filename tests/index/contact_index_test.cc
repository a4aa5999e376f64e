// Tests of the SQLite natural-key index, each on a real database file in its
// own temporary folder.
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "podium_dedup/index.h"

namespace podium_dedup {
namespace {

namespace fs = std::filesystem;

std::string LowerCase(const std::string& text) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower;
}

class ContactIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device seed;
    dir_ = fs::temp_directory_path() / ("podium-dedup-index-test-" + std::to_string(seed()));
    fs::create_directories(dir_);
    settings_.default_region = "AU";
    settings_.locations["loc-nz"] = LocationSettings{"NZ", "Auckland"};
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string DbPath() const { return (dir_ / "index.sqlite").string(); }

  std::unique_ptr<ContactIndex> OpenIndex() {
    Result<std::unique_ptr<ContactIndex>> index = ContactIndex::Open(DbPath());
    EXPECT_TRUE(index.ok()) << index.error().message;
    return index.ok() ? std::move(index).value() : nullptr;
  }

  IndexEntry Entry(const std::string& uid, std::vector<std::string> phones, std::vector<std::string> locations,
                   std::vector<std::string> emails = {}) {
    Contact contact;
    contact.uid = uid;
    contact.name = "Name " + uid;
    contact.phones = std::move(phones);
    contact.location_uids = std::move(locations);
    contact.emails = std::move(emails);
    contact.updated_at = "2026-01-01T00:00:00Z";
    return BuildIndexEntry(std::move(contact), settings_, normalizer_, LowerCase, "test");
  }

  // Writes `entries` and flushes, failing the test on any error.
  void Import(ContactIndex& index, const std::vector<IndexEntry>& entries) {
    for (const IndexEntry& entry : entries) ASSERT_TRUE(index.Upsert(entry).ok());
    ASSERT_TRUE(index.Flush().ok());
  }

  // Returns "location:uid" for every contact the per-location scan visits.
  std::vector<std::string> ScanOrder(ContactIndex& index) {
    std::vector<std::string> order;
    Status scanned = index.ForEachLocation([&](const std::string& location, std::vector<IndexedContact>& contacts) {
      for (const IndexedContact& c : contacts) order.push_back(location + ":" + c.contact.uid);
      return Status::Ok();
    });
    EXPECT_TRUE(scanned.ok()) << scanned.message();
    return order;
  }

  fs::path dir_;
  Settings settings_;
  PhoneNormalizer normalizer_;
};

TEST_F(ContactIndexTest, ImportTwiceKeepsRowCounts) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  const std::vector<IndexEntry> entries = {
      Entry("c1", {"0412 345 678", "02 9876 5432"}, {"loc-a"}, {"A@Example.com"}),
      Entry("c2", {"0412 345 678"}, {"loc-a", "loc-b"}),
  };
  Import(*index, entries);
  Result<IndexCounts> first = index->Count();
  ASSERT_TRUE(first.ok());
  Import(*index, entries);
  Result<IndexCounts> second = index->Count();
  ASSERT_TRUE(second.ok());

  EXPECT_EQ(first.value().contacts, 2);
  // c1: two phones and an email in loc-a; c2: one phone in each of two locations.
  EXPECT_EQ(first.value().keys, 5);
  EXPECT_EQ(second.value().contacts, first.value().contacts);
  EXPECT_EQ(second.value().keys, first.value().keys);
  EXPECT_EQ(second.value().locations, 2);
}

TEST_F(ContactIndexTest, UpsertReplacesKeysOfChangedContact) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  Import(*index, {Entry("c1", {"0412 345 678"}, {"loc-a"})});
  Import(*index, {Entry("c1", {"0498 765 432"}, {"loc-a"})});

  Result<std::vector<std::pair<std::string, std::string>>> old_key = index->FindContactsByKey("+61412345678");
  Result<std::vector<std::pair<std::string, std::string>>> new_key = index->FindContactsByKey("+61498765432");
  ASSERT_TRUE(old_key.ok());
  ASSERT_TRUE(new_key.ok());
  EXPECT_TRUE(old_key.value().empty());
  ASSERT_EQ(new_key.value().size(), 1u);
  EXPECT_EQ(new_key.value()[0].first, "c1");
}

TEST_F(ContactIndexTest, ContactWithTwoPhonesReachableFromBoth) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  Import(*index, {Entry("c1", {"0412 345 678", "(02) 9876 5432"}, {"loc-a"}), Entry("c2", {"0400 000 001"}, {"loc-a"})});

  for (const std::string key : {"+61412345678", "+61298765432"}) {
    Result<std::vector<std::pair<std::string, std::string>>> holders = index->FindContactsByKey(key);
    ASSERT_TRUE(holders.ok()) << holders.error().message;
    ASSERT_EQ(holders.value().size(), 1u) << key;
    EXPECT_EQ(holders.value()[0].first, "c1") << key;
    EXPECT_EQ(holders.value()[0].second, "loc-a") << key;
  }
}

TEST_F(ContactIndexTest, SoftDeletedContactLeftOutOfScan) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  IndexEntry deleted = Entry("c2", {"0412 345 678"}, {"loc-a"});
  deleted.contact.deleted_at = "2026-02-01T00:00:00Z";
  Import(*index, {Entry("c1", {"0412 345 678"}, {"loc-a"}), deleted});

  EXPECT_EQ(ScanOrder(*index), std::vector<std::string>{"loc-a:c1"});
  Result<IndexCounts> counts = index->Count();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts.value().contacts, 2);
  EXPECT_EQ(counts.value().live_contacts, 1);
  Result<std::vector<std::pair<std::string, std::string>>> holders = index->FindContactsByKey("+61412345678");
  ASSERT_TRUE(holders.ok());
  EXPECT_EQ(holders.value().size(), 1u);
}

TEST_F(ContactIndexTest, ScanIsOrderedByLocationThenUid) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  Import(*index, {
                     Entry("c9", {"0412 345 678"}, {"loc-b"}),
                     Entry("c3", {}, {"loc-a"}),
                     Entry("c5", {"0412 345 679"}, {"loc-b", "loc-a"}),
                     Entry("c1", {"not a phone"}, {"loc-a"}),
                     Entry("c0", {"0412 345 670"}, {}),
                 });

  const std::vector<std::string> expected = {":c0", "loc-a:c1", "loc-a:c3", "loc-a:c5", "loc-b:c5", "loc-b:c9"};
  EXPECT_EQ(ScanOrder(*index), expected);
}

TEST_F(ContactIndexTest, ScanRebuildsContactAndKeys) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  IndexEntry entry = Entry("c1", {"0412 345 678", "021 123 4567"}, {"loc-nz"}, {"Ann@Example.com"});
  entry.contact.marketing_opt_out = true;
  entry.contact.tags.push_back(Tag{"t1", "vip", ""});
  Import(*index, {entry});

  std::vector<IndexedContact> seen;
  ASSERT_TRUE(index
                  ->ForEachLocation([&](const std::string&, std::vector<IndexedContact>& contacts) {
                    seen = contacts;
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(seen.size(), 1u);
  const IndexedContact& indexed = seen[0];
  EXPECT_EQ(indexed.location_uid, "loc-nz");
  EXPECT_EQ(indexed.contact.name, "Name c1");
  EXPECT_TRUE(indexed.contact.marketing_opt_out);
  ASSERT_EQ(indexed.contact.tags.size(), 1u);
  EXPECT_EQ(indexed.contact.tags[0].label, "vip");
  EXPECT_EQ(indexed.field_count, FieldCount(entry.contact));
  EXPECT_EQ(indexed.email_keys, std::vector<std::string>{"ann@example.com"});
  // loc-nz is in New Zealand, so the number written "021 123 4567" is an NZ
  // mobile; "0412 345 678" is not a valid NZ number.
  ASSERT_EQ(indexed.phones.size(), 1u);
  EXPECT_EQ(indexed.phones[0].e164, "+64211234567");
  EXPECT_EQ(indexed.phones[0].country, "NZ");
}

TEST_F(ContactIndexTest, VisitorErrorStopsScan) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  Import(*index, {Entry("c1", {}, {"loc-a"}), Entry("c2", {}, {"loc-b"})});

  int visits = 0;
  Status scanned = index->ForEachLocation([&](const std::string&, std::vector<IndexedContact>&) {
    ++visits;
    return Status(Error{"ERR_DEDUP_TEST_STOP", "stop"});
  });
  EXPECT_EQ(scanned.code(), "ERR_DEDUP_TEST_STOP");
  EXPECT_EQ(visits, 1);
}

TEST_F(ContactIndexTest, CrossLocationKeysNeedTwoContacts) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  ASSERT_TRUE(index->UpsertLocation("loc-b", "Bondi", "AU").ok());
  Import(*index, {
                     // One contact in two locations shares its number with no one.
                     Entry("solo", {"0400 111 222"}, {"loc-a", "loc-b"}),
                     // Two contacts of one location: a duplicate within it.
                     Entry("same1", {"0400 333 444"}, {"loc-a"}),
                     Entry("same2", {"0400 333 444"}, {"loc-a"}),
                     // Two contacts of different locations.
                     Entry("x1", {"0400 555 666"}, {"loc-a"}, {"x@example.com"}),
                     Entry("x2", {"0400 555 666"}, {"loc-b"}, {"X@example.com"}),
                 });

  Result<std::vector<SharedKey>> shared = index->FindCrossLocationKeys();
  ASSERT_TRUE(shared.ok()) << shared.error().message;
  ASSERT_EQ(shared.value().size(), 2u);
  EXPECT_EQ(shared.value()[0].natural_key, "+61400555666");
  EXPECT_EQ(shared.value()[0].kind, "phone");
  EXPECT_EQ(shared.value()[1].natural_key, "x@example.com");
  EXPECT_EQ(shared.value()[1].kind, "email");
  const std::vector<SharedKeyHolder>& holders = shared.value()[0].holders;
  ASSERT_EQ(holders.size(), 2u);
  EXPECT_EQ(holders[0].contact_uid, "x1");
  EXPECT_EQ(holders[0].location_uid, "loc-a");
  EXPECT_EQ(holders[0].location_name, "");
  EXPECT_EQ(holders[1].contact_uid, "x2");
  EXPECT_EQ(holders[1].location_name, "Bondi");
  EXPECT_EQ(holders[1].name, "Name x2");
}

TEST_F(ContactIndexTest, CountsContactsWhosePhonesAllFailed) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  const std::vector<IndexEntry> entries = {
      Entry("valid", {"0412 345 678", "12"}, {"loc-a"}),
      Entry("short", {"12"}, {"loc-a"}),
      Entry("none", {}, {"loc-a"}),
      Entry("blank", {"  "}, {"loc-a"}),
  };
  EXPECT_FALSE(AllPhonesInvalidReason(entries[0]).has_value());
  EXPECT_TRUE(AllPhonesInvalidReason(entries[1]).has_value());
  EXPECT_FALSE(AllPhonesInvalidReason(entries[2]).has_value());
  EXPECT_FALSE(AllPhonesInvalidReason(entries[3]).has_value());
  Import(*index, entries);

  Result<std::map<std::string, int64_t>> counts = index->CountAllPhonesInvalidByReason();
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  ASSERT_EQ(counts.value().size(), 1u);
  EXPECT_EQ(counts.value().begin()->first, *AllPhonesInvalidReason(entries[1]));
  EXPECT_EQ(counts.value().begin()->second, 1);
}

TEST_F(ContactIndexTest, SyncStateRoundTrip) {
  {
    auto index = OpenIndex();
    ASSERT_NE(index, nullptr);
    Result<std::optional<std::string>> missing = index->GetHighWaterMark("api");
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(missing.value().has_value());
    ASSERT_TRUE(index->SetHighWaterMark("api", "2026-01-01T00:00:00Z").ok());
    ASSERT_TRUE(index->SetHighWaterMark("api", "2026-03-04T05:06:07Z").ok());
  }
  auto reopened = OpenIndex();
  ASSERT_NE(reopened, nullptr);
  Result<std::optional<std::string>> mark = reopened->GetHighWaterMark("api");
  ASSERT_TRUE(mark.ok());
  EXPECT_EQ(mark.value(), std::optional<std::string>("2026-03-04T05:06:07Z"));
}

TEST_F(ContactIndexTest, NewFileHasOwnerOnlyMode) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  struct stat info {};
  ASSERT_EQ(::stat(DbPath().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(ContactIndexTest, UnwritablePathIsOpenError) {
  const std::string path = (dir_ / "missing-folder" / "index.sqlite").string();
  Result<std::unique_ptr<ContactIndex>> index = ContactIndex::Open(path);
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.error().code, "ERR_DEDUP_DB_OPEN");
  EXPECT_NE(index.error().message.find(path), std::string::npos) << index.error().message;
}

TEST_F(ContactIndexTest, FileThatIsNotDatabaseIsOpenError) {
  std::ofstream(DbPath()) << "id,name\n1,not a database, but long enough to have a header page of its own\n";
  Result<std::unique_ptr<ContactIndex>> index = ContactIndex::Open(DbPath());
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.error().code, "ERR_DEDUP_DB_OPEN");
  EXPECT_NE(index.error().message.find(DbPath()), std::string::npos) << index.error().message;
}

TEST_F(ContactIndexTest, NewerSchemaVersionIsRejected) {
  { OpenIndex(); }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(DbPath().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  Result<std::unique_ptr<ContactIndex>> index = ContactIndex::Open(DbPath());
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.error().code, "ERR_DEDUP_DB_SCHEMA_VERSION");
}

TEST_F(ContactIndexTest, UnflushedBatchIsRolledBack) {
  {
    auto index = OpenIndex();
    ASSERT_NE(index, nullptr);
    Import(*index, {Entry("kept", {}, {"loc-a"})});
    ASSERT_TRUE(index->Upsert(Entry("lost", {}, {"loc-a"})).ok());
  }
  auto reopened = OpenIndex();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(ScanOrder(*reopened), std::vector<std::string>{"loc-a:kept"});
}

TEST_F(ContactIndexTest, ImportLargerThanOneBatch) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  std::vector<IndexEntry> entries;
  for (int i = 0; i < ContactIndex::kBatchSize + 7; ++i) entries.push_back(Entry("c" + std::to_string(i), {}, {"l"}));
  Import(*index, entries);
  index.reset();

  auto reopened = OpenIndex();
  ASSERT_NE(reopened, nullptr);
  Result<IndexCounts> counts = reopened->Count();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts.value().contacts, ContactIndex::kBatchSize + 7);
}

}  // namespace
}  // namespace podium_dedup
