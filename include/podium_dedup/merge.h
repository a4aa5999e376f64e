// Merging: plans, the resumable merge state machine, and undo.
//
// A cluster from the index is merged in steps, each written to the
// `merge_state` table before its API call and confirmed after it:
//
//   pending -> merging -> merged -> patched (done)
//
// with the side exits failed, conflict (the index is stale: re-index and run
// again), review (a person must decide), skipped (the primary is gone) and
// undone. A run picks up every cluster left in merging or merged (and every
// failed one whose merge call went through) and finishes it, asking the API
// for the current state first, so a duplicate is never merged twice.
//
// Several processes may run on the same database: each cluster is taken
// under a lease (owner, expiry) in a BEGIN IMMEDIATE transaction, and an
// expired lease can be taken over.
#ifndef PODIUM_DEDUP_MERGE_H_
#define PODIUM_DEDUP_MERGE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "podium_dedup/config.h"
#include "podium_dedup/log.h"
#include "podium_dedup/match.h"
#include "podium_dedup/podium_client.h"
#include "podium_dedup/result.h"

namespace podium_dedup {

enum class MergeStatus { kPending, kMerging, kMerged, kPatched, kFailed, kConflict, kReview, kSkipped, kUndone };

// "pending", "merging", ...: the spelling stored in the state table.
std::string_view MergeStatusName(MergeStatus status);
std::optional<MergeStatus> ParseMergeStatus(std::string_view name);

enum class MergeStrategy {
  kEndpoint,  // the merge extension, then a PATCH of the consent flags
  kCompose,   // documented endpoints only: PATCH, tags, campaigns opt-out, DELETE
};

std::string_view MergeStrategyName(MergeStrategy strategy);
// Parses "endpoint" or "compose". Errors: ERR_DEDUP_USAGE_BAD_STRATEGY.
Result<MergeStrategy> ParseMergeStrategy(std::string_view name);

// One API call of a plan, in the order it will be sent.
struct PlannedCall {
  std::string method;  // "GET", "POST", "PATCH", "DELETE"
  std::string path;    // relative to the API base URL, such as "/contacts/c1/merge"
  nlohmann::json body;  // null when the request has no body
  std::string purpose;  // why the call is made, for the dry-run output
};

// The plan for one field value of the primary.
struct FieldPlan {
  std::string field;       // Podium's field name: "name", "emails", "tags", ...
  std::string action;      // "keep", "gain" or "not_carried" (see kFieldAction*)
  std::string source_uid;  // the contact the value comes from
  nlohmann::json value;
};

inline constexpr std::string_view kFieldActionKeep = "keep";  // the primary has a value and keeps it
inline constexpr std::string_view kFieldActionGain = "gain";  // the primary lacks it and takes a duplicate's
// The compose strategy cannot carry the value with documented endpoints
// (a second email, conversations); it stays on the soft-deleted duplicate
// and in the audit log.
inline constexpr std::string_view kFieldActionNotCarried = "not_carried";

struct MergePlan {
  std::string cluster_id;
  std::vector<std::string> location_uids;  // of the members, sorted, no repeats
  std::vector<std::string> natural_keys;
  MergeStrategy strategy = MergeStrategy::kEndpoint;
  std::string primary_uid;                 // recomputed with SelectPrimary, never taken from a caller
  std::vector<std::string> duplicate_uids;  // the other members, sorted
  OptOuts opt_out_union;
  OptOuts primary_opt_outs;  // the primary's own flags in the index
  std::map<std::string, std::string> indexed_updated_at;  // uid -> updatedAt in the index
  double confidence = 0.0;
  bool mergeable = false;                    // false: goes to review with review_reasons
  std::vector<std::string> review_reasons;
  std::vector<FieldPlan> fields;

  // Compose strategy only.
  nlohmann::json primary_patch = nlohmann::json::object();  // documented PATCH fields the primary lacks
  std::vector<std::string> tags_to_add;                     // duplicates' tag uids the primary lacks
  std::vector<ConsentChannel> opt_out_channels;             // channels opted out through campaigns

  std::vector<PlannedCall> calls;
};

struct PlanOptions {
  MergeStrategy strategy = MergeStrategy::kEndpoint;
  double auto_merge_threshold = 0.80;
  // Lists of locations that are one business; a cluster that spans
  // locations is mergeable only when one group contains all of them.
  std::vector<std::vector<std::string>> same_entity_groups;
};

// Plans the merge of `cluster` from its members' index rows. The primary is
// recomputed with SelectPrimary and the opt-out union with OptOutUnion;
// the cluster's own primary_uid and opt_out_union are not used.
// Errors: ERR_DEDUP_MERGE_MEMBER_NOT_INDEXED (a member uid has no row).
Result<MergePlan> PlanMerge(const Cluster& cluster, const std::vector<const IndexedContact*>& members,
                            const PlanOptions& options);

nlohmann::json MergePlanToJson(const MergePlan& plan);
// Errors: ERR_DEDUP_MERGE_STATE_CORRUPT (names the missing or mistyped key).
Result<MergePlan> MergePlanFromJson(const nlohmann::json& json);

// One row of the merge_state table.
struct MergeStateRow {
  std::string cluster_id;
  std::string location_uid;  // the members' locations, comma-separated
  std::string natural_key;   // the cluster's natural keys, comma-separated
  std::string primary_uid;
  std::vector<std::string> duplicate_uids;
  MergeStatus status = MergeStatus::kPending;
  // For a failed row: the step it failed in (pending, merging or merged), so
  // that the next run resumes there.
  MergeStatus failed_step = MergeStatus::kPending;
  int attempts = 0;
  std::string last_error;  // "code: message", or empty
  bool repeat_merge = false;
  std::string created_at;  // ISO 8601 UTC
  std::string updated_at;
  std::string lease_owner;       // empty when free
  int64_t lease_expires_at = 0;  // seconds since the epoch
  std::string plan_json;         // MergePlanToJson of the plan being carried out
};

// A duplicate merged by an earlier run, kept to notice a repeat merge.
struct MergeLedgerEntry {
  std::string duplicate_uid;
  std::string primary_uid;
  std::string cluster_id;
  std::string duplicate_updated_at;  // the duplicate's updatedAt in the index when it was merged
  std::string merged_at;
};

// The decision of ClaimCluster for a cluster.
enum class ClaimOutcome {
  kClaimed,         // the caller holds the lease and must carry out `row`
  kLeasedByOther,   // another process holds an unexpired lease
  kAlreadyDone,     // patched, and the index shows nothing new since
  kInReview,        // waiting for a person
  kUndone,          // undone by a person; only an explicit --cluster-id merges it again
};

struct Claim {
  ClaimOutcome outcome = ClaimOutcome::kClaimed;
  MergeStateRow row;  // the row as stored after the claim
};

// The merge_state and merge_ledger tables, in the index database.
//
// Thread safety: one instance per thread; several processes may share the
// database file.
class MergeStateStore {
 public:
  // Opens the database and creates the tables if missing.
  // Errors: ERR_DEDUP_DB_OPEN, ERR_DEDUP_DB_WRITE.
  static Result<std::unique_ptr<MergeStateStore>> Open(const std::string& db_path, int busy_timeout_ms = 30'000);
  ~MergeStateStore();
  MergeStateStore(const MergeStateStore&) = delete;
  MergeStateStore& operator=(const MergeStateStore&) = delete;

  // Takes the cluster of `plan` for `owner` in one transaction and decides
  // what to do with it:
  //   - no row: inserts it as pending with `plan`;
  //   - leased by another owner until after now: kLeasedByOther;
  //   - pending, failed before the merge call, conflict or skipped: replaces
  //     the plan with the fresh one (primary recomputed from fresh index
  //     state) and sets pending;
  //   - merging, merged, or failed after the merge call: keeps the stored
  //     plan, because a merge is half done;
  //   - patched: kAlreadyDone when each duplicate's indexed updatedAt is the
  //     one the ledger recorded; otherwise a duplicate came back (restored by
  //     an admin), and the row is reset to pending with repeat_merge;
  //   - review: kInReview; undone: kUndone unless `explicit_request`.
  // With `plan` null (a resume of a row that is no longer in the index) only
  // rows in merging, merged or failed after the merge call are claimed.
  Result<Claim> ClaimCluster(const std::string& cluster_id, const MergePlan* plan, const std::string& owner,
                             int lease_seconds, bool explicit_request);

  // Sets the status of a cluster that `owner` holds, renews the lease, and
  // with `count_attempt` adds one to attempts. For kFailed, `failed_step` is
  // the step that failed. Errors: ERR_DEDUP_MERGE_LEASE_LOST when another
  // owner took the lease over.
  Status Transition(const std::string& cluster_id, const std::string& owner, MergeStatus status,
                    const std::string& last_error, bool count_attempt, int lease_seconds,
                    MergeStatus failed_step = MergeStatus::kPending);

  // Replaces the stored plan of a held cluster (a resume narrowed it).
  Status UpdatePlan(const std::string& cluster_id, const std::string& owner, const MergePlan& plan);

  // Takes the lease on an existing row for `owner`, whatever its status,
  // unless another live owner holds it. Returns false when the row is
  // leased by another owner; ERR_DEDUP_UNDO_NOT_MERGED when there is no row.
  Result<bool> AcquireLease(const std::string& cluster_id, const std::string& owner, int lease_seconds);

  // Clears the lease if `owner` holds it.
  Status ReleaseLease(const std::string& cluster_id, const std::string& owner);

  Result<std::optional<MergeStateRow>> Get(const std::string& cluster_id);
  Result<std::vector<MergeStateRow>> List();
  // Rows a run must finish even when the cluster is no longer in the index.
  Result<std::vector<std::string>> ListUnfinishedMerges();

  Status RecordMergedDuplicates(const MergePlan& plan);
  Result<std::vector<MergeLedgerEntry>> LedgerEntriesFor(const std::string& duplicate_uid);

  // Test hook: the clock used for lease expiry, in seconds since the epoch.
  void set_clock_for_testing(std::function<int64_t()> now_seconds) { now_seconds_ = std::move(now_seconds); }

 private:
  struct Impl;
  explicit MergeStateStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::function<int64_t()> now_seconds_;
};

// Returns "hostname:pid:random", unique per process.
std::string MakeLeaseOwner();

struct MergeOptions {
  std::string db_path = "./podium-dedup.sqlite";
  std::string audit_log_path = "audit-log.jsonl";
  MergeStrategy strategy = MergeStrategy::kEndpoint;
  std::string cluster_id;  // one cluster; empty with all_auto
  bool all_auto = false;   // every auto-mergeable cluster, and every unfinished one
  bool dry_run = false;    // plan only: no HTTP, no state table, no audit log
  int lease_seconds = 300;
  int max_clusters = 0;    // clusters carried out in this run; 0 means no limit
  int busy_timeout_ms = 30'000;
  // 409 merge_in_progress: further attempts, and the wait before the first
  // (doubled before each next one).
  int merge_in_progress_retries = 3;
  std::chrono::milliseconds merge_in_progress_backoff{500};
  // Read-backs of the primary to verify the opt-out union, and re-PATCHes
  // between them when it does not match.
  int opt_out_verify_attempts = 3;
  std::string lease_owner;  // empty: MakeLeaseOwner()
};

// The outcome of one cluster in a run.
struct ClusterOutcome {
  std::string cluster_id;
  std::string primary_uid;
  std::vector<std::string> duplicate_uids;
  std::string status;  // MergeStatusName, or "leased_by_other", "already_done"
  std::string error;   // "code: message", or empty
  bool repeat_merge = false;
};

struct MergeRunSummary {
  int64_t clusters_planned = 0;
  int64_t merged = 0;     // reached patched in this run
  int64_t conflicts = 0;
  int64_t failed = 0;
  int64_t review = 0;
  int64_t skipped = 0;    // primary gone, already done, leased by another process, undone
  int64_t opt_outs_forced = 0;  // consent flags set on primaries that lacked them
  int64_t api_requests = 0;
  int64_t retries = 0;    // client retries plus merge_in_progress and opt-out re-PATCHes
  int64_t repeat_merges = 0;
  std::vector<ClusterOutcome> clusters;
  std::vector<MergePlan> plans;  // every plan made, in order (the dry-run output)
};

nlohmann::json MergeRunSummaryToJson(const MergeRunSummary& summary);

// Runs the merge: re-clusters the index at `options.db_path`, plans the
// selected clusters, and (unless dry_run) carries them out through `client`.
// `client` may be null for a dry run. Errors stop the run only when no
// cluster can proceed: the database or the audit log fails, or the API
// rejects the token or cannot be reached. A cluster's own failure (a lost
// lease included) is in its outcome and the state table.
// Errors: ERR_DEDUP_MERGE_CLUSTER_NOT_FOUND, ERR_DEDUP_USAGE_NO_SELECTION,
// ERR_DEDUP_DB_*, ERR_DEDUP_MERGE_AUDIT_LOG_*.
Result<MergeRunSummary> RunMerge(const MergeOptions& options, const Settings& settings, PodiumClient* client,
                                 Logger& logger);

struct UndoOptions {
  std::string db_path = "./podium-dedup.sqlite";
  std::string audit_log_path = "audit-log.jsonl";
  std::string cluster_id;
  int lease_seconds = 300;
  int busy_timeout_ms = 30'000;
  std::string lease_owner;  // empty: MakeLeaseOwner()
};

struct UndoSummary {
  std::string cluster_id;
  std::string primary_uid;
  std::vector<std::string> restored_uids;
  nlohmann::json primary_patch = nlohmann::json::object();  // what was PATCHed back onto the primary
  std::vector<std::string> removed_tag_uids;
  // Opt-outs set on the primary after the merge, which undo keeps.
  std::vector<std::string> kept_opt_outs;
  // Fields changed on the primary after the merge, which undo keeps.
  std::vector<std::string> kept_fields;
  int64_t api_requests = 0;
};

nlohmann::json UndoSummaryToJson(const UndoSummary& summary);

// Undoes the merge of one cluster from the audit log: restores each
// duplicate and puts the primary's fields, tags and opt-outs back to the
// recorded before-state, except what a person changed after the merge.
// Errors: ERR_DEDUP_UNDO_NOT_MERGED, ERR_DEDUP_UNDO_NO_BEFORE_STATE,
// ERR_DEDUP_UNDO_LEASED, ERR_DEDUP_UNDO_FAILED, ERR_DEDUP_UNDO_AUDIT_LOG_*.
Result<UndoSummary> UndoMerge(const UndoOptions& options, PodiumClient& client, Logger& logger);

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_MERGE_H_
