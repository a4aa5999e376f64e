#include "podium_dedup/podium_time.h"

#include <cstdio>
#include <ctime>

namespace podium_dedup {
namespace {

bool ReadDigits(std::string_view text, size_t pos, size_t count, int* value) {
  if (pos + count > text.size()) return false;
  int result = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    result = result * 10 + (text[i] - '0');
  }
  *value = result;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil), so that parsing does not depend on the process's TZ.
int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// Reads the zone suffix at `pos` and returns its offset from UTC in seconds.
std::optional<int64_t> ParseZone(std::string_view text, size_t pos) {
  if (pos == text.size()) return 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    return pos + 1 == text.size() ? std::optional<int64_t>(0) : std::nullopt;
  }
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
  int hours = 0;
  int minutes = 0;
  if (!ReadDigits(text, pos + 1, 2, &hours)) return std::nullopt;
  size_t minutes_pos = pos + 3;
  if (minutes_pos < text.size() && text[minutes_pos] == ':') ++minutes_pos;
  if (!ReadDigits(text, minutes_pos, 2, &minutes) || minutes_pos + 2 != text.size()) {
    return std::nullopt;
  }
  const int64_t offset = hours * 3600 + minutes * 60;
  return text[pos] == '+' ? offset : -offset;
}

}  // namespace

std::optional<int64_t> ParseIsoTimestamp(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, 0, 4, &year) || text.size() < 19 || text[4] != '-' ||
      !ReadDigits(text, 5, 2, &month) || text[7] != '-' || !ReadDigits(text, 8, 2, &day) ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !ReadDigits(text, 11, 2, &hour) ||
      text[13] != ':' || !ReadDigits(text, 14, 2, &minute) || text[16] != ':' ||
      !ReadDigits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }

  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  }
  const std::optional<int64_t> offset = ParseZone(text, pos);
  if (!offset) return std::nullopt;

  const int64_t days = DaysFromCivil(year, month, day);
  return days * 86400 + hour * 3600 + minute * 60 + second - *offset;
}

std::string FormatIsoTimestamp(int64_t seconds) {
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace podium_dedup
