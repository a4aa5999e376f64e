// Tests of ParallelIndexWriter and of the match-fields scan, on real index
// files in a temporary folder.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "podium_dedup/index.h"
#include "podium_dedup/parallel_writer.h"

namespace podium_dedup {
namespace {

namespace fs = std::filesystem;

std::string Identity(const std::string& email) { return email; }

class ParallelWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device seed;
    dir_ = fs::temp_directory_path() / ("podium-dedup-parallel-writer-test-" + std::to_string(seed()));
    fs::create_directories(dir_);
    settings_.default_region = "AU";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string DbPath() const { return (dir_ / "index.sqlite").string(); }

  std::unique_ptr<ContactIndex> OpenIndex() {
    Result<std::unique_ptr<ContactIndex>> index = ContactIndex::Open(DbPath());
    EXPECT_TRUE(index.ok()) << index.error().message;
    return index.ok() ? std::move(index).value() : nullptr;
  }

  static Contact MakeContact(int number, const std::string& name) {
    Contact contact;
    contact.uid = "c" + std::to_string(number);
    contact.name = name;
    // Every tenth contact shares a phone with the one before it.
    const int line = number % 10 == 0 && number > 0 ? number - 1 : number;
    contact.phones = {"0412 " + std::to_string(100000 + line)};
    contact.emails = {"person" + std::to_string(number) + "@example.com"};
    contact.tags = {Tag{"t" + std::to_string(number % 3), "Tag " + std::to_string(number % 3), ""}};
    contact.location_uids = {number % 2 == 0 ? "loc-a" : "loc-b"};
    contact.marketing_opt_out = number % 7 == 0;
    contact.updated_at = "2026-01-01T00:00:00Z";
    return contact;
  }

  // Every contact the scan visits, by uid, read with `detail`.
  std::map<std::string, IndexedContact> Scan(ContactIndex& index, ScanDetail detail) {
    std::map<std::string, IndexedContact> seen;
    Status scanned = index.ForEachLocation(
        [&](const std::string&, std::vector<IndexedContact>& contacts) {
          for (IndexedContact& contact : contacts) seen[contact.contact.uid] = contact;
          return Status::Ok();
        },
        detail);
    EXPECT_TRUE(scanned.ok()) << scanned.message();
    return seen;
  }

  fs::path dir_;
  Settings settings_;
  PhoneNormalizer normalizer_;
};

TEST_F(ParallelWriterTest, LastRowOfRepeatedUidWins) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  constexpr int kContacts = 3000;
  ParallelWriterOptions options;
  options.threads = 3;
  options.batch_size = 7;  // many small batches, so their order is exercised
  int64_t last_reported = 0;
  options.on_written = [&](int64_t written) { last_reported = written; };
  {
    ParallelIndexWriter writer(*index, settings_, normalizer_, Identity, "test", options);
    for (int i = 0; i < kContacts; ++i) writer.Add(MakeContact(i, "First " + std::to_string(i)));
    // The same uids again, later in the input: these rows must win.
    for (int i = 0; i < kContacts; i += 100) writer.Add(MakeContact(i, "Second " + std::to_string(i)));
    ASSERT_TRUE(writer.Finish().ok());
    EXPECT_EQ(writer.written(), kContacts + kContacts / 100);
  }
  EXPECT_EQ(last_reported, kContacts + kContacts / 100);

  Result<IndexCounts> counts = index->Count();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts.value().contacts, kContacts);
  const std::map<std::string, IndexedContact> seen = Scan(*index, ScanDetail::kFullRecord);
  ASSERT_EQ(seen.size(), static_cast<size_t>(kContacts));
  for (int i = 0; i < kContacts; ++i) {
    const IndexedContact& contact = seen.at("c" + std::to_string(i));
    const std::string expected = (i % 100 == 0 ? "Second " : "First ") + std::to_string(i);
    EXPECT_EQ(contact.contact.name, expected);
    ASSERT_EQ(contact.phones.size(), 1u) << contact.contact.uid;
  }
}

TEST_F(ParallelWriterTest, ContactsOfAnUnfinishedWriterAreNotCommitted) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  {
    ParallelWriterOptions options;
    options.batch_size = 10;
    ParallelIndexWriter writer(*index, settings_, normalizer_, Identity, "test", options);
    for (int i = 0; i < 50; ++i) writer.Add(MakeContact(i, "Name"));
    // Destroyed without Finish(), as after a read error.
  }
  index.reset();  // rolls back the open batch
  auto reopened = OpenIndex();
  ASSERT_NE(reopened, nullptr);
  Result<IndexCounts> counts = reopened->Count();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts.value().contacts, 0);
}

TEST_F(ParallelWriterTest, MatchFieldsScanAgreesWithFullRecords) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  ParallelIndexWriter writer(*index, settings_, normalizer_, Identity, "test");
  for (int i = 0; i < 200; ++i) writer.Add(MakeContact(i, i % 5 == 0 ? "" : "Ann \"Lee\" " + std::to_string(i)));
  ASSERT_TRUE(writer.Finish().ok());

  const auto full = Scan(*index, ScanDetail::kFullRecord);
  const auto match = Scan(*index, ScanDetail::kMatchFields);
  ASSERT_EQ(full.size(), 200u);
  ASSERT_EQ(match.size(), full.size());
  for (const auto& [uid, record] : full) {
    const IndexedContact& fields = match.at(uid);
    EXPECT_EQ(fields.contact.name, record.contact.name) << uid;
    EXPECT_EQ(fields.contact.emails, record.contact.emails) << uid;
    ASSERT_EQ(fields.contact.tags.size(), record.contact.tags.size()) << uid;
    for (size_t i = 0; i < record.contact.tags.size(); ++i) {
      EXPECT_EQ(fields.contact.tags[i].uid, record.contact.tags[i].uid) << uid;
      EXPECT_EQ(fields.contact.tags[i].label, record.contact.tags[i].label) << uid;
    }
    EXPECT_EQ(fields.contact.marketing_opt_out, record.contact.marketing_opt_out) << uid;
    EXPECT_EQ(fields.contact.updated_at, record.contact.updated_at) << uid;
    EXPECT_EQ(fields.field_count, record.field_count) << uid;
    ASSERT_EQ(fields.phones.size(), record.phones.size()) << uid;
    EXPECT_EQ(fields.phones[0].e164, record.phones[0].e164) << uid;
    EXPECT_EQ(fields.email_keys, record.email_keys) << uid;
  }
}

TEST_F(ParallelWriterTest, CandidateScanLeavesOutContactsWithNoPartner) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  ParallelIndexWriter writer(*index, settings_, normalizer_, Identity, "test");
  for (int i = 0; i < 100; ++i) writer.Add(MakeContact(i, "Name"));
  // c200 shares only an email with c3, which is in the other location.
  Contact other_location = MakeContact(200, "Name");
  other_location.phones = {"0412 999 999"};
  other_location.emails = {"person3@example.com"};
  other_location.location_uids = {"loc-a"};
  writer.Add(other_location);
  // c201 and c202 share an email in loc-b, c202 is soft-deleted.
  Contact live = MakeContact(201, "Name");
  live.emails = {"shared@example.com"};
  Contact deleted = MakeContact(202, "Name");
  deleted.emails = {"shared@example.com"};
  deleted.location_uids = live.location_uids;
  deleted.deleted_at = "2026-02-01T00:00:00Z";
  writer.Add(live);
  writer.Add(deleted);
  // c203 shares c0's phone, both in loc-a.
  Contact partner = MakeContact(203, "Name");
  partner.phones = MakeContact(0, "Name").phones;
  partner.location_uids = {"loc-a"};
  writer.Add(partner);
  ASSERT_TRUE(writer.Finish().ok());

  std::vector<std::string> visited;
  int64_t read = 0;
  Status scanned = index->ForEachLocation(
      [&](const std::string&, std::vector<IndexedContact>& contacts) {
        for (const IndexedContact& contact : contacts) visited.push_back(contact.contact.uid);
        return Status::Ok();
      },
      ScanDetail::kMatchCandidates, &read);
  ASSERT_TRUE(scanned.ok()) << scanned.message();
  EXPECT_EQ(read, 103);  // c0..c99, c200, c201, c203; the deleted c202 is not read
  std::sort(visited.begin(), visited.end());
  // The phone pairs of MakeContact (c9 and c10, ...) and c200 with c3 are
  // in different locations. c201 is kept for its deleted partner's key,
  // which FindClusters then finds held once.
  const std::vector<std::string> expected = {"c0", "c201", "c203"};
  EXPECT_EQ(visited, expected);
}

// Index files written before the `tags` column held tag uids store labels
// only; their scan must read the tags from the stored record instead.
TEST_F(ParallelWriterTest, OldTagColumnReadFromRecord) {
  {
    auto index = OpenIndex();
    ASSERT_NE(index, nullptr);
    Contact contact = MakeContact(1, "Ann Lee");
    contact.tags = {Tag{"t-vip", "VIP", ""}};
    ASSERT_TRUE(index->Upsert(BuildIndexEntry(contact, settings_, normalizer_, Identity, "test")).ok());
    ASSERT_TRUE(index->Flush().ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(DbPath().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE contacts SET tags = '[\"VIP\"]'", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  const auto match = Scan(*index, ScanDetail::kMatchFields);
  ASSERT_EQ(match.size(), 1u);
  const Contact& read = match.begin()->second.contact;
  ASSERT_EQ(read.tags.size(), 1u);
  EXPECT_EQ(read.tags[0].uid, "t-vip");
  EXPECT_EQ(read.tags[0].label, "VIP");
}

// Returns the names of the secondary indexes in the file at `path`.
std::vector<std::string> IndexNames(const std::string& path) {
  sqlite3* db = nullptr;
  std::vector<std::string> names;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return names;
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                     -1, &statement, nullptr);
  while (sqlite3_step(statement) == SQLITE_ROW) {
    names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return names;
}

const std::vector<std::string> kSecondaryIndexes = {"contact_keys_by_contact", "contact_keys_by_key_location",
                                                    "contact_locations_by_contact", "contacts_for_matching",
                                                    "phone_rejections_by_contact"};

TEST_F(ParallelWriterTest, FirstImportEndsWithEveryIndex) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  ParallelIndexWriter writer(*index, settings_, normalizer_, Identity, "test");
  for (int i = 0; i < 6000; ++i) writer.Add(MakeContact(i, "Name"));
  ASSERT_TRUE(writer.Finish().ok());
  EXPECT_EQ(IndexNames(DbPath()), kSecondaryIndexes);
}

// A uid that comes back during a first import ends the bulk load, and its
// earlier key rows are replaced, not kept beside the new ones.
TEST_F(ParallelWriterTest, RepeatedUidInFirstImportReplacesItsKeys) {
  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  Contact first = MakeContact(5, "Ann");
  Contact second = MakeContact(5, "Ann");
  second.phones = {"0499 999 999"};
  ParallelIndexWriter writer(*index, settings_, normalizer_, Identity, "test");
  writer.Add(first);
  writer.Add(MakeContact(6, "Bob"));
  writer.Add(second);
  ASSERT_TRUE(writer.Finish().ok());

  EXPECT_EQ(IndexNames(DbPath()), kSecondaryIndexes);
  const auto seen = Scan(*index, ScanDetail::kFullRecord);
  ASSERT_EQ(seen.size(), 2u);
  const IndexedContact& ann = seen.at("c5");
  ASSERT_EQ(ann.phones.size(), 1u);
  EXPECT_EQ(ann.phones[0].e164, "+61499999999");
  Result<std::vector<std::pair<std::string, std::string>>> old_holders = index->FindContactsByKey("+61412100005");
  ASSERT_TRUE(old_holders.ok());
  EXPECT_TRUE(old_holders.value().empty());
}

// A process killed during a first import leaves committed batches without
// the secondary indexes; the next open builds them.
TEST_F(ParallelWriterTest, KilledFirstImportIndexedOnReopen) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<std::unique_ptr<ContactIndex>> index = ContactIndex::Open(DbPath());
    if (!index.ok()) _exit(2);
    for (int i = 0; i < ContactIndex::kBulkLoadBatchSize + 10; ++i) {
      if (!index.value()->Upsert(BuildIndexEntry(MakeContact(i, "Name"), settings_, normalizer_, Identity, "t")).ok()) {
        _exit(3);
      }
    }
    kill(getpid(), SIGKILL);  // no destructor, no Flush
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited with " << WEXITSTATUS(status);
  ASSERT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_TRUE(IndexNames(DbPath()).empty()) << "the first batch should be committed without indexes";

  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(IndexNames(DbPath()), kSecondaryIndexes);
  Result<IndexCounts> counts = index->Count();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts.value().contacts, ContactIndex::kBulkLoadBatchSize);
}

// An import killed after its first committed batch is named by
// UnfinishedImports until the same source is imported to the end.
TEST_F(ParallelWriterTest, KilledImportIsReportedUntilRerun) {
  {
    auto index = OpenIndex();
    ASSERT_NE(index, nullptr);
    ASSERT_TRUE(index->Upsert(BuildIndexEntry(MakeContact(0, "Ann"), settings_, normalizer_, Identity, "file:a")).ok());
    ASSERT_TRUE(index->Flush().ok());
    Result<std::vector<std::string>> none = index->UnfinishedImports();
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none.value().empty());
  }
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<std::unique_ptr<ContactIndex>> index = ContactIndex::Open(DbPath());
    if (!index.ok()) _exit(2);
    for (int i = 1; i <= ContactIndex::kBatchSize + 10; ++i) {
      IndexEntry entry = BuildIndexEntry(MakeContact(i, "Name"), settings_, normalizer_, Identity, "file:b");
      if (!index.value()->Upsert(entry).ok()) _exit(3);
    }
    kill(getpid(), SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited with " << WEXITSTATUS(status);

  auto index = OpenIndex();
  ASSERT_NE(index, nullptr);
  Result<std::vector<std::string>> unfinished = index->UnfinishedImports();
  ASSERT_TRUE(unfinished.ok());
  EXPECT_EQ(unfinished.value(), std::vector<std::string>{"file:b"});

  ParallelIndexWriter writer(*index, settings_, normalizer_, Identity, "file:b");
  for (int i = 1; i <= ContactIndex::kBatchSize + 10; ++i) writer.Add(MakeContact(i, "Name"));
  ASSERT_TRUE(writer.Finish().ok());
  unfinished = index->UnfinishedImports();
  ASSERT_TRUE(unfinished.ok());
  EXPECT_TRUE(unfinished.value().empty());
}

TEST_F(ParallelWriterTest, OtherApplicationsDatabaseIsRejected) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(DbPath().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE contacts (id INTEGER, foo TEXT)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  Result<std::unique_ptr<ContactIndex>> index = ContactIndex::Open(DbPath());
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.error().code, "ERR_DEDUP_DB_OPEN");
  EXPECT_NE(index.error().message.find("another application"), std::string::npos) << index.error().message;
  EXPECT_EQ(IndexNames(DbPath()), std::vector<std::string>{}) << "no index may be added to the other file";
}

}  // namespace
}  // namespace podium_dedup
