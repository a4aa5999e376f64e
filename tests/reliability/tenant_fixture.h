// Test support for the merge reliability suites: a generated tenant loaded
// into the fake Podium server, its index built by find-duplicates, and an
// oracle, computed from the input file alone, of what a correct merge of
// the auto-merge clusters leaves on the server.
#ifndef PODIUM_DEDUP_TESTS_RELIABILITY_TENANT_FIXTURE_H_
#define PODIUM_DEDUP_TESTS_RELIABILITY_TENANT_FIXTURE_H_

#include <algorithm>
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

// Strategy of the merge under test, which decides what the oracle expects
// of the duplicates. The merge endpoint sets mergedInto, and compose only
// soft-deletes them.
enum class OracleStrategy { kEndpoint, kCompose };

class TenantTest : public ::testing::Test {
 protected:
  // Generates `people` people, starts the fake server with them and
  // builds the index from the generated file. `server_args` adds fault flags.
  void SetUpTenant(int people, int seed, const std::vector<std::string>& server_args = {}) {
    ASSERT_NO_FATAL_FAILURE(GenerateTenant(people, seed));
    ASSERT_NO_FATAL_FAILURE(StartServer(seed, server_args));
    ASSERT_NO_FATAL_FAILURE(ImportFile("index.db", "clusters.json"));
    LoadOracleInput();
  }

  // Writes the settings and tenant.jsonl (with truth.json) to the test folder.
  void GenerateTenant(int people, int seed) {
    token_ = MakeSecretToken();
    WriteText(dir_.path() / "settings.yaml",
              "default_region: AU\napi:\n  token_env: " + std::string(kTokenEnv) +
                  "\n  rate_limit_per_minute: 1000000\n");
    RunResult generated = Dedup({"generate", "--people", std::to_string(people), "--seed", std::to_string(seed),
                                 "--locations", "2", "--output", "tenant.jsonl", "--truth", "truth.json"});
    ASSERT_TRUE(generated.exited && generated.exit_code == 0) << generated.Describe();
  }

  // Starts the fake server on tenant.jsonl without a rate limit, then
  // applies `server_args`.
  void StartServer(int seed, const std::vector<std::string>& server_args = {}) {
    std::vector<std::string> args = {"--data", (dir_.path() / "tenant.jsonl").string(), "--rate-limit", "0",
                                     "--seed", std::to_string(seed)};
    args.insert(args.end(), server_args.begin(), server_args.end());
    ASSERT_EQ(server_.Start(args, kTokenEnv, token_, dir_.path()), "");
  }

  // Builds the index `db` from tenant.jsonl and writes its clusters to `output`.
  void ImportFile(const std::string& db, const std::string& output) {
    RunResult indexed = Dedup({"find-duplicates", "--input", "tenant.jsonl", "--db", db, "--output", output});
    ASSERT_TRUE(indexed.exited && indexed.exit_code == 0) << indexed.Describe();
  }

  // Pulls every contact from the fake server into the index `db` and
  // writes its clusters to `output`.
  RunResult ImportFromApi(const std::string& db, const std::string& output) {
    return Dedup({"find-duplicates", "--api-url", server_.base_url(), "--all-locations", "--db", db, "--output",
                  output, "--force"});
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

  // The auto-merge clusters that compose must leave whole. The documented
  // API cannot set an sms or email opt-out, so compose would drop one that
  // only a duplicate has. Such a cluster goes to review instead, and
  // `merge --all-auto` does not plan it at all.
  std::set<std::string> ClustersComposeLeavesWhole() const {
    std::set<std::string> ids;
    for (const Json& cluster : auto_clusters_) {
      const Json& primary = input_.at(cluster["primary_uid"].get<std::string>());
      const Json& opt_out_union = cluster["opt_out_union"];
      const bool sms_dropped = opt_out_union.value("sms", false) && !OptedOut(primary, "smsOptOut");
      const bool email_dropped = opt_out_union.value("email", false) && !OptedOut(primary, "emailOptOut");
      if (sms_dropped || email_dropped) ids.insert(cluster["cluster_id"].get<std::string>());
    }
    return ids;
  }

  // Checks the server's end state against the oracle: each auto-merge
  // cluster has exactly one live member that holds every field and opt-out
  // any member had in the input, the others were merged into it (endpoint)
  // or soft-deleted (compose), and no contact outside those clusters was
  // deleted. Clusters in `left_whole` must instead keep every member live.
  void ExpectMergedExactlyOnce(const std::set<std::string>& left_whole = {},
                               OracleStrategy strategy = OracleStrategy::kEndpoint) {
    int64_t duplicates_removed = 0;
    const std::map<std::string, Json> now = ServerContacts();
    std::set<std::string> in_clusters;
    for (const Json& cluster : auto_clusters_) {
      const std::string id = cluster["cluster_id"].get<std::string>();
      SCOPED_TRACE("cluster " + id);
      if (left_whole.count(id) > 0) {
        for (const Json& uid : cluster["contact_uids"]) {
          in_clusters.insert(uid.get<std::string>());
          EXPECT_TRUE(Live(now.at(uid.get<std::string>()))) << uid << " of a cluster that must stay whole was deleted";
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
        if (uid != live[0]) {
          ++duplicates_removed;
          const Json& duplicate = now.at(uid.get<std::string>());
          const std::string merged_into = duplicate.contains("mergedInto") && duplicate["mergedInto"].is_string()
                                              ? duplicate["mergedInto"].get<std::string>()
                                              : "";
          EXPECT_EQ(merged_into, strategy == OracleStrategy::kEndpoint ? live[0] : "") << uid;
        }
        for (const char* field : {"name", "phoneNumbers", "emails", "address", "tags"}) {
          if (NonEmpty(before, field)) {
            EXPECT_TRUE(NonEmpty(primary, field)) << field << " of " << uid << " was lost";
          }
        }
        for (const char* flag : {"marketingOptOut", "smsOptOut", "emailOptOut"}) {
          if (OptedOut(before, flag)) {
            EXPECT_TRUE(OptedOut(primary, flag)) << flag << " of " << uid << " was lost";
          }
        }
      }
    }
    for (const auto& [uid, contact] : now) {
      if (in_clusters.count(uid) == 0 && input_.count(uid) > 0 && Live(input_.at(uid))) {
        EXPECT_TRUE(Live(contact)) << uid << " is in no auto-merge cluster but was deleted";
      }
    }
    // One applied merge call per cluster: a repeated one would fail on the
    // deleted duplicates, and a lost one leaves two live members. Compose
    // calls no merge and deletes each duplicate once.
    const Json counters = server_.Counters();
    if (strategy == OracleStrategy::kEndpoint) {
      EXPECT_EQ(counters.value("merges", -1), static_cast<int64_t>(auto_clusters_.size() - left_whole.size()));
    } else {
      EXPECT_EQ(counters.value("merges", -1), 0);
      EXPECT_EQ(counters.value("softDeletes", -1), duplicates_removed);
    }
  }

  // Every table that find-duplicates fills from contacts, one JSON array
  // per row in a fixed order, for comparing two imports. The `source`
  // column (file or API) and the location names, which only the API
  // lists, are left out.
  static std::string IndexContents(const std::filesystem::path& db) {
    static const char* const kQueries[] = {
        "SELECT json_array(uid, location_uid, name, emails, tags, marketing_opt_out, sms_opt_out, email_opt_out, "
        "deleted_at, updated_at, created_at, field_count, contact_json) FROM contacts ORDER BY uid",
        "SELECT json_array(location_uid, contact_uid) FROM contact_locations ORDER BY contact_uid, location_uid",
        "SELECT json_array(natural_key, kind, contact_uid, location_uid, position, national, country, extension, "
        "region_fallback) FROM contact_keys ORDER BY contact_uid, location_uid, position, kind, natural_key",
        "SELECT json_array(contact_uid, location_uid, position, piece, reason) FROM phone_rejections "
        "ORDER BY contact_uid, location_uid, position, piece",
    };
    std::string contents;
    for (const char* query : kQueries) contents += QueryDb(db, query) + "\n--\n";
    return contents;
  }

  // The number of rows in `table` of the index `db`.
  static int64_t RowCount(const std::filesystem::path& db, const std::string& table) {
    const std::string count = QueryDb(db, "SELECT count(*) FROM " + table);
    return count.rfind("error", 0) == 0 ? -1 : std::stoll(count);
  }

  // The clusters array of a find-duplicates output file.
  Json ClustersIn(const std::string& output) const {
    return Json::parse(ReadText(dir_.path() / output), nullptr, false).value("clusters", Json());
  }

  // Checks that the index `db` contains the same contacts, keys and phone
  // rejections as `oracle_db`, and reports the first row that differs.
  void ExpectSameIndex(const std::string& db, const std::string& oracle_db) const {
    const std::string actual_contents = IndexContents(dir_.path() / db);
    const std::string expected_contents = IndexContents(dir_.path() / oracle_db);
    // QueryDb returns "error: ..." in place of a query's rows, and two
    // failed queries would compare equal.
    const auto has_failed_query = [](const std::string& contents) {
      return contents.rfind("error: ", 0) == 0 || contents.find("--\nerror: ") != std::string::npos;
    };
    ASSERT_FALSE(has_failed_query(actual_contents)) << db << ": " << actual_contents.substr(0, 600);
    ASSERT_FALSE(has_failed_query(expected_contents)) << oracle_db << ": " << expected_contents.substr(0, 600);
    std::istringstream actual(actual_contents);
    std::istringstream expected(expected_contents);
    std::string actual_row;
    std::string expected_row;
    int64_t rows = 0;
    while (std::getline(expected, expected_row)) {
      ++rows;
      if (!std::getline(actual, actual_row)) {
        ADD_FAILURE() << db << " ends after " << rows - 1 << " rows; " << oracle_db << " has " << expected_row;
        return;
      }
      if (actual_row != expected_row) {
        ADD_FAILURE() << "row " << rows << " differs:\n  " << db << ": " << actual_row.substr(0, 600) << "\n  "
                      << oracle_db << ": " << expected_row.substr(0, 600);
        return;
      }
    }
    EXPECT_FALSE(std::getline(actual, actual_row)) << db << " has rows that " << oracle_db << " lacks: " << actual_row;
    EXPECT_GT(rows, 8) << "the oracle index " << oracle_db << " is empty";
  }

  // Checks that two find-duplicates outputs list the same clusters, and
  // reports the first cluster that differs.
  void ExpectSameClusters(const std::string& output, const std::string& oracle_output) const {
    const Json actual = ClustersIn(output);
    const Json expected = ClustersIn(oracle_output);
    ASSERT_TRUE(expected.is_array()) << oracle_output << " has no clusters array";
    ASSERT_FALSE(expected.empty()) << oracle_output << " lists no clusters";
    ASSERT_TRUE(actual.is_array()) << output << " has no clusters array";
    EXPECT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < std::min(actual.size(), expected.size()); ++i) {
      if (actual[i] != expected[i]) {
        ADD_FAILURE() << "cluster " << i << " differs:\n  " << output << ": " << actual[i].dump().substr(0, 600)
                      << "\n  " << oracle_output << ": " << expected[i].dump().substr(0, 600);
        return;
      }
    }
  }

  // Runs the API import into `db` until it exits 0, at most `attempts`
  // times. A run that stops must be a clear error (an ERR_DEDUP_ code on
  // stderr, no crash, no hang) that leaves no high-water mark, so that the
  // next run lists every contact again. Returns the number of runs.
  int ImportFromApiUntilDone(const std::string& db, const std::string& output, int attempts,
                             std::vector<std::string>* errors = nullptr) {
    for (int run = 1; run <= attempts; ++run) {
      const RunResult result = ImportFromApi(db, output);
      EXPECT_FALSE(result.crashed()) << result.Describe();
      EXPECT_FALSE(result.hung) << result.Describe();
      if (result.exited && result.exit_code == 0) return run;
      if (::testing::Test::HasFailure()) return run;
      const size_t code = result.err.find("[ERR_DEDUP_");
      EXPECT_NE(code, std::string::npos) << result.Describe();
      if (errors != nullptr && code != std::string::npos) {
        errors->push_back(result.err.substr(code + 1, result.err.find(']', code) - code - 1));
      }
      EXPECT_EQ(RowCount(dir_.path() / db, "sync_state"), 0) << "a stopped walk stored a high-water mark";
    }
    ADD_FAILURE() << "find-duplicates --api-url did not finish in " << attempts << " runs";
    return attempts;
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

  // The whole end-state check of a merge run: the oracle, the audit log,
  // the index, and a merge_state row of `patched` for every cluster the
  // oracle expects merged and no other row. A cluster left in conflict,
  // review, failed or mid-merge is unfinished work.
  void ExpectCleanEnd(const std::set<std::string>& left_whole = {},
                      OracleStrategy strategy = OracleStrategy::kEndpoint) {
    ExpectMergedExactlyOnce(left_whole, strategy);
    ExpectAuditLogParses();
    ExpectIndexWhole();
    EXPECT_EQ(MergeStatusCounts(), "patched=" + std::to_string(auto_clusters_.size() - left_whole.size()));
  }

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
