// The merge state machine for one cluster.
//
// Each step is stored before its API call and confirmed after it:
//
//   pending  --conflict check, before-state logged-->  merging
//   merging  --merge call (or compose calls)------->  merged
//   merged   --consent PATCH, read-back verified---->  patched
//
// A run that finds a cluster in merging does not know whether the merge
// call went through, so it asks the API: duplicates already soft-deleted
// into the primary are not merged again, the others are.
#include "merge/cluster_merge.h"

#include <algorithm>
#include <thread>

#include "merge/merge_internal.h"

namespace podium_dedup::merge_internal {

using nlohmann::json;

struct ClusterMerger::Work {
  MergePlan plan;
  MergeStateRow row;
  MergeStatus failed_step = MergeStatus::kPending;  // the step in progress, for a failure
};

namespace {

bool IsFinal(MergeStatus status) { return status != MergeStatus::kMerging && status != MergeStatus::kMerged; }

bool IsDeletedJson(const json& contact) {
  return contact.contains("deletedAt") && !contact["deletedAt"].is_null();
}

std::string StringOf(const json& contact, const char* key) {
  auto it = contact.find(key);
  return it != contact.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string ContactPath(const std::string& uid) { return "/contacts/" + uid; }

// True when the primary is live and every duplicate is soft-deleted with
// mergedInto set to it, which is what an applied merge call leaves.
bool MergeApplied(const MergePlan& plan, const std::map<std::string, std::optional<json>>& fetched) {
  const std::optional<json>& primary = fetched.at(plan.primary_uid);
  if (!primary.has_value() || IsDeletedJson(*primary)) return false;
  return std::all_of(plan.duplicate_uids.begin(), plan.duplicate_uids.end(), [&](const std::string& uid) {
    const std::optional<json>& duplicate = fetched.at(uid);
    return duplicate.has_value() && IsDeletedJson(*duplicate) && StringOf(*duplicate, "mergedInto") == plan.primary_uid;
  });
}

}  // namespace

bool StopsTheRun(const std::string& code) {
  for (const char* prefix : {"ERR_DEDUP_TOKEN", "ERR_DEDUP_AUTH", "ERR_DEDUP_NETWORK", "ERR_DEDUP_USAGE",
                             "ERR_DEDUP_API_RATE_LIMIT", "ERR_DEDUP_DB", "ERR_DEDUP_MERGE_AUDIT_LOG"}) {
    if (code.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

ClusterMerger::ClusterMerger(const MergeOptions& options, std::string owner, std::string run_id,
                             MergeStateStore& store, AuditLog& audit, PodiumClient& client, Logger& logger,
                             MergeRunSummary& summary)
    : options_(options),
      owner_(std::move(owner)),
      run_id_(std::move(run_id)),
      store_(store),
      audit_(audit),
      client_(client),
      logger_(logger),
      summary_(summary) {}

Status ClusterMerger::Process(const std::string& cluster_id, const MergePlan* fresh_plan, bool explicit_request) {
  last_claimed_ = false;
  Result<Claim> claim = store_.ClaimCluster(cluster_id, fresh_plan, owner_, options_.lease_seconds, explicit_request);
  if (!claim.ok()) return claim.status();

  const ClaimOutcome outcome = claim.value().outcome;
  if (outcome != ClaimOutcome::kClaimed) {
    static constexpr const char* kNames[] = {"claimed", "leased_by_other", "already_done", "in_review", "undone"};
    ClusterOutcome skipped{cluster_id, claim.value().row.primary_uid, claim.value().row.duplicate_uids,
                           kNames[static_cast<int>(outcome)], "", claim.value().row.repeat_merge};
    logger_.info("cluster {}: not merged in this run ({})", cluster_id, skipped.status);
    summary_.clusters.push_back(std::move(skipped));
    ++summary_.skipped;
    return Status::Ok();
  }
  last_claimed_ = true;
  MaybeFail("after_lease_taken");

  Work work;
  work.row = claim.value().row;
  Result<MergePlan> plan = MergePlanFromJson(json::parse(work.row.plan_json, nullptr, false));
  if (!plan.ok()) {
    store_.ReleaseLease(cluster_id, owner_);
    return plan.status();
  }
  work.plan = std::move(plan).value();
  MergeStatus start = work.row.status == MergeStatus::kFailed ? work.row.failed_step : work.row.status;
  const Status carried = Carry(work, start);
  if (Status released = store_.ReleaseLease(cluster_id, owner_); !released.ok() && carried.ok()) return released;
  return carried;
}

Status ClusterMerger::Carry(Work& work, MergeStatus status) {
  if (status == MergeStatus::kPending) {
    json previous = json::array();
    for (const std::string& uid : work.plan.duplicate_uids) {
      Result<std::vector<MergeLedgerEntry>> entries = store_.LedgerEntriesFor(uid);
      if (!entries.ok()) return entries.status();
      for (const MergeLedgerEntry& entry : entries.value()) {
        previous.push_back({{"duplicate_uid", entry.duplicate_uid}, {"primary_uid", entry.primary_uid},
                            {"cluster_id", entry.cluster_id}, {"merged_at", entry.merged_at}});
      }
    }
    if (Status s = Audit(work, audit_event::kPlan,
                         {{"plan", MergePlanToJson(work.plan)}, {"repeat_merge", work.row.repeat_merge},
                          {"previous_merges", previous}},
                         false);
        !s.ok()) {
      return s;
    }
    if (!work.plan.mergeable) {
      std::string reasons;
      for (const std::string& reason : work.plan.review_reasons) reasons += (reasons.empty() ? "" : ", ") + reason;
      return Finish(work, {MergeStatus::kReview, "ERR_DEDUP_MERGE_NEEDS_REVIEW: " + reasons});
    }
  }

  while (true) {
    StepResult step = status == MergeStatus::kPending   ? CheckAndMerge(work)
                      : status == MergeStatus::kMerging ? ResumeMerging(work)
                      : status == MergeStatus::kMerged  ? PatchAndVerify(work)
                                                        : StepResult(Step{status, ""});
    if (!step.ok()) {
      const Error& error = step.error();
      if (error.code == "ERR_DEDUP_MERGE_LEASE_LOST") {
        logger_.warn("cluster {}: {}", work.plan.cluster_id, error.message);
        summary_.clusters.push_back({work.plan.cluster_id, work.plan.primary_uid, work.plan.duplicate_uids,
                                     "lease_lost", DescribeError(error), work.row.repeat_merge});
        ++summary_.failed;
        return Status::Ok();
      }
      // The run stops, but the cluster's row says where and why.
      Finish(work, {MergeStatus::kFailed, DescribeError(error), work.failed_step});
      return error;
    }
    if (IsFinal(step.value().next)) return Finish(work, step.value());
    status = step.value().next;
  }
}

Result<std::map<std::string, std::optional<json>>> ClusterMerger::FetchMembers(
    Work& work, const std::vector<std::string>& duplicates) {
  std::map<std::string, std::optional<json>> fetched;
  std::vector<std::string> uids = {work.plan.primary_uid};
  uids.insert(uids.end(), duplicates.begin(), duplicates.end());
  for (const std::string& uid : uids) {
    Result<std::optional<json>> contact = client_.GetContact(uid);
    if (Status s = AuditCall(work, "GET", ContactPath(uid), nullptr, contact.status()); !s.ok()) return s.error();
    if (!contact.ok()) return contact.error();
    fetched[uid] = contact.value();
  }
  return fetched;
}

json ClusterMerger::FindConflicts(const Work& work, const std::map<std::string, std::optional<json>>& fetched,
                                  bool check_primary) const {
  json conflicts = json::array();
  for (const auto& [uid, contact] : fetched) {
    const bool is_primary = uid == work.plan.primary_uid;
    if (is_primary && !check_primary) continue;
    auto indexed = work.plan.indexed_updated_at.find(uid);
    const std::string indexed_at = indexed == work.plan.indexed_updated_at.end() ? "" : indexed->second;
    json conflict = {{"uid", uid}, {"role", is_primary ? "primary" : "duplicate"}, {"index_updated_at", indexed_at}};
    if (!contact.has_value()) {
      conflict["reason"] = "gone";
      conflict["api_updated_at"] = nullptr;
    } else if (IsDeletedJson(*contact)) {
      conflict["reason"] = "deleted";
      conflict["api_updated_at"] = StringOf(*contact, "updatedAt");
    } else if (StringOf(*contact, "updatedAt") != indexed_at) {
      conflict["reason"] = "updated";
      conflict["api_updated_at"] = StringOf(*contact, "updatedAt");
    } else {
      continue;
    }
    conflicts.push_back(std::move(conflict));
  }
  return conflicts;
}

ClusterMerger::StepResult ClusterMerger::ReportConflict(Work& work, const json& conflicts, const std::string& reason) {
  if (Status s = Audit(work, audit_event::kConflict, {{"reason", reason}, {"conflicts", conflicts}}, true); !s.ok()) {
    return s.error();
  }
  std::string uids;
  for (const json& conflict : conflicts) {
    uids += (uids.empty() ? "" : ", ") + conflict["uid"].get<std::string>() + " (" +
            conflict["reason"].get<std::string>() + ")";
  }
  return Step{MergeStatus::kConflict, "ERR_DEDUP_MERGE_CONFLICT: contacts changed since indexing: " + uids +
                                          "; run find-duplicates to refresh the index, then merge again"};
}

ClusterMerger::StepResult ClusterMerger::CheckAndMerge(Work& work) {
  work.failed_step = MergeStatus::kPending;
  auto fetched = FetchMembers(work, work.plan.duplicate_uids);
  if (!fetched.ok()) return FailedCall(work, fetched.error(), MergeStatus::kPending);

  const std::optional<json>& primary = fetched.value()[work.plan.primary_uid];
  if (!primary.has_value() || IsDeletedJson(*primary)) {
    return Step{MergeStatus::kSkipped, "ERR_DEDUP_MERGE_PRIMARY_GONE: primary " + work.plan.primary_uid +
                                           " is deleted or unknown to the API; nothing was merged"};
  }
  const json conflicts = FindConflicts(work, fetched.value(), true);
  if (!conflicts.empty()) return ReportConflict(work, conflicts, "index_stale");

  json records = json::object();
  for (const auto& [uid, contact] : fetched.value()) records[uid] = *contact;
  if (Status s = Audit(work, audit_event::kBeforeState, {{"records", records}}, true); !s.ok()) return s.error();
  MaybeFail("after_before_state_logged");

  if (Status s = Transition(work, MergeStatus::kMerging, true); !s.ok()) return s.error();
  MaybeFail("after_merging_written");
  return SendMerge(work, work.plan.duplicate_uids);
}

ClusterMerger::StepResult ClusterMerger::ResumeMerging(Work& work) {
  work.failed_step = MergeStatus::kMerging;
  auto fetched = FetchMembers(work, work.plan.duplicate_uids);
  if (!fetched.ok()) return FailedCall(work, fetched.error(), MergeStatus::kMerging);
  const std::optional<json>& primary = fetched.value()[work.plan.primary_uid];
  if (!primary.has_value() || IsDeletedJson(*primary)) {
    return Step{MergeStatus::kFailed, "ERR_DEDUP_MERGE_PRIMARY_GONE: primary " + work.plan.primary_uid +
                                          " disappeared during its merge; check it in Podium and the audit log",
                MergeStatus::kMerging};
  }

  // A duplicate soft-deleted into this primary was merged by the earlier
  // attempt. Compose deletes duplicates itself, so for compose a deleted
  // duplicate is one this pipeline merged.
  const bool compose = work.plan.strategy == MergeStrategy::kCompose;
  std::vector<std::string> remaining;
  json conflicts = json::array();
  for (const std::string& uid : work.plan.duplicate_uids) {
    const std::optional<json>& duplicate = fetched.value()[uid];
    if (!duplicate.has_value()) {
      conflicts.push_back({{"uid", uid}, {"role", "duplicate"}, {"reason", "gone"}});
    } else if (!IsDeletedJson(*duplicate)) {
      remaining.push_back(uid);
    } else if (!compose && StringOf(*duplicate, "mergedInto") != work.plan.primary_uid) {
      conflicts.push_back({{"uid", uid}, {"role", "duplicate"}, {"reason", "deleted"},
                           {"api_updated_at", StringOf(*duplicate, "updatedAt")}});
    }
  }
  if (!conflicts.empty()) return ReportConflict(work, conflicts, "changed_during_merge");
  if (remaining.empty()) return ConfirmMerged(work);

  if (!compose) {
    // The merge extension is one call: if no duplicate was merged, nothing
    // was, and the index must still match before the call is sent again.
    if (remaining.size() != work.plan.duplicate_uids.size()) {
      return ReportConflict(work, json::array({{{"uid", work.plan.primary_uid}, {"reason", "partially_merged"}}}),
                            "changed_during_merge");
    }
    const json stale = FindConflicts(work, fetched.value(), true);
    if (!stale.empty()) return ReportConflict(work, stale, "index_stale");
  }
  // NOTE: compose re-sends its calls without comparing updatedAt, because
  // its own campaigns opt-outs of the first attempt moved the members'
  // updatedAt; an edit made between the crash and this run is not detected.
  logger_.info("cluster {}: resuming the merge of {} duplicate(s)", work.plan.cluster_id, remaining.size());
  if (Status s = Audit(work, audit_event::kRetry, {{"reason", "resume_merging"}, {"duplicate_uids", remaining}}, false);
      !s.ok()) {
    return s.error();
  }
  if (Status s = Transition(work, MergeStatus::kMerging, true); !s.ok()) return s.error();
  return SendMerge(work, remaining);
}

ClusterMerger::StepResult ClusterMerger::SendMerge(Work& work, const std::vector<std::string>& duplicates) {
  work.failed_step = MergeStatus::kMerging;
  if (work.plan.strategy == MergeStrategy::kCompose) return SendCompose(work, duplicates);
  return SendEndpointMerge(work, duplicates);
}

ClusterMerger::StepResult ClusterMerger::SendEndpointMerge(Work& work, const std::vector<std::string>& duplicates) {
  const std::string path = ContactPath(work.plan.primary_uid) + "/merge";
  const json body = {{"duplicateUids", duplicates}};
  auto backoff = options_.merge_in_progress_backoff;
  for (int retries = 0;; ++retries) {
    Result<json> merged = client_.MergeContacts(work.plan.primary_uid, duplicates);
    if (Status s = AuditCall(work, "POST", path, body, merged.status()); !s.ok()) return s.error();
    if (merged.ok()) break;

    const Error& error = merged.error();
    if (error.code == kErrApiMergeInProgress && retries < options_.merge_in_progress_retries) {
      ++summary_.retries;
      if (Status s = Audit(work, audit_event::kRetry,
                           {{"reason", "merge_in_progress"}, {"retry", retries + 1}, {"wait_ms", backoff.count()}},
                           false);
          !s.ok()) {
        return s.error();
      }
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
      continue;
    }
    if (error.code == kErrApiInvalidDuplicateUid) return ReevaluateAfterInvalidDuplicate(work, error);
    if (error.code == kErrApiContactNotFound) {
      return Step{MergeStatus::kSkipped, "ERR_DEDUP_MERGE_PRIMARY_GONE: " + error.message};
    }
    if (error.code == kErrApiCrossLocationMergeBlocked) {
      return Step{MergeStatus::kReview, "ERR_DEDUP_MERGE_CROSS_LOCATION_BLOCKED: " + error.message +
                                            "; a person must decide whether these contacts are one"};
    }
    if (error.code == kErrApiRouteNotFound) {
      return Step{MergeStatus::kFailed,
                  "ERR_DEDUP_MERGE_NO_MERGE_ENDPOINT: the API has no merge endpoint (" + error.message +
                      "); run with --strategy compose or set merge.strategy: compose"};
    }
    return FailedCall(work, error, MergeStatus::kMerging);
  }
  MaybeFail("after_merge_call");
  return ConfirmMerged(work);
}

ClusterMerger::StepResult ClusterMerger::SendCompose(Work& work, const std::vector<std::string>& duplicates) {
  const std::string& primary = work.plan.primary_uid;
  if (!work.plan.primary_patch.empty()) {
    const Status patched = client_.PatchContact(primary, work.plan.primary_patch);
    if (Status s = AuditCall(work, "PATCH", ContactPath(primary), work.plan.primary_patch, patched); !s.ok()) {
      return s.error();
    }
    if (!patched.ok()) return FailedCall(work, patched.error(), MergeStatus::kMerging);
  }
  MaybeFail("after_compose_patch_call");

  for (const std::string& tag_uid : work.plan.tags_to_add) {
    const Status added = client_.AddTag(primary, tag_uid);
    if (Status s = AuditCall(work, "POST", ContactPath(primary) + "/tags/" + tag_uid, nullptr, added); !s.ok()) {
      return s.error();
    }
    if (!added.ok()) return FailedCall(work, added.error(), MergeStatus::kMerging);
  }
  MaybeFail("after_compose_tags");

  if (StepResult opted = ReapplyOptOuts(work); !opted.ok() || opted.value().next != MergeStatus::kMerged) {
    return opted;
  }
  MaybeFail("after_compose_opt_outs");

  for (const std::string& uid : duplicates) {
    const Status deleted = client_.DeleteContact(uid);
    if (Status s = AuditCall(work, "DELETE", ContactPath(uid), nullptr, deleted); !s.ok()) return s.error();
    if (!deleted.ok()) return FailedCall(work, deleted.error(), MergeStatus::kMerging);
  }
  MaybeFail("after_merge_call");
  return ConfirmMerged(work);
}

ClusterMerger::StepResult ClusterMerger::ReevaluateAfterInvalidDuplicate(Work& work, const Error& error) {
  auto fetched = FetchMembers(work, work.plan.duplicate_uids);
  if (!fetched.ok()) return FailedCall(work, fetched.error(), MergeStatus::kMerging);
  // The client sends a merge again after a 5xx or a response cut off
  // mid-transfer. So when the server applied the first attempt and its
  // reply was lost, the retry is rejected because the duplicates are
  // already deleted. Every duplicate merged into this primary means that
  // attempt went through: the merge is confirmed and the patch step still
  // carries the fields and opt-outs, as when a run resumes a cluster left
  // in merging.
  if (MergeApplied(work.plan, fetched.value())) {
    logger_.warn("cluster {}: the merge was applied but its reply was lost; continuing with the patch step",
                 work.plan.cluster_id);
    if (Status s = Audit(work, audit_event::kRetry, {{"reason", "merge_reply_lost"}}, false); !s.ok()) {
      return s.error();
    }
    return ConfirmMerged(work);
  }
  const json conflicts = FindConflicts(work, fetched.value(), true);
  if (!conflicts.empty()) return ReportConflict(work, conflicts, "invalid_duplicate_uid");
  // The API rejected duplicates that look valid: nothing was merged, so the
  // next run plans the cluster afresh.
  return Step{MergeStatus::kFailed, DescribeError(error), MergeStatus::kPending};
}

ClusterMerger::StepResult ClusterMerger::ConfirmMerged(Work& work) {
  if (Status s = store_.RecordMergedDuplicates(work.plan); !s.ok()) return s.error();
  if (Status s = Transition(work, MergeStatus::kMerged, false); !s.ok()) return s.error();
  MaybeFail("after_merged_written");
  return Step{MergeStatus::kMerged, ""};
}

// Sends the opt-out union again: a consent PATCH for the endpoint strategy,
// the campaigns opt-outs for compose. Returns a step of kMerged when done.
ClusterMerger::StepResult ClusterMerger::ReapplyOptOuts(Work& work) {
  if (work.plan.strategy == MergeStrategy::kEndpoint) {
    const json consent = ConsentPatchFor(work.plan.opt_out_union);
    if (consent.empty()) return Step{MergeStatus::kMerged, ""};
    const Status patched = client_.PatchContact(work.plan.primary_uid, consent);
    if (Status s = AuditCall(work, "PATCH", ContactPath(work.plan.primary_uid), consent, patched); !s.ok()) {
      return s.error();
    }
    if (!patched.ok()) return FailedCall(work, patched.error(), work.failed_step);
    return Step{MergeStatus::kMerged, ""};
  }
  for (const ConsentChannel& channel : work.plan.opt_out_channels) {
    const Status opted = client_.OptOut(channel);
    const json body = {{"channel", {{"identifier", channel.identifier}, {"type", channel.type}}}};
    if (Status s = AuditCall(work, "POST", "/contacts/campaigns/opt_out", body, opted); !s.ok()) return s.error();
    // No live contact has the channel any more (its only holder is a
    // duplicate deleted by an earlier attempt): nothing left to opt out.
    // NOTE: on the first compose pass a 404 is accepted too, so the deletes
    // that follow rely on the read-back check after them to catch an opt-out
    // that the server did not apply.
    if (!opted.ok() && opted.code() != kErrApiResourceNotFound) {
      return FailedCall(work, opted.error(), work.failed_step);
    }
  }
  return Step{MergeStatus::kMerged, ""};
}

ClusterMerger::StepResult ClusterMerger::PatchAndVerify(Work& work) {
  work.failed_step = MergeStatus::kMerged;
  const std::string& primary_uid = work.plan.primary_uid;
  if (work.plan.strategy == MergeStrategy::kEndpoint) {
    const json patch = EndpointPatch(work.plan);
    if (!patch.empty()) {
      const Status patched = client_.PatchContact(primary_uid, patch);
      if (Status s = AuditCall(work, "PATCH", ContactPath(primary_uid), patch, patched); !s.ok()) return s.error();
      if (!patched.ok()) return FailedCall(work, patched.error(), MergeStatus::kMerged);
    }
  }
  MaybeFail("after_patch_call");

  json primary_after;
  for (int attempt = 1;; ++attempt) {
    Result<std::optional<json>> primary = client_.GetContact(primary_uid);
    if (Status s = AuditCall(work, "GET", ContactPath(primary_uid), nullptr, primary.status()); !s.ok()) {
      return s.error();
    }
    if (!primary.ok()) return FailedCall(work, primary.error(), MergeStatus::kMerged);
    if (!primary.value().has_value()) {
      return Step{MergeStatus::kFailed, "ERR_DEDUP_MERGE_PRIMARY_GONE: primary " + primary_uid +
                                            " disappeared after its merge; check it in Podium and the audit log",
                  MergeStatus::kMerged};
    }
    const std::vector<std::string> missing =
        MissingOptOuts(work.plan.opt_out_union, OptOutsOfContactJson(*primary.value()));
    if (missing.empty()) {
      primary_after = *primary.value();
      break;
    }
    if (attempt >= options_.opt_out_verify_attempts) {
      std::string names;
      for (const std::string& name : missing) names += (names.empty() ? "" : ", ") + name;
      return Step{MergeStatus::kFailed, "ERR_DEDUP_MERGE_OPT_OUT_MISMATCH: primary " + primary_uid +
                                            " still lacks " + names + " after " + std::to_string(attempt) +
                                            " read-backs; set the opt-out by hand and run merge again",
                  MergeStatus::kMerged};
    }
    ++summary_.retries;
    if (Status s = Audit(work, audit_event::kRetry, {{"reason", "opt_out_mismatch"}, {"missing", missing}}, false);
        !s.ok()) {
      return s.error();
    }
    if (StepResult reapplied = ReapplyOptOuts(work); !reapplied.ok() || reapplied.value().next != MergeStatus::kMerged) {
      return reapplied;
    }
  }

  if (Status s = Audit(work, audit_event::kAfterState, {{"primary", primary_after}}, true); !s.ok()) return s.error();
  const OptOuts& forced = work.plan.opt_out_union;
  const OptOuts& before = work.plan.primary_opt_outs;
  summary_.opt_outs_forced += (forced.marketing && !before.marketing) + (forced.sms && !before.sms) +
                              (forced.email && !before.email);
  return Step{MergeStatus::kPatched, ""};
}

ClusterMerger::StepResult ClusterMerger::FailedCall(Work& work, const Error& error, MergeStatus failed_step) {
  if (StopsTheRun(error.code)) {
    work.failed_step = failed_step;
    return error;
  }
  return Step{MergeStatus::kFailed, DescribeError(error), failed_step};
}

Status ClusterMerger::Transition(Work& work, MergeStatus status, bool count_attempt) {
  return store_.Transition(work.plan.cluster_id, owner_, status, "", count_attempt, options_.lease_seconds);
}

Status ClusterMerger::Finish(Work& work, const Step& step) {
  if (Status s = store_.Transition(work.plan.cluster_id, owner_, step.next, step.error, false, options_.lease_seconds,
                                   step.failed_step);
      !s.ok()) {
    return s;
  }
  if (step.next == MergeStatus::kPatched) MaybeFail("after_patched_written");

  const std::string status(MergeStatusName(step.next));
  json fields = {{"status", status},
                 {"primary_uid", work.plan.primary_uid},
                 {"duplicate_uids", work.plan.duplicate_uids},
                 {"repeat_merge", work.row.repeat_merge}};
  if (!step.error.empty()) fields["error"] = step.error;
  if (step.next == MergeStatus::kFailed) fields["failed_step"] = std::string(MergeStatusName(step.failed_step));
  if (Status s = Audit(work, audit_event::kOutcome, fields, true); !s.ok()) return s;

  switch (step.next) {
    case MergeStatus::kPatched: ++summary_.merged; break;
    case MergeStatus::kConflict: ++summary_.conflicts; break;
    case MergeStatus::kReview: ++summary_.review; break;
    case MergeStatus::kSkipped: ++summary_.skipped; break;
    default: ++summary_.failed; break;
  }
  if (step.next == MergeStatus::kPatched && work.row.repeat_merge) ++summary_.repeat_merges;
  if (step.next == MergeStatus::kPatched) {
    logger_.info("cluster {}: merged {} duplicate(s) into {}", work.plan.cluster_id, work.plan.duplicate_uids.size(),
                 work.plan.primary_uid);
  } else {
    logger_.warn("cluster {}: {} ({})", work.plan.cluster_id, status, step.error);
  }
  summary_.clusters.push_back(
      {work.plan.cluster_id, work.plan.primary_uid, work.plan.duplicate_uids, status, step.error, work.row.repeat_merge});
  return Status::Ok();
}

Status ClusterMerger::Audit(Work& work, std::string_view event, json fields, bool sync) {
  fields["event"] = event;
  fields["cluster_id"] = work.plan.cluster_id;
  fields["run_id"] = run_id_;
  return audit_.Append(std::move(fields), sync);
}

Status ClusterMerger::AuditCall(Work& work, const std::string& method, const std::string& path, const json& body,
                                const Status& status) {
  json fields = {{"method", method}, {"path", path}, {"ok", status.ok()}};
  if (!body.is_null()) fields["body"] = body;
  if (!status.ok()) fields["error"] = DescribeError(status.error());
  return Audit(work, audit_event::kCall, std::move(fields), false);
}

}  // namespace podium_dedup::merge_internal
