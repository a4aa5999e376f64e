// podium-dedup merge and undo as real processes: crashes at every step of
// the state machine (SIGKILL through PODIUM_DEDUP_FAILPOINT) followed by a
// clean run, two processes on one database, and dry runs.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "merge/merge_test_env.h"

namespace podium_dedup {
namespace {

using nlohmann::json;
using testing::MakeContact;
using testing::MergeTestEnv;

struct ProcessResult {
  int status = 0;  // as waitpid() reports it
  std::string out;
  std::string err;

  bool exited_with(int code) const { return WIFEXITED(status) && WEXITSTATUS(status) == code; }
  bool killed() const { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Starts podium-dedup with `args` and `extra_env` added to this process's
// environment; stdout and stderr go to files in `dir`.
pid_t StartCli(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
               const std::filesystem::path& dir, const std::string& name) {
  std::vector<std::string> argv_storage = {std::string(PODIUM_DEDUP_BINARY_DIR) + "/podium-dedup"};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "PODIUM_DEDUP_FAILPOINT=", 23) != 0) env_storage.push_back(*entry);
  }
  env_storage.insert(env_storage.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  const std::string out_path = (dir / (name + ".out")).string();
  const std::string err_path = (dir / (name + ".err")).string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

ProcessResult WaitCli(pid_t pid, const std::filesystem::path& dir, const std::string& name) {
  ProcessResult result;
  ::waitpid(pid, &result.status, 0);
  result.out = ReadFile(dir / (name + ".out"));
  result.err = ReadFile(dir / (name + ".err"));
  return result;
}

ProcessResult RunCli(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
                     const std::filesystem::path& dir, const std::string& name) {
  return WaitCli(StartCli(args, extra_env, dir, name), dir, name);
}

std::vector<std::string> MergeArgs(const MergeTestEnv& env, const std::string& strategy) {
  return {"merge",        "--db",        env.db_path(),          "--audit-log", env.audit_path(),
          "--all-auto",   "--api-url",   env.server().base_url(), "--token-env", testing::kMergeTokenEnv,
          "--strategy",   strategy,      "--config",             (env.dir() / "missing.yaml").string()};
}

// Jane's records for a crash test. The duplicate has a marketing opt-out
// and an address that the primary lacks, so every step of both strategies
// has work to do.
std::vector<json> CrashContacts() {
  json rich = MakeContact("c-jane-1", "Jane Citizen", "+61412345678", "2026-01-01T00:00:00Z");
  rich["emails"] = {"jane@example.com", "jane.work@example.com"};
  rich["tags"] = {{{"uid", "t-vip"}, {"label", "VIP"}}, {{"uid", "t-old"}, {"label", "Old"}}};
  json sparse = MakeContact("c-jane-2", "Jane Citizen", "0412 345 678", "2026-01-02T00:00:00Z");
  sparse["tags"] = {{{"uid", "t-new"}, {"label", "New"}}};
  sparse["address"] = {{"addressLine1", "1 George St"}, {"city", "Sydney"}};
  sparse["marketingOptOut"] = true;
  return {rich, sparse};
}

struct CrashCase {
  std::string strategy;
  std::string failpoint;
};

class MergeCrashTest : public ::testing::TestWithParam<CrashCase> {};

TEST_P(MergeCrashTest, KilledRunIsFinishedByNextRun) {
  const CrashCase& crash = GetParam();
  MergeTestEnv env;
  // The CLI reads the default settings file, so the region comes from
  // --config; a missing named file is an error, so write one.
  std::ofstream(env.dir() / "missing.yaml") << "default_region: AU\n";
  env.Start(CrashContacts());
  const std::vector<std::string> args = MergeArgs(env, crash.strategy);

  const ProcessResult killed = RunCli(args, {"PODIUM_DEDUP_FAILPOINT=" + crash.failpoint}, env.dir(), "killed");
  ASSERT_TRUE(killed.killed()) << "status " << killed.status << "\n" << killed.err;
  const ProcessResult resumed = RunCli(args, {}, env.dir(), "resumed");
  ASSERT_TRUE(resumed.exited_with(0)) << resumed.err;

  const std::string cluster_id = ClusterId({"c-jane-1", "c-jane-2"});
  EXPECT_EQ(env.StateRow(cluster_id).status, MergeStatus::kPatched);
  const json primary = env.ContactJson("c-jane-1");
  EXPECT_EQ(primary["marketingOptOut"], true);
  EXPECT_EQ(primary["address"]["addressLine1"], "1 George St");
  EXPECT_FALSE(env.ContactJson("c-jane-2")["deletedAt"].is_null());
  if (crash.strategy == "endpoint") {
    EXPECT_EQ(env.Counter("merges"), 1);
  } else {
    EXPECT_EQ(env.Counter("merges"), 0);
    EXPECT_EQ(env.Counter("softDeletes"), 1);
  }
  EXPECT_EQ(env.Counter("hardDeletes"), 0);
}

std::vector<CrashCase> CrashCases() {
  std::vector<CrashCase> cases;
  for (const char* step : {"after_lease_taken", "after_before_state_logged", "after_merging_written",
                           "after_merge_call", "after_merged_written", "after_patch_call", "after_patched_written"}) {
    cases.push_back({"endpoint", step});
  }
  for (const char* step : {"after_merging_written", "after_compose_patch_call", "after_compose_tags",
                           "after_compose_opt_outs", "after_merge_call", "after_merged_written", "after_patch_call",
                           "after_patched_written"}) {
    cases.push_back({"compose", step});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(EveryStep, MergeCrashTest, ::testing::ValuesIn(CrashCases()),
                         [](const ::testing::TestParamInfo<CrashCase>& info) {
                           return info.param.strategy + "_" + info.param.failpoint;
                         });

TEST(MergeCliTest, TwoProcessesMergeEachClusterOnce) {
  MergeTestEnv env;
  std::ofstream(env.dir() / "missing.yaml") << "default_region: AU\n";
  std::vector<json> contacts;
  constexpr int kPairs = 30;
  for (int i = 0; i < kPairs; ++i) {
    const std::string phone = "+614123400" + std::string(i < 10 ? "0" : "") + std::to_string(i);
    const std::string name = "Person " + std::to_string(i);
    contacts.push_back(MakeContact("c-" + std::to_string(i) + "-a", name, phone, "2026-01-01T00:00:00Z"));
    contacts.push_back(MakeContact("c-" + std::to_string(i) + "-b", name, phone, "2026-01-02T00:00:00Z"));
  }
  env.Start(contacts, {"--latency-ms", "3"});
  const std::vector<std::string> args = MergeArgs(env, "endpoint");

  const pid_t first = StartCli(args, {}, env.dir(), "first");
  const pid_t second = StartCli(args, {}, env.dir(), "second");
  const ProcessResult first_result = WaitCli(first, env.dir(), "first");
  const ProcessResult second_result = WaitCli(second, env.dir(), "second");
  ASSERT_TRUE(first_result.exited_with(0)) << first_result.err;
  ASSERT_TRUE(second_result.exited_with(0)) << second_result.err;

  const json first_summary = json::parse(first_result.out);
  const json second_summary = json::parse(second_result.out);
  EXPECT_EQ(first_summary["merged"].get<int>() + second_summary["merged"].get<int>(), kPairs);
  EXPECT_EQ(env.Counter("merges"), kPairs);
  EXPECT_EQ(env.Counter("hardDeletes"), 0);
  for (int i = 0; i < kPairs; ++i) {
    const std::string cluster_id = ClusterId({"c-" + std::to_string(i) + "-a", "c-" + std::to_string(i) + "-b"});
    EXPECT_EQ(env.StateRow(cluster_id).status, MergeStatus::kPatched) << cluster_id;
  }
}

TEST(MergeCliTest, DryRunNeedsNoServer) {
  MergeTestEnv env;
  std::ofstream(env.dir() / "missing.yaml") << "default_region: AU\n";
  env.Start(CrashContacts());
  const int64_t requests_before = env.Counter("apiRequests");
  std::vector<std::string> args = MergeArgs(env, "endpoint");
  args.push_back("--dry-run");
  const ProcessResult counted = RunCli(args, {}, env.dir(), "counted");
  ASSERT_TRUE(counted.exited_with(0)) << counted.err;
  EXPECT_EQ(env.Counter("apiRequests"), requests_before);

  // Port 1 on loopback has no listener: a request would fail the run.
  for (std::string& arg : args) {
    if (arg == env.server().base_url()) arg = "http://127.0.0.1:1/v4";
  }
  const ProcessResult unreachable = RunCli(args, {}, env.dir(), "unreachable");
  ASSERT_TRUE(unreachable.exited_with(0)) << unreachable.err;
  const json summary = json::parse(unreachable.out);
  EXPECT_EQ(summary["dry_run"], true);
  ASSERT_EQ(summary["plans"].size(), 1u);
  EXPECT_EQ(summary["plans"][0]["primary_uid"], "c-jane-1");
  EXPECT_EQ(summary["plans"][0]["opt_out_union"]["marketing"], true);
  EXPECT_FALSE(std::filesystem::exists(env.audit_path()));
}

TEST(MergeCliTest, MissingIndexIsNotCreated) {
  testing::TempDir dir;
  const std::filesystem::path db = dir.path() / "typo.sqlite";
  const ProcessResult result =
      RunCli({"merge", "--db", db.string(), "--all-auto", "--dry-run"}, {}, dir.path(), "missing");
  EXPECT_TRUE(result.exited_with(7)) << result.err;
  EXPECT_NE(result.err.find("ERR_DEDUP_DB_NOT_FOUND"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(db));
}

TEST(MergeCliTest, FailedClusterSetsMergeExitCode) {
  MergeTestEnv env;
  std::ofstream(env.dir() / "missing.yaml") << "default_region: AU\n";
  env.Start(CrashContacts(), {"--disable-merge"});
  const ProcessResult result = RunCli(MergeArgs(env, "endpoint"), {}, env.dir(), "failed");

  EXPECT_TRUE(result.exited_with(8)) << result.err;
  EXPECT_NE(result.err.find("ERR_DEDUP_MERGE_INCOMPLETE"), std::string::npos);
  EXPECT_EQ(json::parse(result.out)["failed"], 1);
}

TEST(MergeCliTest, UndoCommandRestoresDuplicate) {
  MergeTestEnv env;
  std::ofstream(env.dir() / "missing.yaml") << "default_region: AU\n";
  env.Start(CrashContacts());
  ASSERT_TRUE(RunCli(MergeArgs(env, "endpoint"), {}, env.dir(), "merge").exited_with(0));
  const std::string cluster_id = ClusterId({"c-jane-1", "c-jane-2"});

  const ProcessResult undo = RunCli({"undo", "--db", env.db_path(), "--audit-log", env.audit_path(), "--cluster-id",
                                     cluster_id, "--api-url", env.server().base_url(), "--token-env",
                                     testing::kMergeTokenEnv},
                                    {}, env.dir(), "undo");
  ASSERT_TRUE(undo.exited_with(0)) << undo.err;
  EXPECT_TRUE(env.ContactJson("c-jane-2")["deletedAt"].is_null());
  EXPECT_EQ(env.ContactJson("c-jane-1")["marketingOptOut"], false);
  EXPECT_EQ(env.StateRow(cluster_id).status, MergeStatus::kUndone);
}

TEST(MergeCliTest, HelpNamesEveryOption) {
  testing::TempDir dir;
  const ProcessResult help = RunCli({"merge", "--help"}, {}, dir.path(), "help");
  ASSERT_TRUE(help.exited_with(0));
  for (const char* option : {"--db", "--api-url", "--token-env", "--cluster-id", "--all-auto", "--dry-run",
                             "--strategy", "--audit-log", "--lease-seconds", "--max-clusters", "--output"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace podium_dedup
