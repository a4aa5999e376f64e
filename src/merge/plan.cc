// Merge plans: which member is the primary, what it keeps and gains, and
// the API calls that carry the merge out, computed before any call is made.
#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "merge/merge_internal.h"
#include "podium_dedup/merge.h"

namespace podium_dedup {
namespace {

using nlohmann::json;

json AddressJson(const Address& address) {
  return json{{"addressLine1", address.line1}, {"addressLine2", address.line2}, {"city", address.city},
              {"state", address.state},        {"postalCode", address.postal_code}, {"country", address.country}};
}

bool InAnyGroup(const std::vector<std::string>& locations, const std::vector<std::vector<std::string>>& groups) {
  for (const auto& group : groups) {
    const std::set<std::string> members(group.begin(), group.end());
    const bool all_inside = std::all_of(locations.begin(), locations.end(),
                                        [&](const std::string& uid) { return members.count(uid) > 0; });
    if (all_inside) return true;
  }
  return false;
}

// Decides whether the cluster may be merged without a person. The matcher
// sends every multi-location cluster to review; a cluster whose locations
// are all in one same-entity group is let through here, but still only
// above the threshold and without any other review reason.
void CheckMergeable(const Cluster& cluster, const PlanOptions& options, MergePlan* plan) {
  const std::string cross_location(review_reason::kCrossLocation);
  const bool spans_locations = plan->location_uids.size() > 1;
  const bool one_business = spans_locations && InAnyGroup(plan->location_uids, options.same_entity_groups);
  for (const std::string& reason : cluster.review_reasons) {
    if (reason == cross_location && one_business) continue;
    plan->review_reasons.push_back(reason);
  }
  const auto has_reason = [&](std::string_view reason) {
    return std::find(plan->review_reasons.begin(), plan->review_reasons.end(), reason) != plan->review_reasons.end();
  };
  if (spans_locations && !one_business && !has_reason(cross_location)) plan->review_reasons.push_back(cross_location);
  if (cluster.confidence < options.auto_merge_threshold && !has_reason(review_reason::kBelowThreshold)) {
    plan->review_reasons.emplace_back(review_reason::kBelowThreshold);
  }
  plan->mergeable = plan->review_reasons.empty();
}

using ValuesOf = std::function<std::vector<std::string>(const IndexedContact&)>;
using KeyOf = std::function<std::string(const std::string&)>;

std::string SameValue(const std::string& value) { return value; }

std::string LowerCase(std::string value) {
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value;
}

// Lists each value of `field` that the primary keeps and each value that a
// duplicate has and the primary lacks (compared by `key_of`). Up to
// `carried_limit` of those are gained (no limit when negative); the rest are
// marked not_carried.
void PlanListField(const std::string& field, const IndexedContact& primary,
                   const std::vector<const IndexedContact*>& duplicates, const ValuesOf& values_of,
                   const KeyOf& key_of, int carried_limit, MergePlan* plan,
                   std::vector<std::pair<std::string, std::string>>* gained) {
  std::set<std::string> seen;
  for (const std::string& value : values_of(primary)) {
    if (!seen.insert(key_of(value)).second) continue;
    plan->fields.push_back({field, std::string(kFieldActionKeep), primary.contact.uid, value});
  }
  for (const IndexedContact* duplicate : duplicates) {
    for (const std::string& value : values_of(*duplicate)) {
      if (value.empty() || !seen.insert(key_of(value)).second) continue;
      const bool carried = carried_limit < 0 || static_cast<int>(gained->size()) < carried_limit;
      const std::string_view action = carried ? kFieldActionGain : kFieldActionNotCarried;
      plan->fields.push_back({field, std::string(action), duplicate->contact.uid, value});
      if (carried) gained->push_back({duplicate->contact.uid, value});
    }
  }
}

// The name and the address go into primary_patch for both strategies,
// because the merge extension only moves conversations and tags.
void PlanScalarFields(const Contact& primary, const std::vector<const IndexedContact*>& duplicates, MergePlan* plan) {
  if (!primary.name.empty()) {
    plan->fields.push_back({"name", std::string(kFieldActionKeep), primary.uid, primary.name});
  } else {
    for (const IndexedContact* duplicate : duplicates) {
      if (duplicate->contact.name.empty()) continue;
      plan->fields.push_back({"name", std::string(kFieldActionGain), duplicate->contact.uid, duplicate->contact.name});
      plan->primary_patch["name"] = duplicate->contact.name;
      break;
    }
  }
  if (!primary.address.empty()) {
    plan->fields.push_back({"address", std::string(kFieldActionKeep), primary.uid, AddressJson(primary.address)});
  } else {
    for (const IndexedContact* duplicate : duplicates) {
      if (duplicate->contact.address.empty()) continue;
      const json address = AddressJson(duplicate->contact.address);
      plan->fields.push_back({"address", std::string(kFieldActionGain), duplicate->contact.uid, address});
      plan->primary_patch["address"] = address;
      break;
    }
  }
}

// PATCH has one `email` and one `phoneNumber`, which Podium documents as
// the contact's email and phone, not as an addition to a list. So the
// primary gains a value only when it has none, and further values stay on
// the soft-deleted duplicate (not_carried).
void PlanContactPoints(const IndexedContact& primary, const std::vector<const IndexedContact*>& duplicates,
                       MergePlan* plan) {
  std::vector<std::pair<std::string, std::string>> gained;
  const auto emails = [](const IndexedContact& c) { return c.contact.emails; };
  PlanListField("emails", primary, duplicates, emails, LowerCase, primary.contact.emails.empty() ? 1 : 0, plan,
                &gained);
  if (!gained.empty()) plan->primary_patch["email"] = gained.front().second;

  // Phones are compared and written as E.164, so that "0412 345 678" and
  // "+61 412 345 678" are one number. A raw value that is not a valid
  // number stays on its duplicate.
  gained.clear();
  const auto phones = [](const IndexedContact& c) {
    std::vector<std::string> e164;
    for (const NormalizedPhone& phone : c.phones) e164.push_back(phone.e164);
    return e164;
  };
  PlanListField("phoneNumbers", primary, duplicates, phones, SameValue, primary.contact.phones.empty() ? 1 : 0, plan,
                &gained);
  if (!gained.empty()) plan->primary_patch["phoneNumber"] = gained.front().second;
}

std::vector<std::string> TagUids(const IndexedContact& row) {
  std::vector<std::string> uids;
  for (const Tag& tag : row.contact.tags) uids.push_back(tag.uid);
  return uids;
}

std::vector<std::string> ConversationUids(const IndexedContact& row) { return row.contact.conversation_uids; }

std::vector<std::string> AttributeUids(const IndexedContact& row) {
  std::vector<std::string> uids;
  for (const auto& [uid, value] : row.contact.attributes) {
    if (!value.empty()) uids.push_back(uid);
  }
  return uids;
}

void PlanCollections(const IndexedContact& primary, const std::vector<const IndexedContact*>& duplicates,
                     MergePlan* plan) {
  const bool compose = plan->strategy == MergeStrategy::kCompose;
  std::vector<std::pair<std::string, std::string>> gained;
  PlanListField("tags", primary, duplicates, TagUids, SameValue, -1, plan, &gained);
  if (compose) {
    for (const auto& [source, tag_uid] : gained) plan->tags_to_add.push_back(tag_uid);
  }

  // The merge extension moves conversations; the documented endpoints
  // cannot. Neither can write attributes, so a duplicate's attribute values
  // stay on the soft-deleted duplicate and in the audit log.
  gained.clear();
  PlanListField("conversations", primary, duplicates, ConversationUids, SameValue, compose ? 0 : -1, plan, &gained);
  gained.clear();
  PlanListField("attributes", primary, duplicates, AttributeUids, SameValue, 0, plan, &gained);
}

// Channels to opt out through the campaigns endpoint, for the compose
// strategy: every phone and email of every member, when the union has a
// marketing opt-out that the primary lacks. The campaigns endpoint opts a
// channel out of marketing only. Opting out a channel that only a
// soft-deleted duplicate had errs on the side of less marketing.
std::vector<ConsentChannel> OptOutChannels(const OptOuts& union_flags, const Contact& primary,
                                           const std::vector<const IndexedContact*>& members) {
  if (!union_flags.marketing || primary.marketing_opt_out) return {};
  std::set<std::string> phones;
  std::set<std::string> emails;
  for (const IndexedContact* member : members) {
    for (const NormalizedPhone& phone : member->phones) phones.insert(phone.e164);
    for (const std::string& email : member->contact.emails) emails.insert(email);
  }
  std::vector<ConsentChannel> channels;
  for (const std::string& phone : phones) channels.push_back({phone, "PHONE"});
  for (const std::string& email : emails) channels.push_back({email, "EMAIL"});
  return channels;
}

json ConsentPatch(const OptOuts& flags) {
  json patch = json::object();
  if (flags.marketing) patch["marketingOptOut"] = true;
  if (flags.sms) patch["smsOptOut"] = true;
  if (flags.email) patch["emailOptOut"] = true;
  return patch;
}

// The documented API cannot set a transactional opt-out, so compose can
// carry an sms or email opt-out only when the primary already has it.
// Otherwise the merge would drop a person's opt-out: a person decides.
void CheckComposeConsent(const Contact& primary, MergePlan* plan) {
  const OptOuts& flags = plan->opt_out_union;
  if ((flags.sms && !primary.sms_opt_out) || (flags.email && !primary.email_opt_out)) {
    plan->review_reasons.push_back("transactional_opt_out_needs_endpoint");
    plan->mergeable = false;
  }
}

void PlanCalls(MergePlan* plan) {
  const std::string primary_path = "/contacts/" + plan->primary_uid;
  plan->calls.push_back({"GET", primary_path, nullptr, "conflict check: primary unchanged since indexing"});
  for (const std::string& uid : plan->duplicate_uids) {
    plan->calls.push_back({"GET", "/contacts/" + uid, nullptr, "conflict check: duplicate unchanged and live"});
  }
  if (plan->strategy == MergeStrategy::kEndpoint) {
    plan->calls.push_back({"POST", primary_path + "/merge", json{{"duplicateUids", plan->duplicate_uids}},
                           "merge the duplicates into the primary"});
    const json patch = EndpointPatch(*plan);
    if (!patch.empty()) {
      plan->calls.push_back({"PATCH", primary_path, patch, "fill fields the primary lacks and force the opt-out union"});
    }
  } else {
    if (!plan->primary_patch.empty()) {
      plan->calls.push_back({"PATCH", primary_path, plan->primary_patch, "fill fields the primary lacks"});
    }
    for (const std::string& tag_uid : plan->tags_to_add) {
      plan->calls.push_back({"POST", primary_path + "/tags/" + tag_uid, nullptr, "add a duplicate's tag"});
    }
    for (const ConsentChannel& channel : plan->opt_out_channels) {
      plan->calls.push_back({"POST", "/contacts/campaigns/opt_out",
                             json{{"channel", {{"identifier", channel.identifier}, {"type", channel.type}}}},
                             "apply the opt-out union"});
    }
    for (const std::string& uid : plan->duplicate_uids) {
      plan->calls.push_back({"DELETE", "/contacts/" + uid, nullptr, "soft-delete the merged duplicate"});
    }
  }
  plan->calls.push_back({"GET", primary_path, nullptr, "verify the opt-out union on the primary"});
}

}  // namespace

Result<MergePlan> PlanMerge(const Cluster& cluster, const std::vector<const IndexedContact*>& members,
                            const PlanOptions& options) {
  std::map<std::string, const IndexedContact*> by_uid;
  for (const IndexedContact* member : members) by_uid.emplace(member->contact.uid, member);
  std::vector<const IndexedContact*> rows;
  std::set<std::string> locations;
  for (const std::string& uid : cluster.contact_uids) {
    auto it = by_uid.find(uid);
    if (it == by_uid.end()) {
      return Error{"ERR_DEDUP_MERGE_MEMBER_NOT_INDEXED",
                   "contact '" + uid + "' of cluster " + cluster.cluster_id +
                       " has no live row in the index; run find-duplicates again to refresh the index"};
    }
    if (std::find(rows.begin(), rows.end(), it->second) != rows.end()) continue;
    rows.push_back(it->second);
    if (!it->second->location_uid.empty()) locations.insert(it->second->location_uid);
  }

  MergePlan plan;
  plan.cluster_id = cluster.cluster_id;
  plan.location_uids.assign(locations.begin(), locations.end());
  plan.natural_keys = cluster.natural_keys;
  plan.strategy = options.strategy;
  plan.confidence = cluster.confidence;
  plan.primary_uid = SelectPrimary(rows);
  plan.opt_out_union = OptOutUnion(rows);

  const IndexedContact* primary = by_uid.at(plan.primary_uid);
  plan.primary_opt_outs = {primary->contact.marketing_opt_out, primary->contact.sms_opt_out,
                           primary->contact.email_opt_out};
  std::vector<const IndexedContact*> duplicates;
  for (const IndexedContact* row : rows) {
    plan.indexed_updated_at[row->contact.uid] = row->contact.updated_at;
    if (row == primary) continue;
    duplicates.push_back(row);
    plan.duplicate_uids.push_back(row->contact.uid);
  }
  std::sort(plan.duplicate_uids.begin(), plan.duplicate_uids.end());
  std::sort(duplicates.begin(), duplicates.end(),
            [](const IndexedContact* a, const IndexedContact* b) { return a->contact.uid < b->contact.uid; });

  CheckMergeable(cluster, options, &plan);
  PlanScalarFields(primary->contact, duplicates, &plan);
  PlanContactPoints(*primary, duplicates, &plan);
  PlanCollections(*primary, duplicates, &plan);
  if (plan.strategy == MergeStrategy::kCompose) {
    plan.opt_out_channels = OptOutChannels(plan.opt_out_union, primary->contact, rows);
    CheckComposeConsent(primary->contact, &plan);
  }
  PlanCalls(&plan);
  return plan;
}

nlohmann::json ConsentPatchFor(const OptOuts& flags) { return ConsentPatch(flags); }

nlohmann::json EndpointPatch(const MergePlan& plan) {
  json patch = plan.primary_patch;
  patch.update(ConsentPatch(plan.opt_out_union));
  return patch;
}

}  // namespace podium_dedup
