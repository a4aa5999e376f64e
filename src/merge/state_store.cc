// The merge state table and the ledger of merged duplicates.
//
// Implementation notes:
//   - Both tables live in the index database, beside the contacts, so that a
//     merge and the index state it was planned from travel together.
//   - merge_state has one row per cluster id. A row is written before each
//     API call and confirmed after it; lease_owner and lease_expires_at
//     name the process that may write it. Every read-decide-write (ClaimCluster) runs
//     in BEGIN IMMEDIATE, so two processes never both take one cluster.
//     Transition and ReleaseLease are single UPDATEs guarded by the owner.
//   - merge_ledger has one row per duplicate per merge. It outlives the
//     state row's later changes and tells a repeat merge (an admin restored
//     a duplicate, the next run merges it again) from a stale index.
#include <signal.h>
#include <limits.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <unistd.h>

#include <fmt/format.h>

#include "merge/merge_internal.h"
#include "merge/sqlite_db.h"
#include "podium_dedup/audit_log.h"
#include "podium_dedup/merge.h"

namespace podium_dedup {

using merge_internal::Database;
using merge_internal::Statement;
using nlohmann::json;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS merge_state (
  cluster_id TEXT PRIMARY KEY,
  location_uid TEXT NOT NULL,
  natural_key TEXT NOT NULL,
  primary_uid TEXT NOT NULL,
  duplicate_uids TEXT NOT NULL,
  status TEXT NOT NULL,
  failed_step TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  repeat_merge INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  lease_owner TEXT,
  lease_expires_at INTEGER NOT NULL DEFAULT 0,
  plan_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS merge_ledger (
  duplicate_uid TEXT NOT NULL,
  primary_uid TEXT NOT NULL,
  cluster_id TEXT NOT NULL,
  duplicate_updated_at TEXT NOT NULL,
  merged_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS merge_ledger_by_duplicate ON merge_ledger(duplicate_uid);
)sql";

constexpr const char* kSelectColumns =
    "SELECT cluster_id, location_uid, natural_key, primary_uid, duplicate_uids, status, failed_step, attempts, "
    "last_error, repeat_merge, created_at, updated_at, lease_owner, lease_expires_at, plan_json FROM merge_state";

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& value : values) {
    if (!out.empty()) out += ",";
    out += value;
  }
  return out;
}

MergeStateRow ReadRow(const Statement& statement) {
  MergeStateRow row;
  row.cluster_id = statement.ColumnText(0);
  row.location_uid = statement.ColumnText(1);
  row.natural_key = statement.ColumnText(2);
  row.primary_uid = statement.ColumnText(3);
  row.duplicate_uids = json::parse(statement.ColumnText(4), nullptr, false).get<std::vector<std::string>>();
  row.status = ParseMergeStatus(statement.ColumnText(5)).value_or(MergeStatus::kFailed);
  row.failed_step = ParseMergeStatus(statement.ColumnText(6)).value_or(MergeStatus::kPending);
  row.attempts = static_cast<int>(statement.ColumnInt(7));
  row.last_error = statement.ColumnText(8);
  row.repeat_merge = statement.ColumnInt(9) != 0;
  row.created_at = statement.ColumnText(10);
  row.updated_at = statement.ColumnText(11);
  row.lease_owner = statement.ColumnText(12);
  row.lease_expires_at = statement.ColumnInt(13);
  row.plan_json = statement.ColumnText(14);
  return row;
}

// True for a row whose merge call may have gone through, so that its
// stored plan must be finished rather than replaced.
bool MergeStarted(const MergeStateRow& row) {
  if (row.status == MergeStatus::kMerging || row.status == MergeStatus::kMerged) return true;
  return row.status == MergeStatus::kFailed &&
         (row.failed_step == MergeStatus::kMerging || row.failed_step == MergeStatus::kMerged);
}

std::string HostName() {
  char host[HOST_NAME_MAX + 1] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) return "unknown-host";
  return host;
}

// True when `owner` ("host:pid:random") names a process on this host that
// no longer exists, such as a run killed in the middle of a cluster. Its
// lease can be taken over at once instead of after expiry. A pid reused by
// another process only delays the takeover until the lease expires.
bool LeaseHolderIsGone(const std::string& owner) {
  const size_t first = owner.find(':');
  const size_t second = owner.find(':', first == std::string::npos ? first : first + 1);
  if (first == std::string::npos || second == std::string::npos) return false;
  if (owner.substr(0, first) != HostName()) return false;
  const std::string pid_text = owner.substr(first + 1, second - first - 1);
  char* end = nullptr;
  const long pid = std::strtol(pid_text.c_str(), &end, 10);
  if (pid <= 0 || end == nullptr || *end != '\0') return false;
  return kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

int64_t SystemNowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

struct MergeStateStore::Impl {
  std::unique_ptr<Database> db;

  Result<std::optional<MergeStateRow>> SelectRow(const std::string& cluster_id);
  Status InsertRow(const MergePlan& plan, const std::string& owner, int64_t lease_expires_at, bool repeat_merge);
  Status ReplacePlan(const MergePlan& plan, const std::string& owner, int64_t lease_expires_at, bool repeat_merge);
  Status TakeLease(const std::string& cluster_id, const std::string& owner, int64_t lease_expires_at);
  Result<bool> HasLedgerEntry(const std::vector<std::string>& duplicate_uids);
  Result<bool> IndexShowsNothingNew(const MergePlan& plan);
  Result<Claim> Decide(const std::string& cluster_id, const MergePlan* plan, const std::string& owner,
                       int64_t now, int lease_seconds, bool explicit_request);
};

Result<std::optional<MergeStateRow>> MergeStateStore::Impl::SelectRow(const std::string& cluster_id) {
  auto statement = db->Prepare(std::string(kSelectColumns) + " WHERE cluster_id = ?");
  if (!statement.ok()) return statement.error();
  statement.value()->Bind(1, cluster_id);
  Result<bool> has_row = statement.value()->Step();
  if (!has_row.ok()) return has_row.error();
  if (!has_row.value()) return std::optional<MergeStateRow>();
  return std::optional<MergeStateRow>(ReadRow(*statement.value()));
}

Status MergeStateStore::Impl::InsertRow(const MergePlan& plan, const std::string& owner, int64_t lease_expires_at,
                                        bool repeat_merge) {
  auto statement = db->Prepare(
      "INSERT INTO merge_state (cluster_id, location_uid, natural_key, primary_uid, duplicate_uids, status, "
      "repeat_merge, created_at, updated_at, lease_owner, lease_expires_at, plan_json) "
      "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)");
  if (!statement.ok()) return statement.error();
  Statement& s = *statement.value();
  const std::string now = UtcNowIso8601();
  s.Bind(1, plan.cluster_id);
  s.Bind(2, Join(plan.location_uids));
  s.Bind(3, Join(plan.natural_keys));
  s.Bind(4, plan.primary_uid);
  s.Bind(5, json(plan.duplicate_uids).dump());
  s.Bind(6, static_cast<int64_t>(repeat_merge));
  s.Bind(7, now);
  s.Bind(8, now);
  s.Bind(9, owner);
  s.Bind(10, lease_expires_at);
  s.Bind(11, MergePlanToJson(plan).dump());
  return s.Run();
}

Status MergeStateStore::Impl::ReplacePlan(const MergePlan& plan, const std::string& owner, int64_t lease_expires_at,
                                          bool repeat_merge) {
  auto statement = db->Prepare(
      "UPDATE merge_state SET location_uid = ?, natural_key = ?, primary_uid = ?, duplicate_uids = ?, "
      "status = 'pending', failed_step = 'pending', repeat_merge = ?, updated_at = ?, lease_owner = ?, "
      "lease_expires_at = ?, plan_json = ? WHERE cluster_id = ?");
  if (!statement.ok()) return statement.error();
  Statement& s = *statement.value();
  s.Bind(1, Join(plan.location_uids));
  s.Bind(2, Join(plan.natural_keys));
  s.Bind(3, plan.primary_uid);
  s.Bind(4, json(plan.duplicate_uids).dump());
  s.Bind(5, static_cast<int64_t>(repeat_merge));
  s.Bind(6, UtcNowIso8601());
  s.Bind(7, owner);
  s.Bind(8, lease_expires_at);
  s.Bind(9, MergePlanToJson(plan).dump());
  s.Bind(10, plan.cluster_id);
  return s.Run();
}

Status MergeStateStore::Impl::TakeLease(const std::string& cluster_id, const std::string& owner,
                                        int64_t lease_expires_at) {
  auto statement = db->Prepare("UPDATE merge_state SET lease_owner = ?, lease_expires_at = ? WHERE cluster_id = ?");
  if (!statement.ok()) return statement.error();
  statement.value()->Bind(1, owner);
  statement.value()->Bind(2, lease_expires_at);
  statement.value()->Bind(3, cluster_id);
  return statement.value()->Run();
}

Result<bool> MergeStateStore::Impl::HasLedgerEntry(const std::vector<std::string>& duplicate_uids) {
  for (const std::string& uid : duplicate_uids) {
    auto lookup = db->Prepare("SELECT 1 FROM merge_ledger WHERE duplicate_uid = ? LIMIT 1");
    if (!lookup.ok()) return lookup.error();
    lookup.value()->Bind(1, uid);
    Result<bool> found = lookup.value()->Step();
    if (!found.ok()) return found.error();
    if (found.value()) return true;
  }
  return false;
}

// A patched cluster that shows up again is either a stale index (each
// duplicate still has the updatedAt it had when it was merged) or a
// duplicate that came back to life (restored, so its updatedAt moved on).
Result<bool> MergeStateStore::Impl::IndexShowsNothingNew(const MergePlan& plan) {
  for (const std::string& uid : plan.duplicate_uids) {
    auto lookup = db->Prepare(
        "SELECT duplicate_updated_at FROM merge_ledger WHERE duplicate_uid = ? ORDER BY rowid DESC LIMIT 1");
    if (!lookup.ok()) return lookup.error();
    lookup.value()->Bind(1, uid);
    Result<bool> found = lookup.value()->Step();
    if (!found.ok()) return found.error();
    if (!found.value()) return false;
    auto indexed = plan.indexed_updated_at.find(uid);
    if (indexed == plan.indexed_updated_at.end() || indexed->second != lookup.value()->ColumnText(0)) return false;
  }
  return true;
}

Result<Claim> MergeStateStore::Impl::Decide(const std::string& cluster_id, const MergePlan* plan,
                                            const std::string& owner, int64_t now, int lease_seconds,
                                            bool explicit_request) {
  const int64_t expiry = now + lease_seconds;
  Result<std::optional<MergeStateRow>> existing = SelectRow(cluster_id);
  if (!existing.ok()) return existing.error();
  Claim claim;
  if (!existing.value().has_value()) {
    if (plan == nullptr) {
      claim.outcome = ClaimOutcome::kAlreadyDone;
      return claim;
    }
    Result<bool> repeat = HasLedgerEntry(plan->duplicate_uids);
    if (!repeat.ok()) return repeat.error();
    if (Status s = InsertRow(*plan, owner, expiry, repeat.value()); !s.ok()) return s.error();
    claim.outcome = ClaimOutcome::kClaimed;
    return claim;
  }

  const MergeStateRow& row = *existing.value();
  claim.row = row;
  if (!row.lease_owner.empty() && row.lease_owner != owner && row.lease_expires_at > now &&
      !LeaseHolderIsGone(row.lease_owner)) {
    claim.outcome = ClaimOutcome::kLeasedByOther;
    return claim;
  }
  if (MergeStarted(row)) {
    if (Status s = TakeLease(cluster_id, owner, expiry); !s.ok()) return s.error();
    claim.outcome = ClaimOutcome::kClaimed;
    return claim;
  }
  if (plan == nullptr) {
    claim.outcome = ClaimOutcome::kAlreadyDone;
    return claim;
  }

  bool repeat_merge = false;
  switch (row.status) {
    case MergeStatus::kPatched: {
      Result<bool> stale = IndexShowsNothingNew(*plan);
      if (!stale.ok()) return stale.error();
      if (stale.value()) {
        claim.outcome = ClaimOutcome::kAlreadyDone;
        return claim;
      }
      repeat_merge = true;
      break;
    }
    case MergeStatus::kReview:
      if (!explicit_request) {
        claim.outcome = ClaimOutcome::kInReview;
        return claim;
      }
      break;
    case MergeStatus::kUndone:
      if (!explicit_request) {
        claim.outcome = ClaimOutcome::kUndone;
        return claim;
      }
      repeat_merge = true;
      break;
    default:
      break;
  }
  if (!repeat_merge) {
    Result<bool> in_ledger = HasLedgerEntry(plan->duplicate_uids);
    if (!in_ledger.ok()) return in_ledger.error();
    repeat_merge = in_ledger.value();
  }
  if (Status s = ReplacePlan(*plan, owner, expiry, repeat_merge); !s.ok()) return s.error();
  claim.outcome = ClaimOutcome::kClaimed;
  return claim;
}

MergeStateStore::MergeStateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)), now_seconds_(SystemNowSeconds) {}
MergeStateStore::~MergeStateStore() = default;

Result<std::unique_ptr<MergeStateStore>> MergeStateStore::Open(const std::string& db_path, int busy_timeout_ms) {
  auto db = Database::Open(db_path, busy_timeout_ms);
  if (!db.ok()) return db.error();
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(db).value();
  Status schema = merge_internal::InImmediateTransaction(*impl->db, [&] { return impl->db->Exec(kSchema); });
  if (!schema.ok()) return schema.error();
  return std::unique_ptr<MergeStateStore>(new MergeStateStore(std::move(impl)));
}

Result<Claim> MergeStateStore::ClaimCluster(const std::string& cluster_id, const MergePlan* plan,
                                            const std::string& owner, int lease_seconds, bool explicit_request) {
  Claim claim;
  const int64_t now = now_seconds_();
  Status status = merge_internal::InImmediateTransaction(*impl_->db, [&]() -> Status {
    Result<Claim> decided = impl_->Decide(cluster_id, plan, owner, now, lease_seconds, explicit_request);
    if (!decided.ok()) return decided.error();
    claim = decided.value();
    if (claim.outcome != ClaimOutcome::kClaimed) return Status::Ok();
    Result<std::optional<MergeStateRow>> stored = impl_->SelectRow(cluster_id);
    if (!stored.ok()) return stored.error();
    claim.row = *stored.value();
    return Status::Ok();
  });
  if (!status.ok()) return status.error();
  return claim;
}

Result<bool> MergeStateStore::AcquireLease(const std::string& cluster_id, const std::string& owner,
                                           int lease_seconds) {
  bool acquired = false;
  const int64_t now = now_seconds_();
  Status status = merge_internal::InImmediateTransaction(*impl_->db, [&]() -> Status {
    Result<std::optional<MergeStateRow>> row = impl_->SelectRow(cluster_id);
    if (!row.ok()) return row.error();
    if (!row.value().has_value()) {
      return Error{"ERR_DEDUP_UNDO_NOT_MERGED", "cluster " + cluster_id + " has no row in merge_state of '" +
                                                    impl_->db->path() + "'; check --db and the cluster id"};
    }
    const MergeStateRow& current = *row.value();
    if (!current.lease_owner.empty() && current.lease_owner != owner && current.lease_expires_at > now &&
        !LeaseHolderIsGone(current.lease_owner)) {
      return Status::Ok();
    }
    acquired = true;
    return impl_->TakeLease(cluster_id, owner, now + lease_seconds);
  });
  if (!status.ok()) return status.error();
  return acquired;
}

Status MergeStateStore::Transition(const std::string& cluster_id, const std::string& owner, MergeStatus status,
                                   const std::string& last_error, bool count_attempt, int lease_seconds,
                                   MergeStatus failed_step) {
  auto statement = impl_->db->Prepare(
      "UPDATE merge_state SET status = ?, failed_step = ?, last_error = ?, attempts = attempts + ?, "
      "updated_at = ?, lease_expires_at = ? WHERE cluster_id = ? AND lease_owner = ?");
  if (!statement.ok()) return statement.error();
  Statement& s = *statement.value();
  s.Bind(1, std::string(MergeStatusName(status)));
  s.Bind(2, std::string(MergeStatusName(status == MergeStatus::kFailed ? failed_step : MergeStatus::kPending)));
  s.Bind(3, last_error);
  s.Bind(4, static_cast<int64_t>(count_attempt ? 1 : 0));
  s.Bind(5, UtcNowIso8601());
  s.Bind(6, now_seconds_() + lease_seconds);
  s.Bind(7, cluster_id);
  s.Bind(8, owner);
  if (Status run = s.Run(); !run.ok()) return run;
  if (impl_->db->Changes() == 0) {
    return Error{"ERR_DEDUP_MERGE_LEASE_LOST",
                 "the lease on cluster " + cluster_id + " was taken over by another process before step '" +
                     std::string(MergeStatusName(status)) +
                     "' was stored; raise --lease-seconds above the time one cluster takes, then run again"};
  }
  return Status::Ok();
}

Status MergeStateStore::UpdatePlan(const std::string& cluster_id, const std::string& owner, const MergePlan& plan) {
  auto statement = impl_->db->Prepare(
      "UPDATE merge_state SET plan_json = ?, updated_at = ? WHERE cluster_id = ? AND lease_owner = ?");
  if (!statement.ok()) return statement.error();
  statement.value()->Bind(1, MergePlanToJson(plan).dump());
  statement.value()->Bind(2, UtcNowIso8601());
  statement.value()->Bind(3, cluster_id);
  statement.value()->Bind(4, owner);
  return statement.value()->Run();
}

Status MergeStateStore::ReleaseLease(const std::string& cluster_id, const std::string& owner) {
  auto statement = impl_->db->Prepare(
      "UPDATE merge_state SET lease_owner = NULL, lease_expires_at = 0 WHERE cluster_id = ? AND lease_owner = ?");
  if (!statement.ok()) return statement.error();
  statement.value()->Bind(1, cluster_id);
  statement.value()->Bind(2, owner);
  return statement.value()->Run();
}

Result<std::optional<MergeStateRow>> MergeStateStore::Get(const std::string& cluster_id) {
  return impl_->SelectRow(cluster_id);
}

Result<std::vector<MergeStateRow>> MergeStateStore::List() {
  auto statement = impl_->db->Prepare(std::string(kSelectColumns) + " ORDER BY cluster_id");
  if (!statement.ok()) return statement.error();
  std::vector<MergeStateRow> rows;
  while (true) {
    Result<bool> has_row = statement.value()->Step();
    if (!has_row.ok()) return has_row.error();
    if (!has_row.value()) break;
    rows.push_back(ReadRow(*statement.value()));
  }
  return rows;
}

Result<std::vector<std::string>> MergeStateStore::ListUnfinishedMerges() {
  auto statement = impl_->db->Prepare(
      "SELECT cluster_id FROM merge_state WHERE status IN ('merging', 'merged') OR "
      "(status = 'failed' AND failed_step IN ('merging', 'merged')) ORDER BY cluster_id");
  if (!statement.ok()) return statement.error();
  std::vector<std::string> ids;
  while (true) {
    Result<bool> has_row = statement.value()->Step();
    if (!has_row.ok()) return has_row.error();
    if (!has_row.value()) break;
    ids.push_back(statement.value()->ColumnText(0));
  }
  return ids;
}

Status MergeStateStore::RecordMergedDuplicates(const MergePlan& plan) {
  const std::string now = UtcNowIso8601();
  return merge_internal::InImmediateTransaction(*impl_->db, [&]() -> Status {
    for (const std::string& uid : plan.duplicate_uids) {
      auto statement = impl_->db->Prepare(
          "INSERT INTO merge_ledger (duplicate_uid, primary_uid, cluster_id, duplicate_updated_at, merged_at) "
          "VALUES (?, ?, ?, ?, ?)");
      if (!statement.ok()) return statement.error();
      Statement& s = *statement.value();
      s.Bind(1, uid);
      s.Bind(2, plan.primary_uid);
      s.Bind(3, plan.cluster_id);
      auto indexed = plan.indexed_updated_at.find(uid);
      s.Bind(4, indexed == plan.indexed_updated_at.end() ? std::string() : indexed->second);
      s.Bind(5, now);
      if (Status run = s.Run(); !run.ok()) return run;
    }
    return Status::Ok();
  });
}

Result<std::vector<MergeLedgerEntry>> MergeStateStore::LedgerEntriesFor(const std::string& duplicate_uid) {
  auto statement = impl_->db->Prepare(
      "SELECT duplicate_uid, primary_uid, cluster_id, duplicate_updated_at, merged_at FROM merge_ledger "
      "WHERE duplicate_uid = ? ORDER BY rowid");
  if (!statement.ok()) return statement.error();
  statement.value()->Bind(1, duplicate_uid);
  std::vector<MergeLedgerEntry> entries;
  while (true) {
    Result<bool> has_row = statement.value()->Step();
    if (!has_row.ok()) return has_row.error();
    if (!has_row.value()) break;
    const Statement& s = *statement.value();
    entries.push_back({s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3), s.ColumnText(4)});
  }
  return entries;
}

std::string MakeLeaseOwner() {
  std::random_device device;
  const uint64_t random = (static_cast<uint64_t>(device()) << 32) | device();
  return fmt::format("{}:{}:{:016x}", HostName(), static_cast<long>(getpid()), random);
}

}  // namespace podium_dedup
