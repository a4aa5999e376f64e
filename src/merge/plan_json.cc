// Names, JSON forms and failpoints shared by the merge module.
#include <csignal>
#include <cstdlib>
#include <string>

#include "merge/merge_internal.h"
#include "podium_dedup/contact_json.h"
#include "podium_dedup/merge.h"

namespace podium_dedup {
namespace {

using nlohmann::json;

struct StatusName {
  MergeStatus status;
  std::string_view name;
};

constexpr StatusName kStatusNames[] = {
    {MergeStatus::kPending, "pending"}, {MergeStatus::kMerging, "merging"},   {MergeStatus::kMerged, "merged"},
    {MergeStatus::kPatched, "patched"}, {MergeStatus::kFailed, "failed"},     {MergeStatus::kConflict, "conflict"},
    {MergeStatus::kReview, "review"},   {MergeStatus::kSkipped, "skipped"},   {MergeStatus::kUndone, "undone"},
};

Error CorruptPlan(const std::string& detail) {
  return Error{"ERR_DEDUP_MERGE_STATE_CORRUPT",
               "the stored merge plan is unreadable: " + detail +
                   "; delete the cluster's row from merge_state only after checking the audit log"};
}

json FieldsToJson(const std::vector<FieldPlan>& fields) {
  json out = json::array();
  for (const FieldPlan& field : fields) {
    out.push_back({{"field", field.field}, {"action", field.action}, {"source_uid", field.source_uid},
                   {"value", field.value}});
  }
  return out;
}

json CallsToJson(const std::vector<PlannedCall>& calls) {
  json out = json::array();
  for (const PlannedCall& call : calls) {
    json item = {{"method", call.method}, {"path", call.path}, {"purpose", call.purpose}};
    if (!call.body.is_null()) item["body"] = call.body;
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

std::string_view MergeStatusName(MergeStatus status) {
  for (const StatusName& entry : kStatusNames) {
    if (entry.status == status) return entry.name;
  }
  return "unknown";
}

std::optional<MergeStatus> ParseMergeStatus(std::string_view name) {
  for (const StatusName& entry : kStatusNames) {
    if (entry.name == name) return entry.status;
  }
  return std::nullopt;
}

std::string_view MergeStrategyName(MergeStrategy strategy) {
  return strategy == MergeStrategy::kCompose ? "compose" : "endpoint";
}

Result<MergeStrategy> ParseMergeStrategy(std::string_view name) {
  if (name == "endpoint") return MergeStrategy::kEndpoint;
  if (name == "compose") return MergeStrategy::kCompose;
  return Error{"ERR_DEDUP_USAGE_BAD_STRATEGY",
               "unknown merge strategy '" + std::string(name) + "'; use 'endpoint' or 'compose'"};
}

json OptOutsToJson(const OptOuts& flags) {
  return json{{"marketing", flags.marketing}, {"sms", flags.sms}, {"email", flags.email}};
}

OptOuts OptOutsFromJson(const json& value) {
  OptOuts flags;
  if (!value.is_object()) return flags;
  flags.marketing = value.value("marketing", false);
  flags.sms = value.value("sms", false);
  flags.email = value.value("email", false);
  return flags;
}

OptOuts OptOutsOfContactJson(const json& contact) {
  OptOuts flags;
  Result<Contact> parsed = ContactFromJson(contact);
  if (!parsed.ok()) return flags;
  flags.marketing = parsed.value().marketing_opt_out;
  flags.sms = parsed.value().sms_opt_out;
  flags.email = parsed.value().email_opt_out;
  return flags;
}

std::vector<std::string> MissingOptOuts(const OptOuts& expected, const OptOuts& actual) {
  std::vector<std::string> missing;
  if (expected.marketing && !actual.marketing) missing.push_back("marketingOptOut");
  if (expected.sms && !actual.sms) missing.push_back("smsOptOut");
  if (expected.email && !actual.email) missing.push_back("emailOptOut");
  return missing;
}

std::string DescribeError(const Error& error) { return error.code + ": " + error.message; }

void MaybeFail(std::string_view step) {
  const char* failpoint = std::getenv("PODIUM_DEDUP_FAILPOINT");
  if (failpoint != nullptr && step == failpoint) std::raise(SIGKILL);
}

json MergePlanToJson(const MergePlan& plan) {
  json channels = json::array();
  for (const ConsentChannel& channel : plan.opt_out_channels) {
    channels.push_back({{"identifier", channel.identifier}, {"type", channel.type}});
  }
  return json{{"cluster_id", plan.cluster_id},
              {"location_uids", plan.location_uids},
              {"natural_keys", plan.natural_keys},
              {"strategy", MergeStrategyName(plan.strategy)},
              {"primary_uid", plan.primary_uid},
              {"duplicate_uids", plan.duplicate_uids},
              {"opt_out_union", OptOutsToJson(plan.opt_out_union)},
              {"primary_opt_outs", OptOutsToJson(plan.primary_opt_outs)},
              {"indexed_updated_at", plan.indexed_updated_at},
              {"confidence", plan.confidence},
              {"mergeable", plan.mergeable},
              {"review_reasons", plan.review_reasons},
              {"fields", FieldsToJson(plan.fields)},
              {"primary_patch", plan.primary_patch},
              {"tags_to_add", plan.tags_to_add},
              {"opt_out_channels", channels},
              {"calls", CallsToJson(plan.calls)}};
}

Result<MergePlan> MergePlanFromJson(const json& value) {
  MergePlan plan;
  try {
    plan.cluster_id = value.at("cluster_id").get<std::string>();
    plan.location_uids = value.at("location_uids").get<std::vector<std::string>>();
    plan.natural_keys = value.at("natural_keys").get<std::vector<std::string>>();
    Result<MergeStrategy> strategy = ParseMergeStrategy(value.at("strategy").get<std::string>());
    if (!strategy.ok()) return CorruptPlan(strategy.error().message);
    plan.strategy = strategy.value();
    plan.primary_uid = value.at("primary_uid").get<std::string>();
    plan.duplicate_uids = value.at("duplicate_uids").get<std::vector<std::string>>();
    plan.opt_out_union = OptOutsFromJson(value.at("opt_out_union"));
    plan.primary_opt_outs = OptOutsFromJson(value.value("primary_opt_outs", json::object()));
    plan.indexed_updated_at = value.at("indexed_updated_at").get<std::map<std::string, std::string>>();
    plan.confidence = value.value("confidence", 0.0);
    plan.mergeable = value.value("mergeable", false);
    plan.review_reasons = value.value("review_reasons", std::vector<std::string>{});
    for (const json& field : value.value("fields", json::array())) {
      plan.fields.push_back({field.at("field").get<std::string>(), field.at("action").get<std::string>(),
                             field.value("source_uid", ""), field.value("value", json())});
    }
    plan.primary_patch = value.value("primary_patch", json::object());
    plan.tags_to_add = value.value("tags_to_add", std::vector<std::string>{});
    for (const json& channel : value.value("opt_out_channels", json::array())) {
      plan.opt_out_channels.push_back({channel.at("identifier").get<std::string>(), channel.at("type").get<std::string>()});
    }
    for (const json& call : value.value("calls", json::array())) {
      plan.calls.push_back({call.at("method").get<std::string>(), call.at("path").get<std::string>(),
                            call.value("body", json()), call.value("purpose", "")});
    }
  } catch (const json::exception& e) {
    return CorruptPlan(e.what());
  }
  return plan;
}

}  // namespace podium_dedup
