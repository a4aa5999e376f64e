// RunMerge and UndoMerge against the fake Podium server over loopback HTTP,
// with a real SQLite index and audit log in a temp folder.
#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "merge/merge_test_env.h"
#include "podium_dedup/merge.h"

namespace podium_dedup {
namespace {

using nlohmann::json;
using testing::MakeContact;
using testing::MergeTestEnv;

// Jane's two records: the first is richer (it has an email and a tag more),
// the second has opted out of marketing and SMS.
std::vector<json> JaneContacts() {
  json rich = MakeContact("c-jane-1", "Jane Citizen", "+61412345678", "2026-01-01T00:00:00Z");
  rich["emails"] = {"jane@example.com"};
  rich["tags"] = {{{"uid", "t-vip"}, {"label", "VIP"}}};
  json sparse = MakeContact("c-jane-2", "Jane Citizen", "0412 345 678", "2026-01-02T00:00:00Z");
  sparse["tags"] = {{{"uid", "t-new"}, {"label", "New"}}};
  sparse["marketingOptOut"] = true;
  sparse["smsOptOut"] = true;
  json other = MakeContact("c-bob-1", "Bob Other", "+61498765432", "2026-01-03T00:00:00Z");
  return {rich, sparse, other};
}

const std::string kJaneCluster = ClusterId({"c-jane-1", "c-jane-2"});

std::set<std::string> UidsOf(const json& list) {
  std::set<std::string> uids;
  for (const json& item : list) uids.insert(item.value("uid", ""));
  return uids;
}

std::vector<json> EventsNamed(const std::vector<json>& events, std::string_view name) {
  std::vector<json> found;
  for (const json& event : events) {
    if (event.value("event", "") == name) found.push_back(event);
  }
  return found;
}

class MergeApiTest : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_EQ(env_.Counter("hardDeletes"), 0); }

  MergeRunSummary MergeOk(const MergeOptions& options) {
    Result<MergeRunSummary> summary = env_.Merge(options);
    EXPECT_TRUE(summary.ok()) << summary.error().code << ": " << summary.error().message;
    return summary.ok() ? summary.value() : MergeRunSummary{};
  }

  MergeTestEnv env_;
};

TEST_F(MergeApiTest, PlainMergeKeepsRicherRecordAndOptOutUnion) {
  env_.Start(JaneContacts());
  const MergeRunSummary summary = MergeOk(env_.Options());

  EXPECT_EQ(summary.clusters_planned, 1);
  EXPECT_EQ(summary.merged, 1);
  EXPECT_EQ(summary.opt_outs_forced, 2);
  const json primary = env_.ContactJson("c-jane-1");
  EXPECT_EQ(primary["name"], "Jane Citizen");
  EXPECT_EQ(UidsOf(primary["tags"]), (std::set<std::string>{"t-new", "t-vip"}));
  EXPECT_EQ(UidsOf(primary["conversations"]), (std::set<std::string>{"conv-c-jane-1", "conv-c-jane-2"}));
  EXPECT_EQ(primary["emails"], json({"jane@example.com"}));
  EXPECT_EQ(primary["marketingOptOut"], true);
  EXPECT_EQ(primary["smsOptOut"], true);
  EXPECT_EQ(primary["emailOptOut"], false);
  const json duplicate = env_.ContactJson("c-jane-2");
  EXPECT_FALSE(duplicate["deletedAt"].is_null());
  EXPECT_EQ(duplicate["mergedInto"], "c-jane-1");
  EXPECT_TRUE(env_.ContactJson("c-bob-1")["deletedAt"].is_null());
  EXPECT_EQ(env_.Counter("merges"), 1);
  EXPECT_EQ(env_.StateRow(kJaneCluster).status, MergeStatus::kPatched);
}

TEST_F(MergeApiTest, AuditLogHoldsBeforeAndAfterStateWithoutToken) {
  env_.Start(JaneContacts());
  MergeOk(env_.Options());

  const std::vector<json> events = env_.AuditEvents();
  const std::vector<json> before = EventsNamed(events, "before_state");
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0]["records"]["c-jane-2"]["smsOptOut"], true);
  EXPECT_TRUE(before[0]["records"]["c-jane-2"]["deletedAt"].is_null());
  const std::vector<json> after = EventsNamed(events, "after_state");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]["primary"]["marketingOptOut"], true);
  const std::vector<json> outcomes = EventsNamed(events, "outcome");
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0]["status"], "patched");
  EXPECT_EQ(EventsNamed(events, "plan").size(), 1u);

  std::ifstream in(env_.audit_path());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find(testing::kMergeToken), std::string::npos);
  EXPECT_EQ(std::filesystem::status(env_.audit_path()).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(MergeApiTest, DryRunSendsNoRequest) {
  env_.Start(JaneContacts());
  const int64_t requests_before = env_.Counter("apiRequests");
  MergeOptions options = env_.Options();
  options.dry_run = true;
  Result<MergeRunSummary> summary = RunMerge(options, env_.settings(), nullptr, *NullLogger());

  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(env_.Counter("apiRequests"), requests_before);
  ASSERT_EQ(summary.value().plans.size(), 1u);
  const MergePlan& plan = summary.value().plans[0];
  EXPECT_EQ(plan.primary_uid, "c-jane-1");
  EXPECT_EQ(plan.duplicate_uids, std::vector<std::string>{"c-jane-2"});
  EXPECT_TRUE(plan.opt_out_union.marketing);
  EXPECT_TRUE(plan.opt_out_union.sms);
  ASSERT_GE(plan.calls.size(), 4u);
  EXPECT_EQ(plan.calls[2].method, "POST");
  EXPECT_EQ(plan.calls[2].path, "/contacts/c-jane-1/merge");
  EXPECT_FALSE(std::filesystem::exists(env_.audit_path()));
}

TEST_F(MergeApiTest, DuplicateEditedMidRunEndsInConflict) {
  env_.Start(JaneContacts());
  // The edit lands on the run's second request: the GET of the duplicate.
  env_.SetFaults({{"editAfterRequests", env_.Counter("apiRequests") + 2},
                  {"editUid", "c-jane-2"},
                  {"editFields", {{"emails", {"jane.work@example.com"}}}}});
  const MergeRunSummary summary = MergeOk(env_.Options());

  EXPECT_EQ(summary.conflicts, 1);
  EXPECT_EQ(summary.merged, 0);
  EXPECT_EQ(env_.Counter("merges"), 0);
  EXPECT_TRUE(env_.ContactJson("c-jane-2")["deletedAt"].is_null());
  EXPECT_EQ(env_.StateRow(kJaneCluster).status, MergeStatus::kConflict);
  const std::vector<json> conflicts = EventsNamed(env_.AuditEvents(), "conflict_detected");
  ASSERT_EQ(conflicts.size(), 1u);
  const json& conflict = conflicts[0]["conflicts"][0];
  EXPECT_EQ(conflict["uid"], "c-jane-2");
  EXPECT_EQ(conflict["index_updated_at"], "2026-01-02T00:00:00Z");
  EXPECT_NE(conflict["api_updated_at"], conflict["index_updated_at"]);

  // After the index is refreshed, the next run merges the edited record.
  env_.SetFaults({{"editAfterRequests", 0}});
  env_.RefreshIndexFromServer();
  const MergeRunSummary second = MergeOk(env_.Options());
  EXPECT_EQ(second.merged, 1);
  EXPECT_EQ(env_.StateRow(kJaneCluster).status, MergeStatus::kPatched);
}

TEST_F(MergeApiTest, MergeInProgressIsRetriedThenFails) {
  env_.Start(JaneContacts(), {"--merge-in-progress", "c-jane-1"});
  const MergeRunSummary summary = MergeOk(env_.Options());

  EXPECT_EQ(summary.failed, 1);
  EXPECT_EQ(summary.retries, 3);
  EXPECT_EQ(env_.Counter("mergeInProgress"), 4);
  EXPECT_EQ(env_.Counter("merges"), 0);
  const MergeStateRow row = env_.StateRow(kJaneCluster);
  EXPECT_EQ(row.status, MergeStatus::kFailed);
  EXPECT_NE(row.last_error.find("ERR_DEDUP_API_MERGE_IN_PROGRESS"), std::string::npos);
  EXPECT_EQ(EventsNamed(env_.AuditEvents(), "retry").size(), 3u);

  // Once the other merge is over, the next run finishes this one.
  env_.SetFaults({{"mergeInProgressUids", json::array()}});
  const MergeRunSummary second = MergeOk(env_.Options());
  EXPECT_EQ(second.merged, 1);
  EXPECT_EQ(env_.Counter("merges"), 1);
}

TEST_F(MergeApiTest, CrossLocationBlockedGoesToReview) {
  std::vector<json> contacts = JaneContacts();
  contacts[1]["locations"] = {{{"uid", "loc-2"}}};
  env_.settings().same_entity_groups = {{"loc-1", "loc-2"}};
  env_.Start(contacts);
  const MergeRunSummary summary = MergeOk(env_.Options());

  EXPECT_EQ(summary.review, 1);
  EXPECT_EQ(summary.retries, 0);
  EXPECT_EQ(env_.Counter("merges"), 0);
  EXPECT_EQ(env_.StateRow(kJaneCluster).status, MergeStatus::kReview);
  EXPECT_NE(env_.StateRow(kJaneCluster).last_error.find("CROSS_LOCATION"), std::string::npos);
}

TEST_F(MergeApiTest, CrossLocationClusterWithoutGroupIsNotMerged) {
  std::vector<json> contacts = JaneContacts();
  contacts[1]["locations"] = {{{"uid", "loc-2"}}};
  env_.Start(contacts, {"--allow-cross-location-merge"});
  const MergeRunSummary summary = MergeOk(env_.Options());

  EXPECT_EQ(summary.clusters_planned, 0);
  EXPECT_EQ(env_.Counter("merges"), 0);
}

TEST_F(MergeApiTest, InvalidDuplicateUidReevaluatesCluster) {
  env_.Start(JaneContacts());
  // The duplicate is deleted by someone else right before the merge call.
  env_.SetFaults({{"editAfterRequests", env_.Counter("apiRequests") + 3},
                  {"editUid", "c-jane-2"},
                  {"editFields", {{"deletedAt", "2026-02-01T00:00:00Z"}}}});
  const MergeRunSummary summary = MergeOk(env_.Options());

  EXPECT_EQ(summary.conflicts, 1);
  EXPECT_EQ(env_.Counter("merges"), 0);
  EXPECT_EQ(env_.StateRow(kJaneCluster).status, MergeStatus::kConflict);
  const std::vector<json> conflicts = EventsNamed(env_.AuditEvents(), "conflict_detected");
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0]["reason"], "invalid_duplicate_uid");
}

TEST_F(MergeApiTest, PrimaryGoneAtMergeIsSkipped) {
  env_.Start(JaneContacts());
  env_.SetFaults({{"editAfterRequests", env_.Counter("apiRequests") + 3},
                  {"editUid", "c-jane-1"},
                  {"editFields", {{"deletedAt", "2026-02-01T00:00:00Z"}}}});
  const MergeRunSummary summary = MergeOk(env_.Options());

  EXPECT_EQ(summary.skipped, 1);
  EXPECT_EQ(env_.Counter("merges"), 0);
  EXPECT_EQ(env_.StateRow(kJaneCluster).status, MergeStatus::kSkipped);
  EXPECT_TRUE(env_.ContactJson("c-jane-2")["deletedAt"].is_null());
}

TEST_F(MergeApiTest, ServerErrorsAreRetriedByClient) {
  env_.Start(JaneContacts(), {"--error-rate", "0.4", "--seed", "3"});
  const MergeRunSummary summary = MergeOk(env_.Options());

  EXPECT_EQ(summary.merged, 1);
  EXPECT_GT(summary.retries, 0);
  EXPECT_GT(env_.Counter("injectedErrors"), 0);
  EXPECT_EQ(env_.Counter("merges"), 1);
}

TEST_F(MergeApiTest, MissingMergeEndpointFailsWithHint) {
  env_.Start(JaneContacts(), {"--disable-merge"});
  const MergeRunSummary summary = MergeOk(env_.Options());

  EXPECT_EQ(summary.failed, 1);
  EXPECT_NE(env_.StateRow(kJaneCluster).last_error.find("--strategy compose"), std::string::npos);
}

TEST_F(MergeApiTest, ComposeUsesDocumentedEndpointsOnly) {
  std::vector<json> contacts = JaneContacts();
  contacts[1]["smsOptOut"] = false;  // compose cannot set a transactional opt-out
  env_.Start(contacts, {"--disable-merge"});
  MergeOptions options = env_.Options();
  options.strategy = MergeStrategy::kCompose;
  const MergeRunSummary summary = MergeOk(options);

  EXPECT_EQ(summary.merged, 1);
  EXPECT_EQ(env_.Counter("merges"), 0);
  EXPECT_EQ(env_.Counter("softDeletes"), 1);
  const json primary = env_.ContactJson("c-jane-1");
  EXPECT_EQ(UidsOf(primary["tags"]), (std::set<std::string>{"t-new", "t-vip"}));
  EXPECT_EQ(primary["marketingOptOut"], true);
  EXPECT_FALSE(env_.ContactJson("c-jane-2")["deletedAt"].is_null());
}

TEST_F(MergeApiTest, ComposeSendsTransactionalOptOutToReview) {
  env_.Start(JaneContacts());
  MergeOptions options = env_.Options();
  options.strategy = MergeStrategy::kCompose;
  options.all_auto = false;
  options.cluster_id = kJaneCluster;
  const MergeRunSummary summary = MergeOk(options);

  EXPECT_EQ(summary.review, 1);
  EXPECT_EQ(env_.Counter("softDeletes"), 0);
  EXPECT_NE(env_.StateRow(kJaneCluster).last_error.find("transactional_opt_out_needs_endpoint"), std::string::npos);
}

TEST_F(MergeApiTest, StaleIndexDoesNotMergeTwice) {
  env_.Start(JaneContacts());
  MergeOk(env_.Options());
  const MergeRunSummary second = MergeOk(env_.Options());

  EXPECT_EQ(second.merged, 0);
  EXPECT_EQ(second.skipped, 1);
  ASSERT_EQ(second.clusters.size(), 1u);
  EXPECT_EQ(second.clusters[0].status, "already_done");
  EXPECT_EQ(env_.Counter("merges"), 1);
}

TEST_F(MergeApiTest, RestoredDuplicateIsMergedAgainAsRepeat) {
  env_.Start(JaneContacts());
  MergeOk(env_.Options());
  // An admin restores the duplicate in the UI.
  ASSERT_TRUE(env_.MakeClient()->RestoreContact("c-jane-2").ok());
  env_.RefreshIndexFromServer();
  const MergeRunSummary second = MergeOk(env_.Options());

  EXPECT_EQ(second.merged, 1);
  EXPECT_EQ(second.repeat_merges, 1);
  EXPECT_EQ(env_.Counter("merges"), 2);
  const std::vector<json> plans = EventsNamed(env_.AuditEvents(), "plan");
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_EQ(plans[0]["repeat_merge"], false);
  EXPECT_EQ(plans[1]["repeat_merge"], true);
  EXPECT_EQ(plans[1]["previous_merges"][0]["duplicate_uid"], "c-jane-2");
}

TEST_F(MergeApiTest, UndoRestoresBeforeState) {
  env_.Start(JaneContacts());
  const json primary_before = env_.ContactJson("c-jane-1");
  const json duplicate_before = env_.ContactJson("c-jane-2");
  MergeOk(env_.Options());

  UndoOptions options;
  options.db_path = env_.db_path();
  options.audit_log_path = env_.audit_path();
  options.cluster_id = kJaneCluster;
  auto client = env_.MakeClient();
  Result<UndoSummary> undone = UndoMerge(options, *client, *NullLogger());
  ASSERT_TRUE(undone.ok()) << undone.error().message;

  const json primary = env_.ContactJson("c-jane-1");
  const json duplicate = env_.ContactJson("c-jane-2");
  for (const char* field : {"name", "phoneNumbers", "emails", "marketingOptOut", "smsOptOut", "emailOptOut"}) {
    EXPECT_EQ(primary[field], primary_before[field]) << field;
    EXPECT_EQ(duplicate[field], duplicate_before[field]) << field;
  }
  EXPECT_EQ(UidsOf(primary["tags"]), UidsOf(primary_before["tags"]));
  EXPECT_EQ(UidsOf(duplicate["tags"]), UidsOf(duplicate_before["tags"]));
  EXPECT_EQ(UidsOf(duplicate["conversations"]), UidsOf(duplicate_before["conversations"]));
  EXPECT_TRUE(duplicate["deletedAt"].is_null());
  EXPECT_EQ(undone.value().restored_uids, std::vector<std::string>{"c-jane-2"});
  EXPECT_EQ(env_.StateRow(kJaneCluster).status, MergeStatus::kUndone);
  EXPECT_EQ(EventsNamed(env_.AuditEvents(), "undo_outcome").size(), 1u);
}

TEST_F(MergeApiTest, UndoKeepsOptOutSetAfterMerge) {
  env_.Start(JaneContacts());
  MergeOk(env_.Options());
  // The person opts out of email after the merge.
  ASSERT_EQ(env_.server().Admin("POST", "/admin/touch/c-jane-1", {{"emailOptOut", true}}).status, 200);

  UndoOptions options;
  options.db_path = env_.db_path();
  options.audit_log_path = env_.audit_path();
  options.cluster_id = kJaneCluster;
  auto client = env_.MakeClient();
  Result<UndoSummary> undone = UndoMerge(options, *client, *NullLogger());
  ASSERT_TRUE(undone.ok()) << undone.error().message;

  const json primary = env_.ContactJson("c-jane-1");
  EXPECT_EQ(primary["emailOptOut"], true);
  EXPECT_EQ(primary["marketingOptOut"], false);
  EXPECT_EQ(primary["smsOptOut"], false);
  EXPECT_EQ(undone.value().kept_opt_outs, std::vector<std::string>{"emailOptOut"});
}

TEST_F(MergeApiTest, UndoOfUnmergedClusterIsRejected) {
  env_.Start(JaneContacts());
  UndoOptions options;
  options.db_path = env_.db_path();
  options.audit_log_path = env_.audit_path();
  options.cluster_id = kJaneCluster;
  auto client = env_.MakeClient();
  Result<UndoSummary> undone = UndoMerge(options, *client, *NullLogger());

  ASSERT_FALSE(undone.ok());
  EXPECT_EQ(undone.error().code, "ERR_DEDUP_UNDO_NOT_MERGED");
}

}  // namespace
}  // namespace podium_dedup
