#include <filesystem>
#include <string>

#include <yaml-cpp/yaml.h>

#include "podium_dedup/config.h"

namespace podium_dedup {
namespace {

Error InvalidSetting(const std::string& path, const std::string& key, const std::string& detail) {
  return Error{"ERR_DEDUP_CONFIG_INVALID",
               path + ": setting '" + key + "' " + detail + "; fix it or remove it to use the default"};
}

// Reads a scalar `key` of `node` into `out`, leaving `out` alone when the key
// is absent. Returns an error naming the key when the value has the wrong type.
template <typename T>
Status ReadScalar(const YAML::Node& node, const std::string& key, const std::string& path, T* out) {
  const YAML::Node value = node[key];
  if (!value || value.IsNull()) return Status::Ok();
  try {
    *out = value.as<T>();
  } catch (const YAML::Exception&) {
    return InvalidSetting(path, key, "has an invalid value '" + YAML::Dump(value) + "'");
  }
  return Status::Ok();
}

Status ReadStringList(const YAML::Node& node, const std::string& key, const std::string& path,
                      std::vector<std::string>* out) {
  const YAML::Node value = node[key];
  if (!value || value.IsNull()) return Status::Ok();
  if (!value.IsSequence()) return InvalidSetting(path, key, "must be a list");
  out->clear();
  for (const auto& item : value) {
    if (!item.IsScalar()) return InvalidSetting(path, key, "must be a list of strings");
    out->push_back(item.as<std::string>());
  }
  return Status::Ok();
}

Status ReadLocations(const YAML::Node& root, const std::string& path, Settings* settings) {
  const YAML::Node locations = root["locations"];
  if (!locations || locations.IsNull()) return Status::Ok();
  if (!locations.IsMap()) return InvalidSetting(path, "locations", "must be a map of location uid to {region, name}");
  for (const auto& entry : locations) {
    const std::string uid = entry.first.as<std::string>();
    LocationSettings location;
    const std::string key = "locations." + uid;
    if (entry.second.IsMap()) {
      if (Status s = ReadScalar(entry.second, "region", path, &location.region); !s.ok()) return s;
      if (Status s = ReadScalar(entry.second, "name", path, &location.name); !s.ok()) return s;
    } else if (!entry.second.IsNull()) {
      return InvalidSetting(path, key, "must be a map with 'region' and 'name'");
    }
    settings->locations[uid] = location;
  }
  return Status::Ok();
}

Status ReadSameEntityGroups(const YAML::Node& root, const std::string& path, Settings* settings) {
  const YAML::Node cross = root["cross_location"];
  if (!cross || cross.IsNull()) return Status::Ok();
  const YAML::Node groups = cross["same_entity_groups"];
  if (!groups || groups.IsNull()) return Status::Ok();
  if (!groups.IsSequence()) return InvalidSetting(path, "cross_location.same_entity_groups", "must be a list of lists of location uids");
  for (const auto& group : groups) {
    if (!group.IsSequence()) return InvalidSetting(path, "cross_location.same_entity_groups", "must be a list of lists of location uids");
    std::vector<std::string> uids;
    for (const auto& uid : group) uids.push_back(uid.as<std::string>());
    settings->same_entity_groups.push_back(std::move(uids));
  }
  return Status::Ok();
}

Status Validate(const std::string& path, const Settings& settings) {
  if (settings.default_region.size() != 2) {
    return InvalidSetting(path, "default_region", "must be an ISO 3166-1 alpha-2 code such as AU, not '" + settings.default_region + "'");
  }
  if (settings.auto_merge_threshold < 0.0 || settings.auto_merge_threshold > 1.0) {
    return InvalidSetting(path, "matching.auto_merge_threshold", "must be between 0.0 and 1.0");
  }
  if (settings.hot_key_limit < 2) return InvalidSetting(path, "matching.hot_key_limit", "must be at least 2");
  if (settings.merge_strategy != "endpoint" && settings.merge_strategy != "compose") {
    return InvalidSetting(path, "merge.strategy", "must be 'endpoint' or 'compose', not '" + settings.merge_strategy + "'");
  }
  if (settings.rate_limit_per_minute < 1) return InvalidSetting(path, "api.rate_limit_per_minute", "must be at least 1");
  return Status::Ok();
}

Status ReadSettings(const YAML::Node& root, const std::string& path, Settings* settings) {
  if (Status s = ReadScalar(root, "default_region", path, &settings->default_region); !s.ok()) return s;
  if (Status s = ReadStringList(root, "fallback_regions", path, &settings->fallback_regions); !s.ok()) return s;
  if (Status s = ReadLocations(root, path, settings); !s.ok()) return s;
  if (const YAML::Node matching = root["matching"]; matching && matching.IsMap()) {
    if (Status s = ReadScalar(matching, "auto_merge_threshold", path, &settings->auto_merge_threshold); !s.ok()) return s;
    if (Status s = ReadScalar(matching, "hot_key_limit", path, &settings->hot_key_limit); !s.ok()) return s;
    if (Status s = ReadStringList(matching, "placeholder_blocklist", path, &settings->placeholder_blocklist); !s.ok()) return s;
  }
  if (const YAML::Node merge = root["merge"]; merge && merge.IsMap()) {
    if (Status s = ReadScalar(merge, "strategy", path, &settings->merge_strategy); !s.ok()) return s;
  }
  if (Status s = ReadSameEntityGroups(root, path, settings); !s.ok()) return s;
  if (const YAML::Node api = root["api"]; api && api.IsMap()) {
    if (Status s = ReadScalar(api, "url", path, &settings->api_url); !s.ok()) return s;
    if (Status s = ReadScalar(api, "token_env", path, &settings->token_env); !s.ok()) return s;
    if (Status s = ReadScalar(api, "rate_limit_per_minute", path, &settings->rate_limit_per_minute); !s.ok()) return s;
  }
  return Validate(path, *settings);
}

}  // namespace

const std::string& Settings::RegionFor(const std::string& location_uid) const {
  auto it = locations.find(location_uid);
  if (it != locations.end() && !it->second.region.empty()) return it->second.region;
  return default_region;
}

std::string Settings::LocationName(const std::string& location_uid) const {
  auto it = locations.find(location_uid);
  return it == locations.end() ? std::string() : it->second.name;
}

Result<Settings> LoadSettings(const std::string& path, bool path_is_default) {
  Settings settings;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (path_is_default) return settings;
    return Error{"ERR_DEDUP_CONFIG_NOT_FOUND",
                 "config file '" + path + "' not found; pass an existing file to --config or omit the option"};
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Error{"ERR_DEDUP_CONFIG_INVALID", path + ": not valid YAML at line " + std::to_string(e.mark.line + 1) +
                                                 ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg};
  }
  if (root.IsNull()) return settings;
  if (!root.IsMap()) return Error{"ERR_DEDUP_CONFIG_INVALID", path + ": the top level must be a map of settings"};
  if (Status s = ReadSettings(root, path, &settings); !s.ok()) return s.error();
  return settings;
}

}  // namespace podium_dedup
