#include "cli/api_import.h"

#include <utility>

#include "podium_dedup/match.h"

namespace podium_dedup::cli {
namespace {

// Stores each location's name from GET /locations, keeping the region from
// the settings. A server without the locations extension is not an error:
// review queues then show location uids only.
Result<int64_t> StoreApiLocations(PodiumClient& client, const Settings& settings, ContactIndex& index,
                                  Logger& logger) {
  Result<std::vector<PodiumLocation>> locations = client.ListLocations();
  if (!locations.ok()) {
    if (locations.error().code != kErrApiRouteNotFound) return locations.error();
    logger.info("the API has no /locations endpoint; location names come from the settings only");
    return int64_t{0};
  }
  for (const PodiumLocation& location : locations.value()) {
    std::string name = location.name.empty() ? settings.LocationName(location.uid) : location.name;
    if (Status s = index.UpsertLocation(location.uid, name, settings.RegionFor(location.uid)); !s.ok()) {
      return s.error();
    }
  }
  return static_cast<int64_t>(locations.value().size());
}

}  // namespace

std::string ApiSourceKey(const ApiImportOptions& options) {
  return "api:" + options.api_url + "#" + (options.location_uid.empty() ? "*" : options.location_uid);
}

Result<ApiImportTotals> ImportFromApi(const ApiImportOptions& options, const Settings& settings,
                                      const PhoneNormalizer& normalizer, ContactIndex& index,
                                      std::shared_ptr<Logger> logger) {
  PodiumClientOptions client_options;
  client_options.base_url = options.api_url;
  client_options.token_env = options.token_env;
  client_options.rate_limit_per_minute = options.rate_limit_per_minute;
  Result<std::unique_ptr<PodiumClient>> client = PodiumClient::Create(client_options, logger);
  if (!client.ok()) return client.error();

  ApiImportTotals totals;
  Result<int64_t> locations = StoreApiLocations(*client.value(), settings, index, *logger);
  if (!locations.ok()) return locations.error();
  totals.locations = locations.value();

  const std::string source = ApiSourceKey(options);
  if (!options.full) {
    Result<std::optional<std::string>> mark = index.GetHighWaterMark(source);
    if (!mark.ok()) return mark.error();
    totals.previous_high_water_mark = mark.value().value_or("");
  }

  FetchOptions fetch;
  fetch.location_uid = options.location_uid;
  fetch.updated_after = totals.previous_high_water_mark;
  fetch.include_deleted = true;
  auto on_contact = [&](Contact&& contact) -> Status {
    if (contact.deleted()) ++totals.deleted;
    IndexEntry entry = BuildIndexEntry(std::move(contact), settings, normalizer, NormalizeEmail, "api");
    if (Status s = index.Upsert(entry); !s.ok()) return s;
    ++totals.indexed;
    return Status::Ok();
  };
  Result<FetchSummary> fetched = FetchContactsForIndex(*client.value(), fetch, on_contact, *logger);
  if (!fetched.ok()) return fetched.error();
  if (Status s = index.Flush(); !s.ok()) return s.error();

  // The mark moves only after every contact of the walk is committed, so a
  // crash mid-walk makes the next run list the same contacts again.
  totals.listed = fetched.value().listed;
  totals.unreadable = fetched.value().unreadable;
  totals.high_water_mark = fetched.value().high_water_mark;
  if (!totals.high_water_mark.empty()) {
    if (Status s = index.SetHighWaterMark(source, totals.high_water_mark); !s.ok()) return s.error();
  }
  totals.client = client.value()->stats();
  return totals;
}

}  // namespace podium_dedup::cli
