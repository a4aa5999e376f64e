// End-to-end tests of `podium-dedup find-duplicates` reading from the API:
// the built binary runs as a real process against podium-fake-server on
// 127.0.0.1, and its clusters are compared with those of the same export
// read from a file.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "index_cli_fixture.h"
#include "podium/fake_server_process.h"

namespace podium_dedup::index_cli_test {
namespace {

using nlohmann::json;
using podium_dedup::testing::FakeServerProcess;
using podium_dedup::testing::GeneratedContactsOptions;
using podium_dedup::testing::WriteGeneratedContacts;

constexpr const char* kTokenEnv = "PODIUM_DEDUP_API_IMPORT_TEST_TOKEN";
constexpr const char* kToken = "api-import-test-token-5f3a9c";

class ApiImportCliTest : public IndexCliTest {
 protected:
  void SetUp() override {
    IndexCliTest::SetUp();
    // The children inherit the token through the environment only.
    setenv(kTokenEnv, kToken, 1);
  }
  void TearDown() override {
    server_.Stop();
    unsetenv(kTokenEnv);
    IndexCliTest::TearDown();
  }

  // Starts the fake server on `data` with `extra` flags; fails the test
  // when it does not come up.
  void StartServer(const std::filesystem::path& data, std::vector<std::string> extra = {"--rate-limit", "0"}) {
    std::vector<std::string> args = {"--data", data.string(), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string problem = server_.Start(args, kTokenEnv, kToken, dir_);
    ASSERT_EQ(problem, "");
  }

  // Writes a tenant with known duplicates over several locations with the
  // generate subcommand.
  void GenerateTenant(const std::string& name, int people, int seed) {
    const CommandResult generated =
        Run({"generate", "--people", std::to_string(people), "--seed", std::to_string(seed), "--region", "AU",
             "--locations", "4", "--output", name, "--truth", name + ".truth.json", "--force"});
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
  }

  // Writes the server's contacts as an export file, so that the file
  // and the API carry the same objects (the server adds createdAt,
  // updatedAt and deletedAt to contacts that lack them).
  void WriteServerState(const std::string& name) {
    const auto state = server_.Admin("GET", "/admin/state");
    ASSERT_EQ(state.status, 200);
    const json& contacts = state.body.contains("data") ? state.body["data"]["contacts"] : state.body["contacts"];
    ASSERT_TRUE(contacts.is_array()) << state.body.dump().substr(0, 300);
    std::ofstream out(Path(name));
    for (const json& contact : contacts) out << contact.dump() << '\n';
  }

  CommandResult FindFromApi(const std::string& db, const std::string& output, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"find-duplicates", "--api-url", server_.base_url(), "--token-env", kTokenEnv,
                                     "--db", db, "--region", "AU", "--output", output, "--force"};
    if (std::find(extra.begin(), extra.end(), "--location-uid") == extra.end()) args.push_back("--all-locations");
    if (std::find(extra.begin(), extra.end(), "--rate-limit") == extra.end()) {
      args.insert(args.end(), {"--rate-limit", "0"});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  }

  CommandResult FindFromFile(const std::string& input, const std::string& db, const std::string& output) {
    return Run({"find-duplicates", "--input", input, "--db", db, "--region", "AU", "--output", output, "--force"});
  }

  FakeServerProcess server_;
};

// Returns the uid sets of the clusters in a clusters file.
std::set<std::set<std::string>> ClusterUidSets(const json& output) {
  std::set<std::set<std::string>> sets;
  for (const json& cluster : output["clusters"]) {
    sets.insert(cluster["contact_uids"].get<std::set<std::string>>());
  }
  return sets;
}

int64_t CountLines(const std::filesystem::path& path) {
  const std::string text = ReadText(path);
  return std::count(text.begin(), text.end(), '\n');
}

bool HasClusterWith(const json& output, const std::string& uid) {
  for (const json& cluster : output["clusters"]) {
    for (const json& member : cluster["contact_uids"]) {
      if (member == uid) return true;
    }
  }
  return false;
}

TEST_F(ApiImportCliTest, ApiIndexMatchesExportFile) {
  GenerateTenant("generated.jsonl", 1500, 11);
  StartServer(Path("generated.jsonl"));
  WriteServerState("export.jsonl");

  const CommandResult from_file = FindFromFile("export.jsonl", "file.sqlite", "file-clusters.json");
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  const CommandResult from_api = FindFromApi("api.sqlite", "api-clusters.json");
  ASSERT_EQ(from_api.exit_code, 0) << from_api.err;

  const json file_output = ReadJson(Path("file-clusters.json"));
  const json api_output = ReadJson(Path("api-clusters.json"));
  ASSERT_GT(file_output["clusters"].size(), 10u) << "the generated tenant should have duplicates";
  // Whole cluster objects: ids, members, primaries, evidence and opt-outs.
  EXPECT_EQ(api_output["clusters"], file_output["clusters"]);

  const json& api = api_output["summary"]["api"];
  const int64_t contacts = CountLines(Path("export.jsonl"));
  ASSERT_GT(contacts, 1500) << "a few thousand contacts across many pages";
  EXPECT_EQ(api["contacts_listed"], contacts);
  EXPECT_EQ(api["contacts_indexed"], contacts);
  EXPECT_GT(api["requests"].get<int64_t>(), contacts / 100) << "one list request per page of 100";
  EXPECT_EQ(api["locations"], 4);
  EXPECT_EQ(api_output["summary"]["index_live_contacts"], file_output["summary"]["index_live_contacts"]);
}

TEST_F(ApiImportCliTest, RetriesRateLimitsAndServerErrors) {
  GenerateTenant("generated.jsonl", 200, 5);
  // A window of 2 requests per second with a third of the requests failing:
  // the client limiter is off, so the server's 429 and Retry-After pace it.
  StartServer(Path("generated.jsonl"), {"--rate-limit", "2", "--rate-window-seconds", "1", "--error-rate", "0.3",
                                        "--seed", "4"});
  WriteServerState("export.jsonl");
  const CommandResult from_file = FindFromFile("export.jsonl", "file.sqlite", "file-clusters.json");
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;

  const CommandResult from_api = FindFromApi("api.sqlite", "api-clusters.json", {"--rate-limit", "0"});
  ASSERT_EQ(from_api.exit_code, 0) << from_api.err;
  const json api_output = ReadJson(Path("api-clusters.json"));
  EXPECT_EQ(api_output["clusters"], ReadJson(Path("file-clusters.json"))["clusters"]);
  const json& api = api_output["summary"]["api"];
  EXPECT_GT(api["retries"].get<int64_t>(), 0) << api.dump();
  const json counters = server_.Counters();
  EXPECT_GT(counters["injectedErrors"].get<int64_t>(), 0) << counters.dump();
  EXPECT_GT(counters["rateLimited"].get<int64_t>(), 0) << counters.dump();
  EXPECT_GT(api["rate_limited"].get<int64_t>(), 0) << api.dump();
}

// Contacts c-000001 and c-000005 are both in loc-2 and share nothing, so
// the generated tenant has no cluster until one of them is edited.
class IncrementalApiImportTest : public ApiImportCliTest {
 protected:
  static constexpr int kContacts = 600;

  void SetUp() override {
    ApiImportCliTest::SetUp();
    contacts_ = WriteGeneratedContacts(Path("tenant.jsonl"), GeneratedContactsOptions{.count = kContacts});
    StartServer(Path("tenant.jsonl"));
    const CommandResult first = FindFromApi("index.sqlite", "first.json");
    ASSERT_EQ(first.exit_code, 0) << first.err;
    first_ = ReadJson(Path("first.json"));
  }

  // Makes c-000005 a second record of c-000001's person, as an edit made
  // in Podium by someone else.
  void EditIntoDuplicate() {
    const json& original = contacts_[0];
    const auto touched = server_.Admin("POST", "/admin/touch/c-000005",
                                       {{"name", original["name"]},
                                        {"phoneNumbers", original["phoneNumbers"]},
                                        {"emails", original["emails"]}});
    ASSERT_EQ(touched.status, 200) << touched.body.dump();
  }

  std::vector<json> contacts_;
  json first_;
};

TEST_F(IncrementalApiImportTest, FirstRunListsTheWholeTenant) {
  EXPECT_EQ(first_["clusters"].size(), 0u) << first_["clusters"].dump();
  EXPECT_EQ(first_["summary"]["api"]["contacts_listed"], kContacts);
  EXPECT_EQ(first_["summary"]["api"]["previous_high_water_mark"], "");
  EXPECT_NE(first_["summary"]["api"]["high_water_mark"], "");
}

TEST_F(IncrementalApiImportTest, SecondRunListsOnlyEdits) {
  EditIntoDuplicate();
  ASSERT_EQ(server_.Admin("POST", "/admin/touch/c-000300", json::object()).status, 200);

  const CommandResult second = FindFromApi("index.sqlite", "second.json");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const json output = ReadJson(Path("second.json"));
  const json& api = output["summary"]["api"];
  EXPECT_EQ(api["previous_high_water_mark"], first_["summary"]["api"]["high_water_mark"]);
  // The two touched contacts, plus those that share the old mark's second.
  EXPECT_GE(api["contacts_listed"].get<int64_t>(), 2);
  EXPECT_LT(api["contacts_listed"].get<int64_t>(), 10) << api.dump();
  EXPECT_EQ(ClusterUidSets(output), (std::set<std::set<std::string>>{{"c-000001", "c-000005"}}));

  const CommandResult full = FindFromApi("index.sqlite", "full.json", {"--full-sync", "--all-locations"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const json full_output = ReadJson(Path("full.json"));
  EXPECT_EQ(full_output["summary"]["api"]["contacts_listed"], kContacts);
  EXPECT_EQ(full_output["summary"]["api"]["previous_high_water_mark"], "");
  EXPECT_EQ(ClusterUidSets(full_output), ClusterUidSets(output));
}

TEST_F(IncrementalApiImportTest, SoftDeletedContactLeavesCluster) {
  EditIntoDuplicate();
  const CommandResult second = FindFromApi("index.sqlite", "second.json");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const json before = ReadJson(Path("second.json"));
  ASSERT_TRUE(HasClusterWith(before, "c-000005")) << before["clusters"].dump();

  const auto deleted = server_.Admin("DELETE", "/v4/contacts/c-000005");
  ASSERT_EQ(deleted.status, 202) << deleted.body.dump();
  const CommandResult third = FindFromApi("index.sqlite", "third.json");
  ASSERT_EQ(third.exit_code, 0) << third.err;
  const json after = ReadJson(Path("third.json"));
  EXPECT_EQ(after["summary"]["api"]["soft_deleted"], 1) << after["summary"].dump();
  EXPECT_FALSE(HasClusterWith(after, "c-000005")) << after["clusters"].dump();
  EXPECT_FALSE(HasClusterWith(after, "c-000001")) << after["clusters"].dump();
  EXPECT_EQ(after["summary"]["index_live_contacts"].get<int64_t>(),
            before["summary"]["index_live_contacts"].get<int64_t>() - 1);
}

TEST_F(IncrementalApiImportTest, LocationRunHasOwnMark) {
  const CommandResult location = FindFromApi("index.sqlite", "loc.json", {"--location-uid", "loc-2"});
  ASSERT_EQ(location.exit_code, 0) << location.err;
  const json output = ReadJson(Path("loc.json"));
  // The mark of the --all-locations run does not apply to one location.
  EXPECT_EQ(output["summary"]["api"]["previous_high_water_mark"], "");
  EXPECT_EQ(output["summary"]["api"]["contacts_indexed"], kContacts / 4);
}

// Returns a loopback port that is bound but not listening while `socket_fd`
// stays open, so connecting to it is refused and no other test takes it.
int ReserveClosedPort(int* socket_fd) {
  *socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(*socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return -1;
  socklen_t length = sizeof(address);
  if (::getsockname(*socket_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return -1;
  return ntohs(address.sin_port);
}

struct FailureCase {
  std::string name;
  bool server_running;
  const char* token;  // nullptr: the variable is unset
  int exit_code;
  std::string code;
  std::string names;  // what the message must name
};

class ApiFailureTest : public ApiImportCliTest, public ::testing::WithParamInterface<FailureCase> {};

TEST_P(ApiFailureTest, FailsWithNamedCodeAndExit) {
  const FailureCase& failure = GetParam();
  std::string url;
  int closed_port_fd = -1;
  if (failure.server_running) {
    WriteGeneratedContacts(Path("tenant.jsonl"), GeneratedContactsOptions{.count = 20});
    StartServer(Path("tenant.jsonl"));
    url = server_.base_url();
  } else {
    const int port = ReserveClosedPort(&closed_port_fd);
    ASSERT_GT(port, 0);
    url = "http://127.0.0.1:" + std::to_string(port) + "/v4";
  }
  if (failure.token == nullptr) {
    unsetenv(kTokenEnv);
  } else {
    setenv(kTokenEnv, failure.token, 1);
  }
  const CommandResult result = Run({"find-duplicates", "--api-url", url, "--token-env", kTokenEnv,
                                    "--all-locations", "--db", "index.sqlite", "--output", "clusters.json"});
  if (closed_port_fd >= 0) ::close(closed_port_fd);

  EXPECT_EQ(result.exit_code, failure.exit_code) << result.err;
  EXPECT_NE(result.err.find(failure.code), std::string::npos) << result.err;
  // Each retry logs a warning, but the failure itself is reported once.
  int reports = 0;
  std::istringstream lines(result.err);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(failure.code) != std::string::npos && line.find("retrying") == std::string::npos) ++reports;
  }
  EXPECT_EQ(reports, 1) << result.err;
  EXPECT_NE(result.err.find(failure.names), std::string::npos) << result.err;
  if (failure.token != nullptr) {
    EXPECT_EQ(result.err.find(failure.token), std::string::npos) << "the token value leaked: " << result.err;
  }
  EXPECT_EQ(result.err.find(kToken), std::string::npos) << "the server's token leaked: " << result.err;
  EXPECT_FALSE(std::filesystem::exists(Path("clusters.json")));
}

INSTANTIATE_TEST_SUITE_P(
    ApiFailures, ApiFailureTest,
    ::testing::Values(FailureCase{"MissingTokenVariable", true, nullptr, 4, "ERR_DEDUP_TOKEN_MISSING", kTokenEnv},
                      FailureCase{"WrongToken", true, "wrong-token-value-8e1d", 4, "ERR_DEDUP_AUTH_UNAUTHENTICATED",
                                  kTokenEnv},
                      FailureCase{"UnreachableServer", false, kToken, 5, "ERR_DEDUP_NETWORK_", "127.0.0.1"}),
    [](const ::testing::TestParamInfo<FailureCase>& info) { return info.param.name; });

TEST_F(ApiImportCliTest, ApiUrlWithoutScopeIsUsageError) {
  const CommandResult result = Run({"find-duplicates", "--api-url", "http://127.0.0.1:9/v4", "--token-env",
                                    kTokenEnv, "--db", "index.sqlite", "--output", "clusters.json"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("ERR_DEDUP_USAGE_API_SCOPE"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("--all-locations"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(Path("index.sqlite")));
}

TEST_F(ApiImportCliTest, BothLocationScopesAreUsageError) {
  const CommandResult result =
      Run({"find-duplicates", "--api-url", "http://127.0.0.1:9/v4", "--token-env", kTokenEnv, "--all-locations",
           "--location-uid", "loc-1", "--db", "index.sqlite", "--output", "clusters.json"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("ERR_DEDUP_USAGE_API_SCOPE"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace podium_dedup::index_cli_test
