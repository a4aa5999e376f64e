// Secrets and files: the access token never reaches a log, the audit log,
// the index or an output file; files that hold contact records are
// owner-only; outputs are not overwritten without --force; and plain HTTP to
// a host that is not loopback is refused before any connection.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "reliability/tenant_fixture.h"

namespace podium_dedup::reliability {
namespace {

// Every file under `dir` whose bytes contain `secret`, SQLite files and
// their journals included.
std::vector<std::string> FilesContaining(const std::filesystem::path& dir, const std::string& secret) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    if (ReadText(entry.path()).find(secret) != std::string::npos) found.push_back(entry.path().string());
  }
  return found;
}

class SecretsAndFilesTest : public TenantTest {};

TEST_F(SecretsAndFilesTest, TokenInNoLogOrFile) {
  ASSERT_NO_FATAL_FAILURE(SetUpTenant(120, 7));
  // Verbose runs log the most; the token must be in none of it.
  RunResult merged = Merge({"--verbose"});
  ASSERT_TRUE(merged.exited) << merged.Describe();
  EXPECT_EQ(merged.exit_code, 0) << merged.Describe();
  RunResult again = Dedup({"find-duplicates", "--verbose", "--db", "index.db", "--output", "after.json"});
  EXPECT_TRUE(again.exited && again.exit_code == 0) << again.Describe();
  server_.Stop();  // flushes the server's log

  ASSERT_TRUE(std::filesystem::exists(dir_.path() / "audit.jsonl"));
  EXPECT_EQ(logs_.find(token_), std::string::npos) << "the token is in a command's stdout or stderr";
  EXPECT_EQ(FilesContaining(dir_.path(), token_), std::vector<std::string>{});
}

TEST_F(SecretsAndFilesTest, AuditLogAndIndexOwnerOnly) {
  ASSERT_NO_FATAL_FAILURE(SetUpTenant(40, 8));
  RunResult merged = Merge();
  ASSERT_TRUE(merged.exited && merged.exit_code == 0) << merged.Describe();
  EXPECT_EQ(PermissionBits(dir_.path() / "index.db"), 0600u);
  EXPECT_EQ(PermissionBits(dir_.path() / "audit.jsonl"), 0600u);
}

TEST_F(SecretsAndFilesTest, IndexOwnerOnlyUnderOpenUmask) {
  WriteText(dir_.path() / "in.jsonl", "{\"uid\":\"a\",\"name\":\"A\",\"phoneNumbers\":[\"+61412345678\"]}\n");
  // The umask is inherited through exec, so the child runs under 000.
  const mode_t old_mask = ::umask(0);
  RunResult result = Dedup({"find-duplicates", "--input", "in.jsonl", "--db", "open.db", "--output", "c.json"});
  ::umask(old_mask);
  ASSERT_TRUE(result.exited && result.exit_code == 0) << result.Describe();
  EXPECT_EQ(PermissionBits(dir_.path() / "open.db"), 0600u);
}

TEST_F(SecretsAndFilesTest, OutputKeptWithoutForce) {
  WriteText(dir_.path() / "in.jsonl", "{\"uid\":\"a\",\"name\":\"A\",\"phoneNumbers\":[\"+61412345678\"]}\n");
  WriteText(dir_.path() / "clusters.json", "precious");
  RunResult refused = Dedup({"find-duplicates", "--input", "in.jsonl", "--db", "i.db", "--output", "clusters.json"});
  EXPECT_TRUE(refused.exited) << refused.Describe();
  EXPECT_EQ(refused.exit_code, 3) << refused.Describe();
  EXPECT_NE(refused.err.find("ERR_DEDUP_OUTPUT_EXISTS"), std::string::npos) << refused.Describe();
  EXPECT_EQ(ReadText(dir_.path() / "clusters.json"), "precious");

  WriteText(dir_.path() / "tenant.jsonl", "precious");
  RunResult generate = Dedup({"generate", "--people", "5", "--output", "tenant.jsonl", "--truth", "t.json"});
  EXPECT_NE(generate.exit_code, 0) << generate.Describe();
  EXPECT_EQ(ReadText(dir_.path() / "tenant.jsonl"), "precious");

  RunResult forced =
      Dedup({"find-duplicates", "--input", "in.jsonl", "--db", "i.db", "--output", "clusters.json", "--force"});
  EXPECT_TRUE(forced.exited && forced.exit_code == 0) << forced.Describe();
  EXPECT_NE(ReadText(dir_.path() / "clusters.json"), "precious");
}

TEST_F(SecretsAndFilesTest, PlainHttpToRemoteHostRejected) {
  // The child runs without a network, so even a client that tried to
  // connect could reach nothing; the test checks that it never tries.
  if (!CanIsolateNetwork(dir_.path())) GTEST_SKIP() << "unshare --net is not available, so the test will not risk a connection";
  token_ = MakeSecretToken();
  WriteText(dir_.path() / "settings.yaml", "api:\n  token_env: " + std::string(kTokenEnv) + "\n");
  WriteText(dir_.path() / "in.jsonl", "{\"uid\":\"a\",\"name\":\"A\",\"phoneNumbers\":[\"+61412345678\"]}\n");
  ASSERT_EQ(Dedup({"find-duplicates", "--input", "in.jsonl", "--db", "index.db", "--output", "c.json"}).exit_code, 0);
  for (const std::string url : {"http://10.1.2.3/v4", "http://192.168.0.10:8080/v4", "http://api.podium.com/v4",
                                "http://127.0.0.1.example.com/v4"}) {
    SCOPED_TRACE(url);
    RunOptions options;
    options.no_network = true;
    options.timeout = std::chrono::seconds(60);
    RunResult result = Dedup({"merge", "--all-auto", "--db", "index.db", "--api-url", url, "--audit-log", "a.jsonl"},
                             options);
    ASSERT_TRUE(result.exited) << result.Describe();
    EXPECT_EQ(result.exit_code, 2) << result.Describe();
    EXPECT_NE(result.err.find("ERR_DEDUP_USAGE_INSECURE_URL"), std::string::npos) << result.Describe();
    EXPECT_EQ(result.err.find(token_), std::string::npos);
  }
}

}  // namespace
}  // namespace podium_dedup::reliability
