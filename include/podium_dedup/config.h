// Settings: the tenant's configuration, read from config/settings.yaml.
//
// Every subcommand takes --config PATH; a flag given on the command line
// overrides the value from the file. A missing default file is not an error
// (the built-in defaults apply); a named file that is missing or invalid is.
#ifndef PODIUM_DEDUP_CONFIG_H_
#define PODIUM_DEDUP_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "podium_dedup/result.h"

namespace podium_dedup {

struct LocationSettings {
  std::string region;  // ISO 3166-1 alpha-2; empty means the tenant's default_region
  std::string name;    // display name for review queues; may be empty
};

struct Settings {
  std::string default_region = "US";
  std::vector<std::string> fallback_regions;
  std::map<std::string, LocationSettings> locations;  // by location uid

  // Matching.
  double auto_merge_threshold = 0.80;  // every pair of a cluster must score at least this
  int hot_key_limit = 5;  // a key shared by more contacts with different names is a hot key
  std::vector<std::string> placeholder_blocklist;

  // Merging.
  std::string merge_strategy = "endpoint";  // "endpoint" or "compose"
  std::vector<std::vector<std::string>> same_entity_groups;  // locations that are one business

  // API.
  std::string api_url;
  std::string token_env = "PODIUM_ACCESS_TOKEN";
  int rate_limit_per_minute = 300;

  // Returns the region for numbers of a contact in `location_uid`.
  const std::string& RegionFor(const std::string& location_uid) const;
  // Returns the location's display name, or an empty string.
  std::string LocationName(const std::string& location_uid) const;
};

// Loads settings from `path`. When `path` is the default and does not exist,
// returns the built-in defaults. Errors: ERR_DEDUP_CONFIG_NOT_FOUND,
// ERR_DEDUP_CONFIG_INVALID (with the key and the offending value).
Result<Settings> LoadSettings(const std::string& path, bool path_is_default);

// The path used when --config is not given.
inline constexpr const char* kDefaultConfigPath = "config/settings.yaml";

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_CONFIG_H_
