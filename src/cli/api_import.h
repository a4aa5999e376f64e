// Filling the natural-key index from the Podium API, for find-duplicates.
#ifndef PODIUM_DEDUP_CLI_API_IMPORT_H_
#define PODIUM_DEDUP_CLI_API_IMPORT_H_

#include <cstdint>
#include <string>

#include "podium_dedup/config.h"
#include "podium_dedup/index.h"
#include "podium_dedup/log.h"
#include "podium_dedup/phone.h"
#include "podium_dedup/podium_client.h"
#include "podium_dedup/result.h"

namespace podium_dedup::cli {

struct ApiImportOptions {
  std::string api_url;
  std::string token_env;
  std::string location_uid;  // empty: every location
  bool full = false;         // ignore the stored high-water mark and list everything
  int rate_limit_per_minute = 300;
};

struct ApiImportTotals {
  int64_t listed = 0;
  int64_t indexed = 0;
  int64_t deleted = 0;      // soft-deleted contacts recorded as such
  int64_t unreadable = 0;   // objects that could not be read as a contact
  int64_t locations = 0;    // locations named by GET /locations
  std::string previous_high_water_mark;  // empty on a first or --full-sync run
  std::string high_water_mark;
  PodiumClientStats client;
};

// Returns the sync_state key for an API source: the base URL and the
// location filter, so that a run for one location does not move the mark
// of a run over all of them.
std::string ApiSourceKey(const ApiImportOptions& options);

// Lists the contacts changed since the stored high-water mark (all on the
// first run), writes them into `index` with their soft-delete state, stores
// location names, then stores the new high-water mark.
Result<ApiImportTotals> ImportFromApi(const ApiImportOptions& options, const Settings& settings,
                                      const PhoneNormalizer& normalizer, ContactIndex& index,
                                      std::shared_ptr<Logger> logger);

}  // namespace podium_dedup::cli

#endif  // PODIUM_DEDUP_CLI_API_IMPORT_H_
