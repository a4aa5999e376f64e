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

// Returns the high-water mark to store after a listing. A contact edited
// during the walk, after its page was read, has an updatedAt later than the
// walk's start and is not in this listing. The max updatedAt seen can still
// be later than that edit, because another contact on a later page may
// have been edited after it. So the mark is capped at the server time of
// the first page, and the next pull lists that edit again.
std::string NextHighWaterMark(std::optional<int64_t> previous, std::optional<int64_t> max_updated,
                              std::optional<int64_t> started_at) {
  if (!max_updated) return previous ? FormatIsoTimestamp(*previous) : "";
  int64_t mark = *max_updated;
  if (started_at) mark = std::min(mark, *started_at);
  if (previous) mark = std::max(mark, *previous);
  return FormatIsoTimestamp(mark);
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
      return Error{kErrUsageInvalidTimestamp,
                   "high-water mark '" + options.updated_after + "' is not an ISO 8601 UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)"};
    }
    list.updated_after = FormatIsoTimestamp(*high_water - options.overlap.count());
  }

  const std::optional<int64_t> previous = high_water;
  std::optional<int64_t> max_updated;
  FetchSummary summary;
  Result<ListContactsSummary> listed = client.ListContacts(list, [&](const nlohmann::json& object) -> Status {
    ++summary.listed;
    if (const auto updated = ParseIsoTimestamp(object.value("updatedAt", ""))) {
      max_updated = std::max(max_updated.value_or(*updated), *updated);
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

  summary.high_water_mark = NextHighWaterMark(previous, max_updated, ParseIsoTimestamp(listed.value().started_at));
  if (summary.high_water_mark.empty()) summary.high_water_mark = options.updated_after;
  return summary;
}

}  // namespace podium_dedup
