// Timestamps as the Podium API writes them: ISO 8601 UTC with second
// resolution, "YYYY-MM-DDTHH:MM:SSZ".
#ifndef PODIUM_DEDUP_PODIUM_TIME_H_
#define PODIUM_DEDUP_PODIUM_TIME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace podium_dedup {

// Parses "YYYY-MM-DDTHH:MM:SS" followed by optional fractional seconds
// (dropped) and "Z", "+HH:MM" or "-HH:MM", into seconds since the Unix
// epoch. A value without a zone is read as UTC. Returns std::nullopt for
// anything else.
std::optional<int64_t> ParseIsoTimestamp(std::string_view text);

// Formats seconds since the Unix epoch as "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatIsoTimestamp(int64_t seconds);

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_PODIUM_TIME_H_
