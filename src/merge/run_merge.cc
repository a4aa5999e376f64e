// RunMerge: re-cluster the index, plan, and carry out each selected cluster.
#include <random>
#include <set>

#include <fmt/format.h>

#include "merge/cluster_merge.h"
#include "merge/cluster_source.h"
#include "merge/merge_internal.h"
#include "podium_dedup/audit_log.h"
#include "podium_dedup/merge.h"

namespace podium_dedup {
namespace {

using merge_internal::CandidateCluster;
using nlohmann::json;

std::string NewRunId() {
  std::random_device device;
  return fmt::format("run-{:08x}{:08x}", device(), device());
}

// Plans every candidate; keeps the mergeable ones for --all-auto, and the
// named cluster (mergeable or not, so that it can go to review) for
// --cluster-id.
Result<std::vector<MergePlan>> PlanCandidates(const std::vector<CandidateCluster>& candidates,
                                              const MergeOptions& options, const Settings& settings) {
  PlanOptions plan_options;
  plan_options.strategy = options.strategy;
  plan_options.auto_merge_threshold = settings.auto_merge_threshold;
  plan_options.same_entity_groups = settings.same_entity_groups;

  std::vector<MergePlan> plans;
  for (const CandidateCluster& candidate : candidates) {
    std::vector<const IndexedContact*> members;
    for (const IndexedContact& member : candidate.members) members.push_back(&member);
    Result<MergePlan> plan = PlanMerge(candidate.cluster, members, plan_options);
    if (!plan.ok()) return plan.error();
    if (options.cluster_id.empty() && !plan.value().mergeable) continue;
    plans.push_back(std::move(plan).value());
  }
  return plans;
}

Error ClusterNotFound(const MergeOptions& options) {
  return Error{"ERR_DEDUP_MERGE_CLUSTER_NOT_FOUND",
               "cluster " + options.cluster_id + " is not among the clusters of the index '" + options.db_path +
                   "' and has no unfinished merge; run find-duplicates and take the id from its output"};
}

// Carries out the unfinished merges first (a half-done merge must not wait
// behind new work), then the fresh plans, up to --max-clusters claims.
Status CarryOut(const MergeOptions& options, const std::vector<MergePlan>& plans,
                const std::vector<std::string>& unfinished, merge_internal::ClusterMerger& merger,
                Logger& logger) {
  const bool explicit_request = !options.cluster_id.empty();
  const size_t total = unfinished.size() + plans.size();
  std::set<std::string> done;
  int64_t claimed = 0;
  size_t visited = 0;
  const auto limit_reached = [&] { return options.max_clusters > 0 && claimed >= options.max_clusters; };
  const auto process = [&](const std::string& cluster_id, const MergePlan* plan) -> Status {
    if (!done.insert(cluster_id).second) return Status::Ok();
    if (Status s = merger.Process(cluster_id, plan, explicit_request); !s.ok()) return s;
    if (merger.last_claimed()) ++claimed;
    if (++visited % 25 == 0) logger.info("merge progress: {} of {} clusters", visited, total);
    return Status::Ok();
  };

  for (const std::string& cluster_id : unfinished) {
    if (limit_reached()) return Status::Ok();
    if (Status s = process(cluster_id, nullptr); !s.ok()) return s;
  }
  for (const MergePlan& plan : plans) {
    if (limit_reached()) break;
    if (Status s = process(plan.cluster_id, &plan); !s.ok()) return s;
  }
  if (limit_reached()) logger.info("stopped after --max-clusters={} clusters", options.max_clusters);
  return Status::Ok();
}

}  // namespace

Result<MergeRunSummary> RunMerge(const MergeOptions& options, const Settings& settings, PodiumClient* client,
                                 Logger& logger) {
  if (options.cluster_id.empty() && !options.all_auto) {
    return Error{"ERR_DEDUP_USAGE_NO_SELECTION", "nothing to merge: pass --cluster-id ID or --all-auto"};
  }
  auto candidates = merge_internal::LoadCandidateClusters(options.db_path, settings, options.cluster_id, logger);
  if (!candidates.ok()) return candidates.error();
  auto plans = PlanCandidates(candidates.value(), options, settings);
  if (!plans.ok()) return plans.error();

  MergeRunSummary summary;
  summary.clusters_planned = static_cast<int64_t>(plans.value().size());
  if (options.dry_run) {
    if (!options.cluster_id.empty() && plans.value().empty()) return ClusterNotFound(options);
    summary.plans = std::move(plans).value();
    return summary;
  }
  if (client == nullptr) {
    return Error{"ERR_DEDUP_USAGE_NO_API", "a merge needs the API: set --api-url or api.url in the settings"};
  }

  auto store = MergeStateStore::Open(options.db_path, options.busy_timeout_ms);
  if (!store.ok()) return store.error();
  auto unfinished = store.value()->ListUnfinishedMerges();
  if (!unfinished.ok()) return unfinished.error();
  std::vector<std::string> resume;
  for (const std::string& cluster_id : unfinished.value()) {
    if (options.cluster_id.empty() || cluster_id == options.cluster_id) resume.push_back(cluster_id);
  }
  if (!options.cluster_id.empty() && plans.value().empty() && resume.empty()) return ClusterNotFound(options);

  auto audit = AuditLog::Open(options.audit_log_path);
  if (!audit.ok()) return audit.error();
  const std::string owner = options.lease_owner.empty() ? MakeLeaseOwner() : options.lease_owner;
  const std::string run_id = NewRunId();
  logger.info("merge run {}: {} cluster(s) planned, {} unfinished, strategy {}", run_id, plans.value().size(),
              resume.size(), MergeStrategyName(options.strategy));

  const PodiumClientStats before = client->stats();
  merge_internal::ClusterMerger merger(options, owner, run_id, *store.value(), *audit.value(), *client, logger, summary);
  const Status carried = CarryOut(options, plans.value(), resume, merger, logger);
  const PodiumClientStats after = client->stats();
  summary.api_requests = after.requests - before.requests;
  summary.retries += after.retries - before.retries;
  if (!carried.ok()) return carried.error();
  return summary;
}

json MergeRunSummaryToJson(const MergeRunSummary& summary) {
  json clusters = json::array();
  for (const ClusterOutcome& outcome : summary.clusters) {
    json item = {{"cluster_id", outcome.cluster_id},
                 {"status", outcome.status},
                 {"primary_uid", outcome.primary_uid},
                 {"duplicate_uids", outcome.duplicate_uids},
                 {"repeat_merge", outcome.repeat_merge}};
    if (!outcome.error.empty()) item["error"] = outcome.error;
    clusters.push_back(std::move(item));
  }
  json out = {{"clusters_planned", summary.clusters_planned},
              {"merged", summary.merged},
              {"conflicts", summary.conflicts},
              {"failed", summary.failed},
              {"review", summary.review},
              {"skipped", summary.skipped},
              {"opt_outs_forced", summary.opt_outs_forced},
              {"api_requests", summary.api_requests},
              {"retries", summary.retries},
              {"repeat_merges", summary.repeat_merges},
              {"clusters", clusters}};
  if (!summary.plans.empty()) {
    json plans = json::array();
    for (const MergePlan& plan : summary.plans) plans.push_back(MergePlanToJson(plan));
    out["plans"] = plans;
  }
  return out;
}

}  // namespace podium_dedup
