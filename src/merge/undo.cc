// Undo of a merge from the audit log.
//
// The audit log contains each record as it was fetched right before the merge
// (before_state) and the primary as it was read back after it (after_state).
// Undo compares three states of the primary: before, after, and now. What
// differs between after and now was changed by a person after the merge and
// is kept; the rest goes back to before. An opt-out that is set now but was
// not set after the merge is always kept, so undo never re-enables
// marketing that someone turned off.
#include <algorithm>
#include <random>
#include <set>

#include <fmt/format.h>

#include "merge/merge_internal.h"
#include "podium_dedup/audit_log.h"
#include "podium_dedup/contact_json.h"
#include "podium_dedup/merge.h"

namespace podium_dedup {
namespace {

using nlohmann::json;

struct MergeRecord {
  json before_records;  // uid -> contact object fetched before the merge
  json after_primary;   // the primary read back after the merge, or null
};

Error UndoFailed(const std::string& cluster_id, const std::string& what, const Error& cause) {
  return Error{"ERR_DEDUP_UNDO_FAILED", "undo of cluster " + cluster_id + " failed while " + what + ": " +
                                            DescribeError(cause) +
                                            "; fix the cause and run undo again (finished steps are not repeated)"};
}

// Finds the last before_state of the cluster and the after_state that
// follows it.
Result<MergeRecord> FindMergeRecord(const std::string& path, const std::string& cluster_id) {
  Result<std::vector<json>> events = ReadAuditLog(path);
  if (!events.ok()) return events.error();
  MergeRecord record;
  for (const json& event : events.value()) {
    if (event.value("cluster_id", "") != cluster_id) continue;
    const std::string name = event.value("event", "");
    if (name == audit_event::kBeforeState) {
      record.before_records = event.value("records", json());
      record.after_primary = nullptr;
    } else if (name == audit_event::kAfterState) {
      record.after_primary = event.value("primary", json());
    }
  }
  if (!record.before_records.is_object()) {
    return Error{"ERR_DEDUP_UNDO_NO_BEFORE_STATE",
                 "the audit log '" + path + "' has no before_state for cluster " + cluster_id +
                     "; pass the audit log that the merge wrote with --audit-log"};
  }
  return record;
}

Contact ParseOrEmpty(const json& object) {
  if (!object.is_object()) return Contact{};
  Result<Contact> contact = ContactFromJson(object);
  return contact.ok() ? contact.value() : Contact{};
}

json AddressJson(const Address& address) {
  return json{{"addressLine1", address.line1}, {"addressLine2", address.line2}, {"city", address.city},
              {"state", address.state},        {"postalCode", address.postal_code}, {"country", address.country}};
}

std::set<std::string> TagUids(const Contact& contact) {
  std::set<std::string> uids;
  for (const Tag& tag : contact.tags) uids.insert(tag.uid);
  return uids;
}

class Undoer {
 public:
  Undoer(const UndoOptions& options, PodiumClient& client, AuditLog& audit, Logger& logger, std::string run_id)
      : options_(options), client_(client), audit_(audit), logger_(logger), run_id_(std::move(run_id)) {}

  Status Run(const MergeStateRow& row, const MergeRecord& record, UndoSummary* summary);

 private:
  Status RestoreDuplicates(const MergeStateRow& row, const MergeRecord& record, UndoSummary* summary);
  Status RestorePrimary(const MergeStateRow& row, const MergeRecord& record, UndoSummary* summary);
  Result<json> Fetch(const std::string& uid);
  // Adds to `patch` each field of the primary that differs from before and
  // was not changed since the merge.
  void PlanFieldPatch(const Contact& before, const Contact& after, const Contact& now, bool have_after,
                      UndoSummary* summary);
  void PlanConsentPatch(const OptOuts& before, const OptOuts& after, const OptOuts& now, UndoSummary* summary);
  Status Call(const std::string& method, const std::string& path, const json& body, const Status& status,
              const std::string& what);

  const UndoOptions& options_;
  PodiumClient& client_;
  AuditLog& audit_;
  Logger& logger_;
  std::string run_id_;
};

Status Undoer::Call(const std::string& method, const std::string& path, const json& body, const Status& status,
                    const std::string& what) {
  json event = {{"event", audit_event::kCall}, {"cluster_id", options_.cluster_id}, {"run_id", run_id_},
                {"undo", true}, {"method", method}, {"path", path}, {"ok", status.ok()}};
  if (!body.is_null()) event["body"] = body;
  if (!status.ok()) event["error"] = DescribeError(status.error());
  if (Status s = audit_.Append(std::move(event), false); !s.ok()) return s;
  if (!status.ok()) return UndoFailed(options_.cluster_id, what, status.error());
  return Status::Ok();
}

Result<json> Undoer::Fetch(const std::string& uid) {
  Result<std::optional<json>> contact = client_.GetContact(uid);
  if (Status s = Call("GET", "/contacts/" + uid, nullptr, contact.status(), "reading contact " + uid); !s.ok()) {
    return s.error();
  }
  if (!contact.value().has_value()) {
    return Error{"ERR_DEDUP_UNDO_FAILED", "contact " + uid + " of cluster " + options_.cluster_id +
                                              " no longer exists in Podium and cannot be restored; restore it from "
                                              "the audit log's before_state by hand"};
  }
  return *contact.value();
}

Status Undoer::RestoreDuplicates(const MergeStateRow& row, const MergeRecord& record, UndoSummary* summary) {
  for (const std::string& uid : row.duplicate_uids) {
    Result<json> current = Fetch(uid);
    if (!current.ok()) return current.status();
    if (current.value().contains("deletedAt") && !current.value()["deletedAt"].is_null()) {
      const Status restored = client_.RestoreContact(uid);
      if (Status s = Call("POST", "/contacts/" + uid + "/restore", nullptr, restored, "restoring " + uid); !s.ok()) {
        return s;
      }
    }
    summary->restored_uids.push_back(uid);

    // The merge moved the duplicate's conversations to the primary; the
    // documented conversationUid field links them back to the duplicate.
    const Contact before = ParseOrEmpty(record.before_records.value(uid, json()));
    const Contact now = ParseOrEmpty(current.value());
    for (const std::string& conversation : before.conversation_uids) {
      if (std::find(now.conversation_uids.begin(), now.conversation_uids.end(), conversation) !=
          now.conversation_uids.end()) {
        continue;
      }
      const json body = {{"conversationUid", conversation}};
      const Status patched = client_.PatchContact(uid, body);
      if (Status s = Call("PATCH", "/contacts/" + uid, body, patched, "relinking a conversation of " + uid); !s.ok()) {
        return s;
      }
    }
  }
  return Status::Ok();
}

void Undoer::PlanFieldPatch(const Contact& before, const Contact& after, const Contact& now, bool have_after,
                            UndoSummary* summary) {
  json& patch = summary->primary_patch;
  const auto restore = [&](const std::string& field, bool same_as_before, bool changed_since_merge, json value) {
    if (same_as_before) return;
    if (have_after && changed_since_merge) {
      summary->kept_fields.push_back(field);
      return;
    }
    patch[field] = std::move(value);
  };
  restore("name", now.name == before.name, now.name != after.name, before.name);
  restore("address", now.address == before.address, !(now.address == after.address), AddressJson(before.address));
  // NOTE: `emails` and `phoneNumbers` as PATCH fields are not in Podium's
  // documented list (it has the single `email` and `phoneNumber`); they are
  // sent only when the merge gave the primary a value it did not have.
  restore("emails", now.emails == before.emails, now.emails != after.emails, before.emails);
  restore("phoneNumbers", now.phones == before.phones, now.phones != after.phones, before.phones);
}

void Undoer::PlanConsentPatch(const OptOuts& before, const OptOuts& after, const OptOuts& now, UndoSummary* summary) {
  const auto restore = [&](const char* field, bool was, bool after_merge, bool current) {
    if (current && !after_merge) {
      summary->kept_opt_outs.push_back(field);  // set by the person after the merge
      return;
    }
    if (current != was) summary->primary_patch[field] = was;
  };
  restore("marketingOptOut", before.marketing, after.marketing, now.marketing);
  restore("smsOptOut", before.sms, after.sms, now.sms);
  restore("emailOptOut", before.email, after.email, now.email);
}

Status Undoer::RestorePrimary(const MergeStateRow& row, const MergeRecord& record, UndoSummary* summary) {
  const std::string& uid = row.primary_uid;
  Result<json> current = Fetch(uid);
  if (!current.ok()) return current.status();

  const json before_json = record.before_records.value(uid, json());
  const bool have_after = record.after_primary.is_object();
  const Contact before = ParseOrEmpty(before_json);
  const Contact now = ParseOrEmpty(current.value());
  const Contact after = have_after ? ParseOrEmpty(record.after_primary) : now;
  PlanFieldPatch(before, after, now, have_after, summary);

  // Without a read-back (the merge stopped before it), the flags forced
  // were the opt-out union, on top of the primary's own.
  OptOuts after_flags = OptOutsOfContactJson(have_after ? record.after_primary : before_json);
  if (!have_after) {
    const OptOuts forced = OptOutsFromJson(json::parse(row.plan_json, nullptr, false).value("opt_out_union", json()));
    after_flags = {after_flags.marketing || forced.marketing, after_flags.sms || forced.sms,
                   after_flags.email || forced.email};
  }
  PlanConsentPatch(OptOutsOfContactJson(before_json), after_flags, OptOutsOfContactJson(current.value()), summary);

  if (!summary->primary_patch.empty()) {
    const Status patched = client_.PatchContact(uid, summary->primary_patch);
    if (Status s = Call("PATCH", "/contacts/" + uid, summary->primary_patch, patched, "patching the primary back");
        !s.ok()) {
      return s;
    }
  }
  MaybeFail("undo_after_patch");

  // Tags the merge added, and nobody removed since, are taken off again.
  const std::set<std::string> before_tags = TagUids(before);
  for (const std::string& tag_uid : TagUids(now)) {
    if (before_tags.count(tag_uid) > 0 || TagUids(after).count(tag_uid) == 0) continue;
    const Status removed = client_.RemoveTag(uid, tag_uid);
    if (Status s = Call("DELETE", "/contacts/" + uid + "/tags/" + tag_uid, nullptr, removed, "removing tag " + tag_uid);
        !s.ok()) {
      return s;
    }
    summary->removed_tag_uids.push_back(tag_uid);
  }
  return Status::Ok();
}

Status Undoer::Run(const MergeStateRow& row, const MergeRecord& record, UndoSummary* summary) {
  summary->cluster_id = row.cluster_id;
  summary->primary_uid = row.primary_uid;
  if (Status s = RestoreDuplicates(row, record, summary); !s.ok()) return s;
  MaybeFail("undo_after_restore");
  if (Status s = RestorePrimary(row, record, summary); !s.ok()) return s;

  Result<json> primary_now = Fetch(row.primary_uid);
  if (!primary_now.ok()) return primary_now.status();
  json event = UndoSummaryToJson(*summary);
  event["event"] = audit_event::kUndoOutcome;
  event["run_id"] = run_id_;
  event["primary_after_undo"] = primary_now.value();
  return audit_.Append(std::move(event), true);
}

bool MergeWasSent(const MergeStateRow& row) {
  if (row.status == MergeStatus::kMerged || row.status == MergeStatus::kPatched) return true;
  return row.status == MergeStatus::kFailed &&
         (row.failed_step == MergeStatus::kMerging || row.failed_step == MergeStatus::kMerged);
}

}  // namespace

json UndoSummaryToJson(const UndoSummary& summary) {
  return json{{"cluster_id", summary.cluster_id},
              {"primary_uid", summary.primary_uid},
              {"restored_uids", summary.restored_uids},
              {"primary_patch", summary.primary_patch},
              {"removed_tag_uids", summary.removed_tag_uids},
              {"kept_opt_outs", summary.kept_opt_outs},
              {"kept_fields", summary.kept_fields},
              {"api_requests", summary.api_requests}};
}

Result<UndoSummary> UndoMerge(const UndoOptions& options, PodiumClient& client, Logger& logger) {
  auto store = MergeStateStore::Open(options.db_path, options.busy_timeout_ms);
  if (!store.ok()) return store.error();
  Result<std::optional<MergeStateRow>> row = store.value()->Get(options.cluster_id);
  if (!row.ok()) return row.error();
  if (!row.value().has_value() || !MergeWasSent(*row.value())) {
    const std::string status = row.value().has_value() ? std::string(MergeStatusName(row.value()->status)) : "absent";
    return Error{"ERR_DEDUP_UNDO_NOT_MERGED", "cluster " + options.cluster_id + " was not merged (its state is " +
                                                  status + "); there is nothing to undo"};
  }
  Result<MergeRecord> record = FindMergeRecord(options.audit_log_path, options.cluster_id);
  if (!record.ok()) return record.error();

  const std::string owner = options.lease_owner.empty() ? MakeLeaseOwner() : options.lease_owner;
  Result<bool> leased = store.value()->AcquireLease(options.cluster_id, owner, options.lease_seconds);
  if (!leased.ok()) return leased.error();
  if (!leased.value()) {
    return Error{"ERR_DEDUP_UNDO_LEASED", "cluster " + options.cluster_id +
                                              " is being merged by another process; wait for it to finish and "
                                              "run undo again"};
  }

  auto audit = AuditLog::Open(options.audit_log_path);
  if (!audit.ok()) return audit.error();
  std::random_device device;
  Undoer undoer(options, client, *audit.value(), logger, fmt::format("undo-{:08x}{:08x}", device(), device()));
  UndoSummary summary;
  const int64_t requests_before = client.stats().requests;
  Status undone = undoer.Run(*row.value(), record.value(), &summary);
  summary.api_requests = client.stats().requests - requests_before;
  if (undone.ok()) {
    undone = store.value()->Transition(options.cluster_id, owner, MergeStatus::kUndone, "", false, options.lease_seconds);
  }
  store.value()->ReleaseLease(options.cluster_id, owner);
  if (!undone.ok()) return undone.error();
  logger.info("undid cluster {}: restored {} duplicate(s)", options.cluster_id, summary.restored_uids.size());
  return summary;
}

}  // namespace podium_dedup
