// PodiumClient against the real fake server over loopback HTTP: listings,
// retries under injected faults, errors, the merge extension and deletes.
#include "podium_dedup/podium_client.h"

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include "podium/fake_server_process.h"
#include "podium_dedup/podium_time.h"

namespace podium_dedup {
namespace {

using nlohmann::json;
using testing::FakeServerProcess;
using testing::TempDir;

constexpr const char* kTokenEnv = "PODIUM_DEDUP_TEST_TOKEN";
constexpr const char* kToken = "test-token-3f9a1c7e5b";

class PodiumClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_path_ = (dir_.path() / "contacts.jsonl").string();
    testing::GeneratedContactsOptions generated;
    generated.count = 3000;
    generated.locations = 4;
    contacts_ = testing::WriteGeneratedContacts(data_path_, generated);
    ::setenv(kTokenEnv, kToken, 1);
    logger_ = std::make_shared<Logger>("podium-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
    logger_->set_level(spdlog::level::debug);
  }

  void TearDown() override { server_.Stop(); }

  void StartServer(std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"--data", data_path_});
    ASSERT_EQ(server_.Start(args, kTokenEnv, kToken, dir_.path()), "");
  }

  PodiumClientOptions Options() const {
    PodiumClientOptions options;
    options.base_url = server_.base_url();
    options.token_env = kTokenEnv;
    options.rate_limit_per_minute = 0;
    options.backoff_base = std::chrono::milliseconds(10);
    options.backoff_max = std::chrono::milliseconds(100);
    options.jitter_seed = 42;
    return options;
  }

  std::unique_ptr<PodiumClient> MakeClient(const PodiumClientOptions& options) {
    Result<std::unique_ptr<PodiumClient>> client = PodiumClient::Create(options, logger_);
    EXPECT_TRUE(client.ok()) << client.error().message;
    return client.ok() ? std::move(client).value() : nullptr;
  }

  // Lists every contact and returns them by uid; fails the test on an error
  // or on a uid handed over twice.
  std::map<std::string, json> ListAll(PodiumClient& client, ListContactsOptions options = {}) {
    std::map<std::string, json> by_uid;
    int64_t handed_over = 0;
    Result<ListContactsSummary> summary = client.ListContacts(options, [&](const json& contact) {
      ++handed_over;
      by_uid[contact["uid"].get<std::string>()] = contact;
      return Status::Ok();
    });
    EXPECT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(handed_over, static_cast<int64_t>(by_uid.size()));
    return by_uid;
  }

  TempDir dir_;
  std::string data_path_;
  std::vector<json> contacts_;
  std::ostringstream log_;
  std::shared_ptr<Logger> logger_;
  FakeServerProcess server_;
};

TEST_F(PodiumClientTest, ListingEqualsDataFile) {
  StartServer();
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  const std::map<std::string, json> listed = ListAll(*client);

  ASSERT_EQ(listed.size(), contacts_.size());
  for (const json& expected : contacts_) {
    auto it = listed.find(expected["uid"].get<std::string>());
    ASSERT_NE(it, listed.end()) << expected["uid"];
    EXPECT_EQ(it->second, expected);
  }
  EXPECT_EQ(client->stats().requests, 30);  // 3000 contacts, 100 per page
  EXPECT_EQ(client->stats().retries, 0);
}

TEST_F(PodiumClientTest, FetchFiltersByLocation) {
  StartServer();
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  int64_t total = 0;
  std::set<std::string> uids;
  for (const std::string location : {"loc-1", "loc-2", "loc-3", "loc-4"}) {
    FetchOptions options;
    options.location_uid = location;
    Result<FetchSummary> summary = FetchContactsForIndex(
        *client, options,
        [&](Contact&& contact) {
          EXPECT_EQ(contact.location_uids, std::vector<std::string>{location});
          uids.insert(contact.uid);
          return Status::Ok();
        },
        *logger_);
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(summary.value().listed, 3000);
    EXPECT_EQ(summary.value().delivered, 750);
    EXPECT_EQ(summary.value().other_location, 2250);
    EXPECT_EQ(summary.value().high_water_mark, "2026-01-01T23:59:00Z");
    total += summary.value().delivered;
  }
  EXPECT_EQ(total, 3000);
  EXPECT_EQ(uids.size(), 3000u);
}

TEST_F(PodiumClientTest, SurvivesRateLimitAndServerErrors) {
  // The fault draws depend only on the seed and the order of requests, so
  // this seed fails the same requests on every run, none of them 4 times
  // in a row.
  StartServer({"--rate-limit", "10", "--rate-window-seconds", "1", "--error-rate", "0.3", "--seed", "7"});
  PodiumClientOptions options = Options();
  options.max_rate_limit_waits = 20;
  auto client = MakeClient(options);
  ASSERT_NE(client, nullptr);

  const std::map<std::string, json> listed = ListAll(*client);

  EXPECT_EQ(listed.size(), contacts_.size());
  const PodiumClientStats stats = client->stats();
  const json counters = server_.Counters();
  EXPECT_EQ(stats.requests, 30);
  EXPECT_GT(stats.rate_limited, 0);
  EXPECT_GT(stats.server_errors, 0);
  EXPECT_EQ(stats.attempts, stats.requests + stats.retries);
  EXPECT_EQ(stats.rate_limited, counters["rateLimited"].get<int64_t>());
  EXPECT_EQ(stats.server_errors, counters["injectedErrors"].get<int64_t>());
  EXPECT_EQ(stats.network_errors, 0);
  // Every page succeeded, so no page used more than max_attempts - 1 retries
  // for errors; the total bounds that.
  EXPECT_LE(stats.server_errors + stats.network_errors, stats.requests * (options.max_attempts - 1));
  EXPECT_GT(stats.retry_after_wait_seconds, 0);
}

TEST_F(PodiumClientTest, RetriesCutOffAnswers) {
  // As above, the seed fixes which responses are cut off. With it, no page
  // is cut off 4 times in a row.
  StartServer({"--reset-rate", "0.2", "--seed", "1"});
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  const std::map<std::string, json> listed = ListAll(*client);

  EXPECT_EQ(listed.size(), contacts_.size());
  EXPECT_GT(client->stats().network_errors, 0);
  EXPECT_EQ(client->stats().network_errors, server_.Counters()["resets"].get<int64_t>());
}

TEST_F(PodiumClientTest, ServerErrorsExhaustAttempts) {
  StartServer({"--error-rate", "1"});
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  Result<std::optional<json>> contact = client->GetContact("c-000001");

  ASSERT_FALSE(contact.ok());
  EXPECT_EQ(contact.error().code, kErrApiServerError);
  EXPECT_EQ(client->stats().attempts, 4);
  EXPECT_EQ(server_.Counters()["apiRequests"], 4);
}

TEST_F(PodiumClientTest, UpdatedAfterListsOnlyChanges) {
  StartServer();
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);
  std::string high_water;
  for (const auto& [uid, contact] : ListAll(*client)) high_water = std::max(high_water, contact["updatedAt"].get<std::string>());

  ASSERT_TRUE(client->PatchContact("c-000010", {{"name", "Renamed"}}).ok());
  ASSERT_TRUE(client->PatchContact("c-000020", {{"smsOptOut", true}}).ok());
  ASSERT_TRUE(client->DeleteContact("c-000030").ok());
  ASSERT_EQ(server_.Admin("POST", "/admin/touch/c-000040", {{"name", "Edited elsewhere"}}).status, 200);

  ListContactsOptions options;
  options.updated_after = high_water;
  const std::map<std::string, json> changed = ListAll(*client, options);
  EXPECT_EQ(changed.size(), 3u);
  EXPECT_EQ(changed.count("c-000010"), 1u);
  EXPECT_EQ(changed.count("c-000020"), 1u);
  EXPECT_EQ(changed.count("c-000040"), 1u);

  options.include_deleted = true;
  const std::map<std::string, json> with_deleted = ListAll(*client, options);
  EXPECT_EQ(with_deleted.size(), 4u);
  EXPECT_EQ(with_deleted.count("c-000030"), 1u);
}

TEST_F(PodiumClientTest, HighWaterMarkKeepsEditsDuringWalk) {
  StartServer();
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);
  int64_t seen = 0;
  FetchOptions options;

  // Halfway through the walk, c-000005 (already listed) is edited, then
  // c-002900 (not listed yet), so the max updatedAt seen is later than the
  // edit the walk missed.
  Result<FetchSummary> first = FetchContactsForIndex(
      *client, options,
      [&](Contact&&) {
        if (++seen == 1500) {
          EXPECT_EQ(server_.Admin("POST", "/admin/touch/c-000005", {{"name", "Edited early"}}).status, 200);
          EXPECT_EQ(server_.Admin("POST", "/admin/touch/c-002900", {{"name", "Edited late"}}).status, 200);
        }
        return Status::Ok();
      },
      *logger_);
  ASSERT_TRUE(first.ok()) << first.error().message;

  options.updated_after = first.value().high_water_mark;
  std::map<std::string, std::string> names;
  Result<FetchSummary> second = FetchContactsForIndex(
      *client, options,
      [&](Contact&& contact) {
        names[contact.uid] = contact.name;
        return Status::Ok();
      },
      *logger_);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(names["c-000005"], "Edited early");
  EXPECT_EQ(names["c-002900"], "Edited late");
  EXPECT_EQ(names.size(), 2u);
}

TEST_F(PodiumClientTest, LostMergeReplyRetriesIntoInvalidDuplicate) {
  StartServer({"--lost-reply-rate", "1"});
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  Result<json> merged = client->MergeContacts("c-000001", {"c-000005"});

  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.error().code, kErrApiInvalidDuplicateUid);
  EXPECT_EQ(client->stats().server_errors, 1);
  EXPECT_EQ(server_.Counters()["merges"], 1);  // the first attempt was applied
}

TEST_F(PodiumClientTest, EditAfterRequestsTouchesContact) {
  StartServer({"--edit-after-requests", "3", "--edit-uid", "c-000001"});
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);
  const std::string before = contacts_[0]["updatedAt"].get<std::string>();

  ListAll(*client);

  Result<std::optional<json>> contact = client->GetContact("c-000001");
  ASSERT_TRUE(contact.ok());
  ASSERT_TRUE(contact.value().has_value());
  EXPECT_GT((*contact.value())["updatedAt"].get<std::string>(), before);
  EXPECT_EQ(server_.Counters()["touches"], 1);
}

TEST_F(PodiumClientTest, WritesInOneSecondGetDistinctTimestamps) {
  StartServer();
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  std::set<std::string> stamps;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client->PatchContact("c-000001", {{"name", "Name " + std::to_string(i)}}).ok());
    Result<std::optional<json>> contact = client->GetContact("c-000001");
    ASSERT_TRUE(contact.ok());
    ASSERT_TRUE(contact.value().has_value());
    stamps.insert((*contact.value())["updatedAt"].get<std::string>());
  }
  EXPECT_EQ(stamps.size(), 5u);
}

TEST_F(PodiumClientTest, ExpiredCursorRestartsWithoutLoss) {
  StartServer({"--invalid-cursor-on-page", "7"});
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  std::map<std::string, int> times_seen;
  Result<ListContactsSummary> summary = client->ListContacts({}, [&](const json& contact) {
    ++times_seen[contact["uid"].get<std::string>()];
    return Status::Ok();
  });

  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary.value().restarts, 1);
  EXPECT_EQ(summary.value().duplicates_skipped, 700);  // the 7 pages read before the restart
  EXPECT_EQ(times_seen.size(), 3000u);
  for (const auto& [uid, count] : times_seen) EXPECT_EQ(count, 1) << uid;
  EXPECT_EQ(client->stats().cursor_restarts, 1);
}

TEST_F(PodiumClientTest, CursorMaxAgeExhaustsRestarts) {
  StartServer({"--cursor-max-age", "1"});
  auto first = MakeClient(Options());
  auto second = MakeClient(Options());
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  const auto stop = [](const json&) { return Status(Error{"STOP", "stop after one contact"}); };
  ListContactsOptions one_per_page;
  one_per_page.page_limit = 1;

  // Two other walks start during each page of the first one, so every cursor
  // of the first walk is two issues old when it comes back.
  int64_t seen = 0;
  Result<ListContactsSummary> summary = first->ListContacts({}, [&](const json&) {
    if (seen++ % 100 == 0) {
      second->ListContacts(one_per_page, stop);
      second->ListContacts(one_per_page, stop);
    }
    return Status::Ok();
  });

  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, kErrApiInvalidCursor);
  EXPECT_EQ(first->stats().cursor_restarts, 5);
}

TEST_F(PodiumClientTest, MissingTokenFailsBeforeRequests) {
  StartServer();
  ::unsetenv(kTokenEnv);

  Result<std::unique_ptr<PodiumClient>> client = PodiumClient::Create(Options(), logger_);

  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.error().code, kErrTokenMissing);
  EXPECT_NE(client.error().message.find(kTokenEnv), std::string::npos);
  EXPECT_EQ(server_.Counters()["apiRequests"], 0);
  EXPECT_EQ(server_.Counters()["unauthenticated"], 0);
}

TEST_F(PodiumClientTest, WrongTokenIsUnauthenticated) {
  StartServer();
  ::setenv(kTokenEnv, "not-the-token", 1);
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  Result<ListContactsSummary> summary = client->ListContacts({}, [](const json&) { return Status::Ok(); });

  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, kErrAuthUnauthenticated);
  EXPECT_NE(summary.error().message.find(kTokenEnv), std::string::npos);
  EXPECT_EQ(client->stats().attempts, 1);
}

TEST_F(PodiumClientTest, UnreachableServerIsNetworkError) {
  StartServer();
  PodiumClientOptions options = Options();
  server_.Stop();  // the port is now closed
  options.max_attempts = 2;
  auto client = MakeClient(options);
  ASSERT_NE(client, nullptr);

  Result<std::optional<json>> contact = client->GetContact("c-000001");

  ASSERT_FALSE(contact.ok());
  EXPECT_EQ(contact.error().code, kErrNetworkUnreachable);
  EXPECT_EQ(client->stats().attempts, 2);
  EXPECT_EQ(client->stats().network_errors, 2);
}

TEST_F(PodiumClientTest, ErrorPrefixesAreDistinct) {
  // main() maps error-code prefixes to exit codes, so these must differ.
  const std::set<std::string> prefixes = {std::string(kErrTokenMissing).substr(0, 15),
                                          std::string(kErrAuthUnauthenticated).substr(0, 14),
                                          std::string(kErrNetworkUnreachable).substr(0, 17)};
  EXPECT_EQ(prefixes.size(), 3u);
}

TEST(PodiumClientUrlTest, AcceptsOnlySecureOrLoopbackUrls) {
  struct Case {
    const char* url;
    const char* code;  // empty when accepted
  };
  const Case cases[] = {
      {"https://api.podium.com/v4", ""},
      {"http://127.0.0.1:8080/v4", ""},
      {"http://127.1.2.3/v4", ""},
      {"http://localhost:9/v4", ""},
      {"http://[::1]:8080/v4", ""},
      {"http://api.podium.com/v4", kErrUsageInsecureUrl},
      {"http://10.0.0.1/v4", kErrUsageInsecureUrl},
      {"http://127.0.0.1.example.com/v4", kErrUsageInsecureUrl},
      {"http://localhost.example.com/v4", kErrUsageInsecureUrl},
      {"ftp://api.podium.com/v4", kErrUsageInvalidUrl},
      {"not a url", kErrUsageInvalidUrl},
  };
  ::setenv(kTokenEnv, kToken, 1);
  for (const Case& test : cases) {
    PodiumClientOptions options;
    options.base_url = test.url;
    options.token_env = kTokenEnv;
    Result<std::unique_ptr<PodiumClient>> client = PodiumClient::Create(options, NullLogger());
    EXPECT_EQ(client.ok() ? "" : client.error().code, test.code) << test.url;
    EXPECT_EQ(IsAllowedApiUrl(test.url), std::string(test.code).empty()) << test.url;
  }
}

TEST_F(PodiumClientTest, TokenNeverLogged) {
  StartServer({"--rate-limit", "5", "--rate-window-seconds", "1", "--error-rate", "0.3", "--seed", "3"});
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);
  ListAll(*client);
  client->GetContact("no-such-contact");
  client->MergeContacts("c-000001", {"no-such-contact"});
  ::setenv(kTokenEnv, "wrong-token-d41d8c", 1);
  auto wrong = MakeClient(Options());
  ASSERT_NE(wrong, nullptr);
  Result<std::optional<json>> rejected = wrong->GetContact("c-000001");
  ASSERT_FALSE(rejected.ok());

  const std::string server_log = server_.ReadLog();
  const std::string client_log = log_.str();
  EXPECT_NE(server_log.find("GET /v4/contacts"), std::string::npos);  // the logs were captured
  EXPECT_NE(client_log.find("rate-limited"), std::string::npos);
  for (const std::string& secret : {std::string(kToken), std::string("wrong-token-d41d8c")}) {
    EXPECT_EQ(server_log.find(secret), std::string::npos);
    EXPECT_EQ(client_log.find(secret), std::string::npos);
    EXPECT_EQ(rejected.error().message.find(secret), std::string::npos);
  }
}

TEST_F(PodiumClientTest, MergeErrorsCarryTheirCodes) {
  StartServer({"--merge-in-progress", "c-000009"});
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);
  struct Case {
    const char* primary;
    std::vector<std::string> duplicates;
    const char* code;
  };
  // Contacts c-000001, c-000005 and c-000009 share loc-2; c-000002 is in loc-3.
  const Case cases[] = {
      {"c-000001", {"no-such-contact"}, kErrApiInvalidDuplicateUid},
      {"c-000001", {"c-000001"}, kErrApiInvalidDuplicateUid},
      {"no-such-contact", {"c-000005"}, kErrApiContactNotFound},
      {"c-000001", {"c-000009"}, kErrApiMergeInProgress},
      {"c-000001", {"c-000002"}, kErrApiCrossLocationMergeBlocked},
  };
  for (const Case& test : cases) {
    Result<json> merged = client->MergeContacts(test.primary, test.duplicates);
    ASSERT_FALSE(merged.ok()) << test.primary;
    EXPECT_EQ(merged.error().code, test.code) << test.primary << " <- " << test.duplicates[0];
  }
  EXPECT_EQ(client->stats().retries, 0);
  EXPECT_EQ(server_.Counters()["merges"], 0);
}

TEST_F(PodiumClientTest, MergeMovesConversationsAndSoftDeletes) {
  StartServer();
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  Result<json> merged = client->MergeContacts("c-000001", {"c-000005"});

  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ(merged.value()["conversations"],
            json::parse(R"([{"uid":"conv-c-000001"},{"uid":"conv-c-000005"}])"));
  Result<std::optional<json>> duplicate = client->GetContact("c-000005");
  ASSERT_TRUE(duplicate.ok());
  ASSERT_TRUE(duplicate.value().has_value());
  EXPECT_FALSE((*duplicate.value())["deletedAt"].is_null());
  EXPECT_EQ((*duplicate.value())["conversations"], json::array());

  Result<json> again = client->MergeContacts("c-000001", {"c-000005"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, kErrApiInvalidDuplicateUid);
}

TEST_F(PodiumClientTest, MergeAbsentWithoutExtension) {
  StartServer({"--disable-merge"});
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  Result<json> merged = client->MergeContacts("c-000001", {"c-000005"});

  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.error().code, kErrApiRouteNotFound);
}

TEST_F(PodiumClientTest, SoftDeleteAndRestore) {
  StartServer();
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client->DeleteContact("c-000003").ok());
  Result<std::optional<json>> deleted = client->GetContact("c-000003");
  ASSERT_TRUE(deleted.ok());
  ASSERT_TRUE(deleted.value().has_value());
  EXPECT_TRUE((*deleted.value())["deletedAt"].is_string());
  EXPECT_EQ(ListAll(*client).count("c-000003"), 0u);
  ListContactsOptions with_deleted;
  with_deleted.include_deleted = true;
  EXPECT_EQ(ListAll(*client, with_deleted).count("c-000003"), 1u);

  ASSERT_TRUE(client->RestoreContact("c-000003").ok());
  const std::map<std::string, json> listed = ListAll(*client);
  ASSERT_EQ(listed.count("c-000003"), 1u);
  EXPECT_TRUE(listed.at("c-000003")["deletedAt"].is_null());
  EXPECT_EQ(server_.Counters()["hardDeletes"], 0);
  EXPECT_EQ(server_.Counters()["softDeletes"], 1);
}

TEST_F(PodiumClientTest, HardDeleteIsCounted) {
  StartServer();
  // The client has no hard delete, so the test sends it directly to show
  // that the counter the pipeline tests read does move.
  const testing::HttpAnswer answer =
      testing::SendRequest("DELETE", server_.base_url() + "/contacts/c-000004?hard=true", kToken);

  EXPECT_EQ(answer.status, 202);
  EXPECT_EQ(server_.Counters()["hardDeletes"], 1);
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);
  Result<std::optional<json>> gone = client->GetContact("c-000004");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone.value().has_value());
}

TEST_F(PodiumClientTest, GetContactByPhoneEmailOrUid) {
  StartServer();
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  for (const std::string identifier : {"c-000042", "+61410000042", "contact42@example.com", "conv-c-000042"}) {
    Result<std::optional<json>> contact = client->GetContact(identifier);
    ASSERT_TRUE(contact.ok()) << identifier << ": " << contact.error().message;
    ASSERT_TRUE(contact.value().has_value()) << identifier;
    EXPECT_EQ((*contact.value())["uid"], "c-000042") << identifier;
  }
  Result<std::optional<json>> missing = client->GetContact("+61499999999");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value().has_value());
}

TEST_F(PodiumClientTest, CreateUpsertsByPhoneOrEmail) {
  StartServer();
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  Result<std::string> created =
      client->CreateContact({{"name", "New Person"}, {"phoneNumber", "+61499000001"}, {"locations", {"loc-1"}}});
  Result<std::string> updated =
      client->CreateContact({{"name", "Contact 8"}, {"email", "contact8@example.com"}, {"phoneNumber", "+61499000002"}});

  ASSERT_TRUE(created.ok()) << created.error().message;
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(updated.value(), "c-000008");
  Result<std::optional<json>> contact = client->GetContact("+61499000002");
  ASSERT_TRUE(contact.ok());
  ASSERT_TRUE(contact.value().has_value());
  EXPECT_EQ((*contact.value())["uid"], "c-000008");
  EXPECT_EQ((*contact.value())["phoneNumbers"], json({"+61410000008", "+61499000002"}));
  EXPECT_EQ(server_.Counters()["creates"], 1);
  EXPECT_EQ(server_.Counters()["upsertUpdates"], 1);
  EXPECT_EQ(ListAll(*client).count(created.value()), 1u);
}

TEST_F(PodiumClientTest, PatchRejectsUnknownField) {
  StartServer();
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  Status status = client->PatchContact("c-000001", {{"favouriteColour", "green"}});

  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), kErrApiInvalidRequestValues);
  EXPECT_NE(status.message().find("favouriteColour"), std::string::npos);
}

TEST_F(PodiumClientTest, ConsentTagsAndLocations) {
  StartServer();
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);

  ASSERT_TRUE(client->OptOut({"+61410000007", "PHONE"}).ok());
  ASSERT_TRUE(client->AddTag("c-000007", "tag-vip").ok());
  ASSERT_TRUE(client->PatchContact("c-000007", {{"emailOptOut", true}}).ok());
  Result<std::optional<json>> contact = client->GetContact("c-000007");
  ASSERT_TRUE(contact.ok());
  ASSERT_TRUE(contact.value().has_value());
  const json& object = *contact.value();
  EXPECT_EQ(object["marketingOptOut"], true);
  EXPECT_EQ(object["emailOptOut"], true);
  EXPECT_EQ(object["tags"][0]["uid"], "tag-vip");
  ASSERT_TRUE(client->RemoveTag("c-000007", "tag-vip").ok());

  Status unknown_channel = client->OptOut({"+61499999999", "PHONE"});
  EXPECT_EQ(unknown_channel.code(), kErrApiResourceNotFound);

  Result<std::vector<PodiumLocation>> locations = client->ListLocations();
  ASSERT_TRUE(locations.ok());
  ASSERT_EQ(locations.value().size(), 4u);
  EXPECT_EQ(locations.value()[0].uid, "loc-1");
  EXPECT_EQ(locations.value()[0].name, "Location loc-1");
}

TEST_F(PodiumClientTest, WrongVersionHeaderRejected) {
  StartServer();
  PodiumClientOptions options = Options();
  options.podium_version = "1999.01.01";
  auto client = MakeClient(options);
  ASSERT_NE(client, nullptr);

  Result<std::optional<json>> contact = client->GetContact("c-000001");

  ASSERT_FALSE(contact.ok());
  EXPECT_EQ(contact.error().code, kErrApiInvalidHeaderVersion);
}

TEST_F(PodiumClientTest, CallbackErrorStopsListing) {
  StartServer();
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);
  int seen = 0;

  Result<ListContactsSummary> summary = client->ListContacts({}, [&](const json&) {
    return ++seen == 150 ? Status(Error{"ERR_DEDUP_DB_WRITE", "disk full"}) : Status::Ok();
  });

  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, "ERR_DEDUP_DB_WRITE");
  EXPECT_EQ(client->stats().requests, 2);
}

TEST_F(PodiumClientTest, DumpOnStopWritesState) {
  const std::string dump_path = (dir_.path() / "dump.jsonl").string();
  StartServer({"--dump", dump_path});
  auto client = MakeClient(Options());
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->DeleteContact("c-000011").ok());

  const int status = server_.Stop();

  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream dump(dump_path);
  std::string line;
  int lines = 0;
  bool deleted_seen = false;
  while (std::getline(dump, line)) {
    ++lines;
    const json contact = json::parse(line);
    if (contact["uid"] == "c-000011") deleted_seen = contact["deletedAt"].is_string();
  }
  EXPECT_EQ(lines, 3000);
  EXPECT_TRUE(deleted_seen);
}

// Measures a listing of 3000 contacts with the client-side limiter on
// (300/min) and off, against a server that allows 300 requests per minute,
// in pages of 100 (30 requests) and of 8 (375 requests, more than the
// server allows in a minute). Run by hand:
//   build-podium/tests/podium_tests --gtest_also_run_disabled_tests --gtest_filter='*MeasureListing*'
TEST_F(PodiumClientTest, DISABLED_MeasureListing) {
  StartServer({"--rate-limit", "300", "--quiet"});
  for (int page_limit : {100, 8}) {
    for (int per_minute : {300, 0}) {
      // Setting the faults empties the server's window, so runs start equal.
      ASSERT_EQ(server_.Admin("POST", "/admin/faults", {{"rateLimit", 300}}).status, 200);
      PodiumClientOptions options = Options();
      options.rate_limit_per_minute = per_minute;
      options.backoff_base = std::chrono::milliseconds(500);
      auto client = MakeClient(options);
      ASSERT_NE(client, nullptr);
      ListContactsOptions pages;
      pages.page_limit = page_limit;

      const auto started = std::chrono::steady_clock::now();
      std::map<std::string, json> listed = ListAll(*client, pages);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

      const PodiumClientStats stats = client->stats();
      std::printf(
          "page %d, client limit %d/min: %zu contacts, %lld requests, %lld attempts, %lld retries, %lld 429s, "
          "%.1f s on the limiter, %.1f s on Retry-After, %.1f s in all\n",
          page_limit, per_minute, listed.size(), static_cast<long long>(stats.requests),
          static_cast<long long>(stats.attempts), static_cast<long long>(stats.retries),
          static_cast<long long>(stats.rate_limited), stats.rate_limiter_wait_seconds, stats.retry_after_wait_seconds,
          seconds);
    }
  }
}

}  // namespace
}  // namespace podium_dedup
