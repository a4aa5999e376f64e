// Test support for the merge suites: a temp folder with a contact export,
// the fake Podium server loaded with it, a real SQLite index built from the
// same contacts, and a client for the server.
#ifndef PODIUM_DEDUP_TESTS_MERGE_MERGE_TEST_ENV_H_
#define PODIUM_DEDUP_TESTS_MERGE_MERGE_TEST_ENV_H_

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "podium/fake_server_process.h"
#include "podium_dedup/audit_log.h"
#include "podium_dedup/contact_json.h"
#include "podium_dedup/index.h"
#include "podium_dedup/match.h"
#include "podium_dedup/merge.h"
#include "podium_dedup/phone.h"
#include "podium_dedup/podium_client.h"

namespace podium_dedup::testing {

inline constexpr const char* kMergeTokenEnv = "PODIUM_DEDUP_MERGE_TEST_TOKEN";
inline constexpr const char* kMergeToken = "merge-test-token-7c1e09d2";

// A contact object as an export line, in location `location`.
inline nlohmann::json MakeContact(const std::string& uid, const std::string& name, const std::string& phone,
                                  const std::string& updated_at, const std::string& location = "loc-1") {
  return nlohmann::json{{"uid", uid},
                        {"name", name},
                        {"phoneNumbers", phone.empty() ? nlohmann::json::array() : nlohmann::json::array({phone})},
                        {"emails", nlohmann::json::array()},
                        {"locations", {{{"uid", location}}}},
                        {"conversations", {{{"uid", "conv-" + uid}}}},
                        {"tags", nlohmann::json::array()},
                        {"attributes", nlohmann::json::array()},
                        {"createdAt", updated_at},
                        {"updatedAt", updated_at},
                        {"deletedAt", nullptr},
                        {"marketingOptOut", false},
                        {"smsOptOut", false},
                        {"emailOptOut", false}};
}

class MergeTestEnv {
 public:
  MergeTestEnv() {
    ::setenv(kMergeTokenEnv, kMergeToken, 1);
    settings_.default_region = "AU";
    db_path_ = (dir_.path() / "index.sqlite").string();
    audit_path_ = (dir_.path() / "audit-log.jsonl").string();
    data_path_ = (dir_.path() / "contacts.jsonl").string();
  }

  // Writes `contacts` as the export, starts the server on it and indexes it.
  void Start(const std::vector<nlohmann::json>& contacts, std::vector<std::string> server_args = {}) {
    std::ofstream out(data_path_);
    for (const nlohmann::json& contact : contacts) out << contact.dump() << '\n';
    out.close();
    server_args.insert(server_args.begin(), {"--data", data_path_, "--quiet"});
    ASSERT_EQ(server_.Start(server_args, kMergeTokenEnv, kMergeToken, dir_.path()), "");
    IndexContacts(contacts);
  }

  // Upserts `contacts` into the index, as an import or a refresh would.
  void IndexContacts(const std::vector<nlohmann::json>& contacts) {
    auto index = ContactIndex::Open(db_path_);
    ASSERT_TRUE(index.ok()) << index.error().message;
    PhoneNormalizer normalizer;
    for (const nlohmann::json& object : contacts) {
      Result<podium_dedup::Contact> contact = ContactFromJson(object);
      ASSERT_TRUE(contact.ok()) << contact.error().message;
      IndexEntry entry = BuildIndexEntry(contact.value(), settings_, normalizer, NormalizeEmail, "test");
      ASSERT_TRUE(index.value()->Upsert(entry).ok());
    }
    ASSERT_TRUE(index.value()->Flush().ok());
  }

  // Re-indexes from the server's current state, deleted contacts included.
  void RefreshIndexFromServer() {
    std::vector<nlohmann::json> contacts;
    for (const auto& item : State()) contacts.push_back(item);
    IndexContacts(contacts);
  }

  std::unique_ptr<PodiumClient> MakeClient() const {
    PodiumClientOptions options;
    options.base_url = server_.base_url();
    options.token_env = kMergeTokenEnv;
    options.rate_limit_per_minute = 0;
    options.backoff_base = std::chrono::milliseconds(5);
    options.backoff_max = std::chrono::milliseconds(50);
    options.jitter_seed = 7;
    auto client = PodiumClient::Create(options, NullLogger());
    EXPECT_TRUE(client.ok()) << client.error().message;
    return client.ok() ? std::move(client).value() : nullptr;
  }

  MergeOptions Options() const {
    MergeOptions options;
    options.db_path = db_path_;
    options.audit_log_path = audit_path_;
    options.all_auto = true;
    options.merge_in_progress_backoff = std::chrono::milliseconds(5);
    return options;
  }

  Result<MergeRunSummary> Merge(const MergeOptions& options) {
    auto client = MakeClient();
    return RunMerge(options, settings_, client.get(), *NullLogger());
  }

  // The contact as the API returns it now (deleted ones included).
  nlohmann::json ContactJson(const std::string& uid) const {
    HttpAnswer answer = SendRequest("GET", server_.base_url() + "/contacts/" + uid, kMergeToken);
    return answer.body.value("data", nlohmann::json());
  }

  // Every contact on the server, soft-deleted ones included.
  std::vector<nlohmann::json> State() const {
    HttpAnswer answer = server_.Admin("GET", "/admin/state");
    std::vector<nlohmann::json> contacts;
    for (const auto& contact : answer.body["data"]["contacts"]) contacts.push_back(contact);
    return contacts;
  }

  int64_t Counter(const std::string& name) const { return server_.Counters().value(name, int64_t{-1}); }

  void SetFaults(const nlohmann::json& faults) {
    ASSERT_EQ(server_.Admin("POST", "/admin/faults", faults).status, 200);
  }

  std::vector<nlohmann::json> AuditEvents() const {
    auto events = ReadAuditLog(audit_path_);
    EXPECT_TRUE(events.ok());
    return events.ok() ? events.value() : std::vector<nlohmann::json>{};
  }

  MergeStateRow StateRow(const std::string& cluster_id) const {
    auto store = MergeStateStore::Open(db_path_);
    EXPECT_TRUE(store.ok());
    auto row = store.value()->Get(cluster_id);
    EXPECT_TRUE(row.ok() && row.value().has_value()) << "no merge_state row for " << cluster_id;
    return row.ok() && row.value().has_value() ? *row.value() : MergeStateRow{};
  }

  Settings& settings() { return settings_; }
  FakeServerProcess& server() { return server_; }
  const FakeServerProcess& server() const { return server_; }
  const std::string& db_path() const { return db_path_; }
  const std::string& audit_path() const { return audit_path_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  FakeServerProcess server_;
  Settings settings_;
  std::string db_path_;
  std::string audit_path_;
  std::string data_path_;
};

}  // namespace podium_dedup::testing

#endif  // PODIUM_DEDUP_TESTS_MERGE_MERGE_TEST_ENV_H_
