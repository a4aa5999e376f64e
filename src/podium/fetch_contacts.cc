// FetchContactsForIndex: the API side of `find-duplicates --api-url`.
#include <algorithm>

#include "podium_dedup/contact_json.h"
#include "podium_dedup/podium_client.h"
#include "podium_dedup/podium_time.h"

namespace podium_dedup {
namespace {

bool InLocation(const nlohmann::json& contact, const std::string& location_uid) {
  auto it = contact.find("locations");
  if (it == contact.end() || !it->is_array()) return false;
  return std::any_of(it->begin(), it->end(), [&](const nlohmann::json& location) {
    if (location.is_string()) return location.get<std::string>() == location_uid;
    return location.is_object() && location.value("uid", "") == location_uid;
  });
}

}  // namespace

Result<FetchSummary> FetchContactsForIndex(PodiumClient& client, const FetchOptions& options,
                                           const std::function<Status(Contact&&)>& on_contact, Logger& logger) {
  ListContactsOptions list;
  list.include_deleted = options.include_deleted;
  list.page_limit = options.page_limit;
  std::optional<int64_t> high_water;
  if (!options.updated_after.empty()) {
    high_water = ParseIsoTimestamp(options.updated_after);
    if (!high_water) {
      return Error{"ERR_DEDUP_USAGE_INVALID_TIMESTAMP",
                   "high-water mark '" + options.updated_after + "' is not an ISO 8601 UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)"};
    }
    list.updated_after = FormatIsoTimestamp(*high_water - options.overlap.count());
  }

  FetchSummary summary;
  Result<ListContactsSummary> listed = client.ListContacts(list, [&](const nlohmann::json& object) -> Status {
    ++summary.listed;
    if (const auto updated = ParseIsoTimestamp(object.value("updatedAt", ""))) {
      high_water = std::max(high_water.value_or(*updated), *updated);
    }
    if (!options.location_uid.empty() && !InLocation(object, options.location_uid)) {
      ++summary.other_location;
      return Status::Ok();
    }
    Result<Contact> contact = ContactFromJson(object);
    if (!contact.ok()) {
      ++summary.unreadable;
      logger.warn("contact '{}' from the API cannot be read and is skipped: {} [{}]", object.value("uid", "?"),
                  contact.error().message, contact.error().code);
      return Status::Ok();
    }
    ++summary.delivered;
    return on_contact(std::move(contact).value());
  });
  if (!listed.ok()) return listed.error();

  summary.high_water_mark = high_water ? FormatIsoTimestamp(*high_water) : options.updated_after;
  return summary;
}

}  // namespace podium_dedup
