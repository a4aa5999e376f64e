// MergeStateStore on a real SQLite file: claims, leases, transitions and the
// ledger that tells a repeat merge from a stale index.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "podium/fake_server_process.h"
#include "podium_dedup/merge.h"

namespace podium_dedup {
namespace {

MergePlan TestPlan(const std::string& cluster_id = "cl-1") {
  MergePlan plan;
  plan.cluster_id = cluster_id;
  plan.location_uids = {"loc-1"};
  plan.natural_keys = {"+61412345678"};
  plan.primary_uid = "c-1";
  plan.duplicate_uids = {"c-2"};
  plan.indexed_updated_at = {{"c-1", "2026-01-01T00:00:00Z"}, {"c-2", "2026-01-02T00:00:00Z"}};
  plan.mergeable = true;
  return plan;
}

class StateStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<MergeStateStore> Open() {
    auto store = MergeStateStore::Open((dir_.path() / "index.sqlite").string());
    EXPECT_TRUE(store.ok()) << store.error().message;
    store.value()->set_clock_for_testing([this] { return now_; });
    return std::move(store).value();
  }

  Claim ClaimOk(MergeStateStore& store, const MergePlan* plan, const std::string& owner, bool explicit_request = false) {
    Result<Claim> claim = store.ClaimCluster("cl-1", plan, owner, 60, explicit_request);
    EXPECT_TRUE(claim.ok()) << claim.error().message;
    return claim.ok() ? claim.value() : Claim{};
  }

  testing::TempDir dir_;
  int64_t now_ = 1'000'000;
};

TEST_F(StateStoreTest, NewClusterIsClaimedAsPending) {
  auto store = Open();
  const MergePlan plan = TestPlan();
  const Claim claim = ClaimOk(*store, &plan, "host:1:a");

  EXPECT_EQ(claim.outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(claim.row.status, MergeStatus::kPending);
  EXPECT_EQ(claim.row.primary_uid, "c-1");
  EXPECT_EQ(claim.row.duplicate_uids, std::vector<std::string>{"c-2"});
  EXPECT_EQ(claim.row.lease_owner, "host:1:a");
  EXPECT_EQ(claim.row.lease_expires_at, now_ + 60);
  EXPECT_FALSE(claim.row.repeat_merge);
}

TEST_F(StateStoreTest, HeldLeaseBlocksOtherOwner) {
  auto first = Open();
  auto second = Open();
  const MergePlan plan = TestPlan();
  ClaimOk(*first, &plan, "host:1:a");

  EXPECT_EQ(ClaimOk(*second, &plan, "host:2:b").outcome, ClaimOutcome::kLeasedByOther);
}

TEST_F(StateStoreTest, ExpiredLeaseIsTakenOver) {
  auto store = Open();
  const MergePlan plan = TestPlan();
  ClaimOk(*store, &plan, "host:1:a");
  now_ += 61;

  const Claim claim = ClaimOk(*store, &plan, "host:2:b");
  EXPECT_EQ(claim.outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(claim.row.lease_owner, "host:2:b");
  const Status late = store->Transition("cl-1", "host:1:a", MergeStatus::kMerging, "", true, 60);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.code(), "ERR_DEDUP_MERGE_LEASE_LOST");
}

TEST_F(StateStoreTest, LeaseOfDeadLocalProcessIsTakenOver) {
  auto store = Open();
  const MergePlan plan = TestPlan();
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  const std::string dead_owner = std::string(host) + ":" + std::to_string(child) + ":0";
  ClaimOk(*store, &plan, dead_owner);

  EXPECT_EQ(ClaimOk(*store, &plan, MakeLeaseOwner()).outcome, ClaimOutcome::kClaimed);
}

TEST_F(StateStoreTest, MergingRowKeepsStoredPlan) {
  auto store = Open();
  const MergePlan plan = TestPlan();
  ClaimOk(*store, &plan, "host:1:a");
  ASSERT_TRUE(store->Transition("cl-1", "host:1:a", MergeStatus::kMerging, "", true, 60).ok());
  ASSERT_TRUE(store->ReleaseLease("cl-1", "host:1:a").ok());

  MergePlan fresh = TestPlan();
  fresh.primary_uid = "c-2";
  fresh.duplicate_uids = {"c-1"};
  const Claim claim = ClaimOk(*store, &fresh, "host:2:b");
  EXPECT_EQ(claim.row.status, MergeStatus::kMerging);
  EXPECT_EQ(claim.row.primary_uid, "c-1");
  EXPECT_EQ(claim.row.attempts, 1);
}

TEST_F(StateStoreTest, ConflictRowIsReplannedFromFreshIndex) {
  auto store = Open();
  const MergePlan plan = TestPlan();
  ClaimOk(*store, &plan, "host:1:a");
  ASSERT_TRUE(store->Transition("cl-1", "host:1:a", MergeStatus::kConflict, "stale", false, 60).ok());
  ASSERT_TRUE(store->ReleaseLease("cl-1", "host:1:a").ok());

  MergePlan fresh = TestPlan();
  fresh.primary_uid = "c-2";
  fresh.duplicate_uids = {"c-1"};
  const Claim claim = ClaimOk(*store, &fresh, "host:1:a");
  EXPECT_EQ(claim.row.status, MergeStatus::kPending);
  EXPECT_EQ(claim.row.primary_uid, "c-2");
}

TEST_F(StateStoreTest, PatchedClusterWithStaleIndexIsDone) {
  auto store = Open();
  const MergePlan plan = TestPlan();
  ClaimOk(*store, &plan, "host:1:a");
  ASSERT_TRUE(store->RecordMergedDuplicates(plan).ok());
  ASSERT_TRUE(store->Transition("cl-1", "host:1:a", MergeStatus::kPatched, "", false, 60).ok());
  ASSERT_TRUE(store->ReleaseLease("cl-1", "host:1:a").ok());

  EXPECT_EQ(ClaimOk(*store, &plan, "host:1:a").outcome, ClaimOutcome::kAlreadyDone);
}

TEST_F(StateStoreTest, RestoredDuplicateReopensAsRepeat) {
  auto store = Open();
  const MergePlan plan = TestPlan();
  ClaimOk(*store, &plan, "host:1:a");
  ASSERT_TRUE(store->RecordMergedDuplicates(plan).ok());
  ASSERT_TRUE(store->Transition("cl-1", "host:1:a", MergeStatus::kPatched, "", false, 60).ok());
  ASSERT_TRUE(store->ReleaseLease("cl-1", "host:1:a").ok());

  MergePlan fresh = TestPlan();
  fresh.indexed_updated_at["c-2"] = "2026-03-01T00:00:00Z";
  const Claim claim = ClaimOk(*store, &fresh, "host:1:a");
  EXPECT_EQ(claim.outcome, ClaimOutcome::kClaimed);
  EXPECT_EQ(claim.row.status, MergeStatus::kPending);
  EXPECT_TRUE(claim.row.repeat_merge);
  auto ledger = store->LedgerEntriesFor("c-2");
  ASSERT_TRUE(ledger.ok());
  ASSERT_EQ(ledger.value().size(), 1u);
  EXPECT_EQ(ledger.value()[0].primary_uid, "c-1");
}

TEST_F(StateStoreTest, ReviewAndUndoneWaitForExplicitRequest) {
  auto store = Open();
  const MergePlan plan = TestPlan();
  ClaimOk(*store, &plan, "host:1:a");
  ASSERT_TRUE(store->Transition("cl-1", "host:1:a", MergeStatus::kReview, "", false, 60).ok());
  ASSERT_TRUE(store->ReleaseLease("cl-1", "host:1:a").ok());
  EXPECT_EQ(ClaimOk(*store, &plan, "host:1:a").outcome, ClaimOutcome::kInReview);
  ASSERT_TRUE(store->ReleaseLease("cl-1", "host:1:a").ok());

  ASSERT_TRUE(store->AcquireLease("cl-1", "host:1:a", 60).value());
  ASSERT_TRUE(store->Transition("cl-1", "host:1:a", MergeStatus::kUndone, "", false, 60).ok());
  ASSERT_TRUE(store->ReleaseLease("cl-1", "host:1:a").ok());
  EXPECT_EQ(ClaimOk(*store, &plan, "host:1:a").outcome, ClaimOutcome::kUndone);
  EXPECT_EQ(ClaimOk(*store, &plan, "host:1:a", /*explicit_request=*/true).outcome, ClaimOutcome::kClaimed);
}

TEST_F(StateStoreTest, FailedAfterMergeCallIsListedUnfinished) {
  auto store = Open();
  const MergePlan plan = TestPlan();
  ClaimOk(*store, &plan, "host:1:a");
  ASSERT_TRUE(store->Transition("cl-1", "host:1:a", MergeStatus::kFailed, "ERR: x", false, 60, MergeStatus::kMerged)
                  .ok());

  auto unfinished = store->ListUnfinishedMerges();
  ASSERT_TRUE(unfinished.ok());
  EXPECT_EQ(unfinished.value(), std::vector<std::string>{"cl-1"});
  auto row = store->Get("cl-1");
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row.value()->failed_step, MergeStatus::kMerged);
  EXPECT_EQ(row.value()->last_error, "ERR: x");
}

TEST_F(StateStoreTest, ResumeWithoutPlanSkipsFinishedRows) {
  auto store = Open();
  EXPECT_EQ(ClaimOk(*store, nullptr, "host:1:a").outcome, ClaimOutcome::kAlreadyDone);
}

}  // namespace
}  // namespace podium_dedup
