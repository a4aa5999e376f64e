// Test support for the merge reliability suites: a generated tenant loaded
// into the fake Podium server, its index built by find-duplicates, and an
// oracle, computed from the input file alone, of what a correct merge of
// the auto-merge clusters leaves on the server.
#ifndef PODIUM_DEDUP_TESTS_RELIABILITY_TENANT_FIXTURE_H_
#define PODIUM_DEDUP_TESTS_RELIABILITY_TENANT_FIXTURE_H_

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "podium/fake_server_process.h"
#include "reliability/process_runner.h"

namespace podium_dedup::reliability {

using Json = nlohmann::json;

inline constexpr const char* kTokenEnv = "PODIUM_RELIABILITY_TOKEN";

// A token that cannot occur by chance in any file, so that a grep for it
// finds only a leak.
inline std::string MakeSecretToken() {
  std::random_device random;
  return "tok-SECRET-" + std::to_string(random()) + "-" + std::to_string(random()) + "-do-not-log";
}

// Reads a JSON Lines file; a line that does not parse is returned as a
// string, so a test can report it.
inline std::vector<Json> ReadJsonLines(const std::filesystem::path& path, std::vector<std::string>* bad_lines) {
  std::vector<Json> rows;
  std::istringstream text(ReadText(path));
  std::string line;
  while (std::getline(text, line)) {
    if (line.empty()) continue;
    Json row = Json::parse(line, nullptr, false);
    if (row.is_discarded()) {
      if (bad_lines != nullptr) bad_lines->push_back(line);
    } else {
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

class TenantTest : public ::testing::Test {
 protected:
  // Generates `people` people, starts the fake server with them and
  // builds the index. `server_args` adds fault flags.
  void SetUpTenant(int people, int seed, const std::vector<std::string>& server_args = {}) {
    token_ = MakeSecretToken();
    WriteText(dir_.path() / "settings.yaml",
              "default_region: AU\napi:\n  token_env: " + std::string(kTokenEnv) +
                  "\n  rate_limit_per_minute: 1000000\n");
    RunResult generated = Dedup({"generate", "--people", std::to_string(people), "--seed", std::to_string(seed),
                                 "--locations", "2", "--output", "tenant.jsonl", "--truth", "truth.json"});
    ASSERT_TRUE(generated.exited && generated.exit_code == 0) << generated.Describe();
    std::vector<std::string> args = {"--data", (dir_.path() / "tenant.jsonl").string(), "--rate-limit", "0",
                                     "--seed", std::to_string(seed)};
    args.insert(args.end(), server_args.begin(), server_args.end());
    ASSERT_EQ(server_.Start(args, kTokenEnv, token_, dir_.path()), "");
    RunResult indexed = Dedup({"find-duplicates", "--input", "tenant.jsonl", "--db", "index.db", "--output",
                               "clusters.json"});
    ASSERT_TRUE(indexed.exited && indexed.exit_code == 0) << indexed.Describe();
    LoadOracleInput();
  }

  // Runs podium-dedup in the test folder with the settings file and the token.
  RunResult Dedup(std::vector<std::string> args, RunOptions options = {}) {
    options.working_dir = dir_.path();
    options.env[kTokenEnv] = token_;
    const bool has_settings = std::filesystem::exists(dir_.path() / "settings.yaml");
    if (has_settings && !args.empty() && args[0] != "generate") {
      args.insert(args.begin() + 1, {"--config", "settings.yaml"});
    }
    RunResult result = RunDedup(args, options);
    logs_ += result.out + "\n" + result.err + "\n";
    return result;
  }

  RunResult Merge(const std::vector<std::string>& extra = {}, RunOptions options = {}) {
    std::vector<std::string> args = {"merge",       "--all-auto",  "--db",        "index.db",
                                     "--api-url",   server_.base_url(), "--audit-log", "audit.jsonl"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Dedup(args, options);
  }

  // Runs merge until it exits 0, at most `attempts` times, and fails the
  // test on a crash or a hang. Returns the number of runs.
  int MergeUntilDone(int attempts, const std::vector<std::string>& extra = {}) {
    for (int run = 1; run <= attempts; ++run) {
      const RunResult result = Merge(extra);
      EXPECT_FALSE(result.crashed()) << result.Describe();
      EXPECT_FALSE(result.hung) << result.Describe();
      if (result.exited && result.exit_code == 0) return run;
      if (::testing::Test::HasFailure()) return run;
      // Anything else must be a clear error that the next run resumes from.
      EXPECT_NE(result.err.find("[ERR_DEDUP_"), std::string::npos) << result.Describe();
    }
    ADD_FAILURE() << "merge did not finish in " << attempts << " runs";
    return attempts;
  }

  // The auto-merge clusters of find-duplicates, and every input record.
  void LoadOracleInput() {
    const Json clusters = Json::parse(ReadText(dir_.path() / "clusters.json"));
    for (const Json& cluster : clusters["clusters"]) {
      if (cluster["auto_merge"].get<bool>()) auto_clusters_.push_back(cluster);
    }
    for (const Json& contact : ReadJsonLines(dir_.path() / "tenant.jsonl", nullptr)) {
      input_[contact["uid"].get<std::string>()] = contact;
    }
  }

  std::map<std::string, Json> ServerContacts() const {
    std::map<std::string, Json> contacts;
    const testing::HttpAnswer state = server_.Admin("GET", "/admin/state");
    for (const Json& contact : state.body["data"]["contacts"]) contacts[contact["uid"].get<std::string>()] = contact;
    return contacts;
  }

  static bool Live(const Json& contact) { return !contact.contains("deletedAt") || contact["deletedAt"].is_null(); }
  static bool NonEmpty(const Json& contact, const std::string& field) {
    if (!contact.contains(field) || contact[field].is_null()) return false;
    if (contact[field].is_string()) return !contact[field].get<std::string>().empty();
    return !contact[field].empty();
  }
  static bool OptedOut(const Json& contact, const std::string& flag) {
    return contact.contains(flag) && contact[flag].is_boolean() && contact[flag].get<bool>();
  }

  // Checks the server's end state against the oracle: each auto-merge
  // cluster has exactly one live member that holds every field and opt-out
  // any member had in the input, the others were merged into it, and no
  // contact outside those clusters was deleted.
  // Clusters in `conflicted` must instead be left whole: every member live.
  void ExpectMergedExactlyOnce(const std::set<std::string>& conflicted = {}) {
    const std::map<std::string, Json> now = ServerContacts();
    std::set<std::string> in_clusters;
    for (const Json& cluster : auto_clusters_) {
      const std::string id = cluster["cluster_id"].get<std::string>();
      SCOPED_TRACE("cluster " + id);
      if (conflicted.count(id) > 0) {
        for (const Json& uid : cluster["contact_uids"]) {
          in_clusters.insert(uid.get<std::string>());
          EXPECT_TRUE(Live(now.at(uid.get<std::string>()))) << uid << " of a conflicting cluster was merged";
        }
        continue;
      }
      std::vector<std::string> live;
      for (const Json& uid : cluster["contact_uids"]) {
        in_clusters.insert(uid.get<std::string>());
        if (Live(now.at(uid.get<std::string>()))) live.push_back(uid.get<std::string>());
      }
      ASSERT_EQ(live.size(), 1u) << "a cluster must end with exactly one live member";
      const Json& primary = now.at(live[0]);
      for (const Json& uid : cluster["contact_uids"]) {
        const Json& before = input_.at(uid.get<std::string>());
        if (uid != live[0]) EXPECT_EQ(now.at(uid.get<std::string>()).value("mergedInto", ""), live[0]);
        for (const char* field : {"name", "phoneNumbers", "emails", "address", "tags"}) {
          if (NonEmpty(before, field)) EXPECT_TRUE(NonEmpty(primary, field)) << field << " of " << uid << " was lost";
        }
        for (const char* flag : {"marketingOptOut", "smsOptOut", "emailOptOut"}) {
          if (OptedOut(before, flag)) EXPECT_TRUE(OptedOut(primary, flag)) << flag << " of " << uid << " was lost";
        }
      }
    }
    for (const auto& [uid, contact] : now) {
      if (in_clusters.count(uid) == 0 && input_.count(uid) > 0 && Live(input_.at(uid))) {
        EXPECT_TRUE(Live(contact)) << uid << " is in no auto-merge cluster but was deleted";
      }
    }
    // One applied merge call per cluster: a repeated one would fail on the
    // deleted duplicates, and a lost one leaves two live members.
    EXPECT_EQ(server_.Counters().value("merges", -1), static_cast<int64_t>(auto_clusters_.size() - conflicted.size()));
  }

  // Every line of the audit log parses, including the last one.
  void ExpectAuditLogParses() {
    std::vector<std::string> bad;
    const std::vector<Json> events = ReadJsonLines(dir_.path() / "audit.jsonl", &bad);
    EXPECT_TRUE(bad.empty()) << bad.size() << " audit lines do not parse; first: " << (bad.empty() ? "" : bad[0]);
    const std::string text = ReadText(dir_.path() / "audit.jsonl");
    EXPECT_TRUE(text.empty() || text.back() == '\n') << "the audit log ends inside a line";
    EXPECT_FALSE(events.empty());
  }

  void ExpectIndexWhole() { EXPECT_EQ(IntegrityCheck(dir_.path() / "index.db"), "ok"); }

  // Cluster ids whose merge_state row has `status`.
  std::set<std::string> ClustersWithStatus(const std::string& status) {
    std::set<std::string> ids;
    std::istringstream rows(
        QueryDb(dir_.path() / "index.db", "SELECT cluster_id FROM merge_state WHERE status = '" + status + "'"));
    std::string id;
    while (std::getline(rows, id)) {
      if (!id.empty()) ids.insert(id);
    }
    return ids;
  }

  std::string MergeStatusCounts() {
    return QueryDb(dir_.path() / "index.db",
                   "SELECT status || '=' || count(*) FROM merge_state GROUP BY status ORDER BY status");
  }

  testing::TempDir dir_;
  testing::FakeServerProcess server_;
  std::string token_;
  std::string logs_;  // stdout and stderr of every podium-dedup run
  std::vector<Json> auto_clusters_;
  std::map<std::string, Json> input_;
};

}  // namespace podium_dedup::reliability

#endif  // PODIUM_DEDUP_TESTS_RELIABILITY_TENANT_FIXTURE_H_
