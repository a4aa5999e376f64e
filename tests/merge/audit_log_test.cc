// AuditLog on real files: permissions, whole lines, credential keys, and
// reading back a log with a torn last line.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "podium/fake_server_process.h"
#include "podium_dedup/audit_log.h"

namespace podium_dedup {
namespace {

using nlohmann::json;

TEST(AuditLogTest, CreatesFileOwnerReadWriteOnly) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "audit.jsonl").string();
  auto log = AuditLog::Open(path);
  ASSERT_TRUE(log.ok()) << log.error().message;

  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(AuditLogTest, AppendsOneObjectPerLine) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "audit.jsonl").string();
  {
    auto log = AuditLog::Open(path);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE(log.value()->Append({{"event", "plan"}, {"cluster_id", "cl-1"}}, false).ok());
    ASSERT_TRUE(log.value()->Append({{"event", "outcome"}, {"text", "line\nbreak"}}, true).ok());
  }
  // A second writer appends after the first one's lines.
  auto again = AuditLog::Open(path);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again.value()->Append({{"event", "undo_outcome"}}, true).ok());

  auto events = ReadAuditLog(path);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events.value().size(), 3u);
  EXPECT_EQ(events.value()[0]["event"], "plan");
  EXPECT_EQ(events.value()[1]["text"], "line\nbreak");
  EXPECT_EQ(events.value()[2]["event"], "undo_outcome");
  EXPECT_TRUE(events.value()[0].contains("ts"));
}

TEST(AuditLogTest, DropsCredentialKeys) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "audit.jsonl").string();
  auto log = AuditLog::Open(path);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(log.value()
                  ->Append({{"event", "call"},
                            {"Authorization", "Bearer secret-1"},
                            {"request", {{"headers", {{"authorization", "Bearer secret-2"}}}, {"token", "secret-3"}}}},
                           true)
                  .ok());

  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("secret"), std::string::npos);
  EXPECT_NE(text.find("\"event\":\"call\""), std::string::npos);
}

TEST(AuditLogTest, ReadSkipsTornLastLine) {
  testing::TempDir dir;
  const std::string path = (dir.path() / "audit.jsonl").string();
  std::ofstream(path) << "{\"event\":\"plan\"}\n{\"event\":\"outco";
  int skipped = 0;
  auto events = ReadAuditLog(path, &skipped);

  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events.value().size(), 1u);
  EXPECT_EQ(skipped, 1);
}

TEST(AuditLogTest, MissingFileIsReported) {
  testing::TempDir dir;
  auto events = ReadAuditLog((dir.path() / "absent.jsonl").string());

  ASSERT_FALSE(events.ok());
  EXPECT_EQ(events.error().code, "ERR_DEDUP_UNDO_AUDIT_LOG_NOT_FOUND");
}

TEST(AuditLogTest, UnwritablePathIsReported) {
  testing::TempDir dir;
  auto log = AuditLog::Open((dir.path() / "no-such-folder" / "audit.jsonl").string());

  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code, "ERR_DEDUP_MERGE_AUDIT_LOG_OPEN");
}

}  // namespace
}  // namespace podium_dedup
