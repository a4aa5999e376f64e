// Normalization of a contact at import time: the keys that the index
// stores and that matching compares.
#include <algorithm>
#include <string>
#include <utility>

#include "podium_dedup/index.h"

namespace podium_dedup {
namespace {

bool IsBlank(const std::string& text) { return text.find_first_not_of(" \t\r\n") == std::string::npos; }

bool SamePhone(const NormalizedPhone& a, const NormalizedPhone& b) {
  return a.e164 == b.e164 && a.extension == b.extension;
}

// Normalizes every raw phone of `contact` in `region`. Blank values are
// skipped: they are no phone at all, not a rejected one.
LocationKeys NormalizePhones(const Contact& contact, const std::string& location_uid, const std::string& region,
                             const PhoneNormalizer& normalizer) {
  LocationKeys keys;
  keys.location_uid = location_uid;
  keys.region = region;
  for (const std::string& raw : contact.phones) {
    if (IsBlank(raw)) continue;
    PhoneFieldResult result = normalizer.Normalize(raw, region);
    for (NormalizedPhone& phone : result.numbers) {
      const bool repeat = std::any_of(keys.phones.begin(), keys.phones.end(),
                                      [&](const NormalizedPhone& seen) { return SamePhone(seen, phone); });
      if (!repeat) keys.phones.push_back(std::move(phone));
    }
    for (RejectedPiece& piece : result.rejected) keys.phone_rejections.push_back(std::move(piece));
  }
  return keys;
}

std::vector<std::string> EmailKeys(const Contact& contact, const EmailKeyFunction& email_key) {
  std::vector<std::string> keys;
  for (const std::string& email : contact.emails) {
    if (IsBlank(email)) continue;
    std::string key = email_key(email);
    if (key.empty() || std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace

IndexEntry BuildIndexEntry(Contact contact, const Settings& settings, const PhoneNormalizer& normalizer,
                           const EmailKeyFunction& email_key, std::string source) {
  IndexEntry entry;
  // A contact without a location is filed under the empty location uid, so
  // it is still clustered, together with the other contacts without one.
  std::vector<std::string> locations = contact.location_uids;
  if (locations.empty()) locations.emplace_back();
  for (const std::string& location : locations) {
    const bool repeat = std::any_of(entry.locations.begin(), entry.locations.end(),
                                    [&](const LocationKeys& seen) { return seen.location_uid == location; });
    if (repeat) continue;
    entry.locations.push_back(NormalizePhones(contact, location, settings.RegionFor(location), normalizer));
  }
  entry.email_keys = EmailKeys(contact, email_key);
  entry.contact = std::move(contact);
  entry.source = std::move(source);
  return entry;
}

std::optional<std::string> AllPhonesInvalidReason(const IndexEntry& entry) {
  if (entry.locations.empty()) return std::nullopt;
  const LocationKeys& home = entry.locations.front();
  if (!home.phones.empty() || home.phone_rejections.empty()) return std::nullopt;
  return home.phone_rejections.front().reason;
}

}  // namespace podium_dedup
