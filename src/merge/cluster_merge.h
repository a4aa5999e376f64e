// ClusterMerger: carries one cluster through the merge state machine.
#ifndef PODIUM_DEDUP_MERGE_CLUSTER_MERGE_H_
#define PODIUM_DEDUP_MERGE_CLUSTER_MERGE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "podium_dedup/audit_log.h"
#include "podium_dedup/log.h"
#include "podium_dedup/merge.h"
#include "podium_dedup/podium_client.h"

namespace podium_dedup::merge_internal {

class ClusterMerger {
 public:
  ClusterMerger(const MergeOptions& options, std::string owner, std::string run_id, MergeStateStore& store,
                AuditLog& audit, PodiumClient& client, Logger& logger, MergeRunSummary& summary);

  // Claims the cluster and carries it as far as it can go. `fresh_plan` is
  // the plan from the current index, or null to finish a stored merge that
  // is no longer in the index. Returns an error only when the whole run
  // must stop: the database or the audit log failed, or the API rejected
  // the token or could not be reached.
  Status Process(const std::string& cluster_id, const MergePlan* fresh_plan, bool explicit_request);

  // True when the last Process claimed its cluster (it counts toward
  // --max-clusters).
  bool last_claimed() const { return last_claimed_; }

 private:
  struct Work;
  // What a step decided: the next status to carry on from, or a final one.
  struct Step {
    MergeStatus next;
    std::string error;  // for final statuses: "code: message"
    MergeStatus failed_step = MergeStatus::kPending;
  };
  using StepResult = Result<Step>;

  Status Carry(Work& work, MergeStatus status);
  StepResult CheckAndMerge(Work& work);
  StepResult ResumeMerging(Work& work);
  StepResult SendMerge(Work& work, const std::vector<std::string>& duplicates);
  StepResult SendEndpointMerge(Work& work, const std::vector<std::string>& duplicates);
  StepResult SendCompose(Work& work, const std::vector<std::string>& duplicates);
  StepResult ConfirmMerged(Work& work);
  StepResult PatchAndVerify(Work& work);
  StepResult ReapplyOptOuts(Work& work);
  StepResult ReevaluateAfterInvalidDuplicate(Work& work, const Error& error);

  // GETs the primary and each of `duplicates`; nullopt values are contacts
  // the API does not know.
  Result<std::map<std::string, std::optional<nlohmann::json>>> FetchMembers(Work& work,
                                                                            const std::vector<std::string>& duplicates);
  // Lists the members whose state differs from the index: changed
  // updatedAt, deleted or gone. Empty when the index is current.
  nlohmann::json FindConflicts(const Work& work, const std::map<std::string, std::optional<nlohmann::json>>& fetched,
                               bool check_primary) const;
  StepResult ReportConflict(Work& work, const nlohmann::json& conflicts, const std::string& reason);

  Status Transition(Work& work, MergeStatus status, bool count_attempt);
  Status Finish(Work& work, const Step& step);
  Status Audit(Work& work, std::string_view event, nlohmann::json fields, bool sync);
  Status AuditCall(Work& work, const std::string& method, const std::string& path, const nlohmann::json& body,
                   const Status& status);
  // Returns a StepResult error for errors that must stop the run, or a
  // final step of `failed` for the others.
  StepResult FailedCall(Work& work, const Error& error, MergeStatus failed_step);

  const MergeOptions& options_;
  std::string owner_;
  std::string run_id_;
  MergeStateStore& store_;
  AuditLog& audit_;
  PodiumClient& client_;
  Logger& logger_;
  MergeRunSummary& summary_;
  bool last_claimed_ = false;
};

// True for error codes that no later cluster can get past: a missing or
// rejected token, or an API that cannot be reached.
bool StopsTheRun(const std::string& code);

}  // namespace podium_dedup::merge_internal

#endif  // PODIUM_DEDUP_MERGE_CLUSTER_MERGE_H_
