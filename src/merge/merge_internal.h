// Helpers shared by the files of the merge module.
#ifndef PODIUM_DEDUP_MERGE_MERGE_INTERNAL_H_
#define PODIUM_DEDUP_MERGE_MERGE_INTERNAL_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "podium_dedup/match.h"
#include "podium_dedup/merge.h"
#include "podium_dedup/result.h"

namespace podium_dedup {

// Returns the consent PATCH body that sets each flag of `flags` that is
// true and leaves the others out, so that no flag is ever cleared.
nlohmann::json ConsentPatchFor(const OptOuts& flags);

// Returns the endpoint strategy's PATCH after the merge call: the fields
// the primary lacks and the consent flags of the opt-out union.
nlohmann::json EndpointPatch(const MergePlan& plan);

nlohmann::json OptOutsToJson(const OptOuts& flags);
OptOuts OptOutsFromJson(const nlohmann::json& json);

// Reads the three consent flags of a contact object. The flat extension
// booleans win; without them the flags come from the consent channels.
OptOuts OptOutsOfContactJson(const nlohmann::json& contact);

// Returns the names of the flags set in `expected` but not in `actual`.
std::vector<std::string> MissingOptOuts(const OptOuts& expected, const OptOuts& actual);

// Returns "code: message".
std::string DescribeError(const Error& error);

// Failpoints for crash tests. When the environment variable
// PODIUM_DEDUP_FAILPOINT names `step`, the process raises SIGKILL there, so
// a test can stop a merge at each step of the state machine and check that
// the next run finishes it. The steps, in the order a merge reaches them:
//   after_lease_taken           the cluster is claimed, nothing else written
//   after_before_state_logged   the conflict check passed and was logged
//   after_merging_written       status merging is stored, no merge call sent
//   after_compose_patch_call    compose: the primary's fields are PATCHed
//   after_compose_tags          compose: the duplicates' tags are added
//   after_compose_opt_outs      compose: the campaigns opt-outs are sent
//   after_merge_call            the merge call (or compose deletes) succeeded
//   after_merged_written        status merged is stored
//   after_patch_call            the consent PATCH (or re-opt-out) succeeded
//   after_patched_written       status patched is stored, lease still held
//   undo_after_restore          undo: the duplicates are restored
//   undo_after_patch            undo: the primary is PATCHed back
void MaybeFail(std::string_view step);

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_MERGE_MERGE_INTERNAL_H_
