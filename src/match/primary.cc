// Primary selection, opt-out union and the timestamp parsing they need.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "match/internal.h"
#include "podium_dedup/match.h"

namespace podium_dedup {
namespace match_internal {
namespace {

// Reads exactly `width` ASCII digits at `pos` and advances past them.
std::optional<int> ReadDigits(std::string_view text, std::size_t& pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

bool Consume(std::string_view text, std::size_t& pos, char expected) {
  if (pos >= text.size() || text[pos] != expected) return false;
  ++pos;
  return true;
}

// Reads ".fraction" (or ",fraction") as nanoseconds; digits past the ninth are ignored.
std::optional<std::int32_t> ReadFraction(std::string_view text, std::size_t& pos) {
  if (pos >= text.size() || (text[pos] != '.' && text[pos] != ',')) return 0;
  ++pos;
  std::int32_t nanos = 0;
  int digits = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (digits < 9) nanos = nanos * 10 + (text[pos] - '0');
    ++digits;
    ++pos;
  }
  if (digits == 0) return std::nullopt;
  for (int i = digits; i < 9; ++i) nanos *= 10;
  return nanos;
}

// Reads the zone designator that ends the text and returns its offset from UTC in seconds.
std::optional<int> ReadOffset(std::string_view text, std::size_t& pos) {
  if (pos == text.size()) return 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
    return 0;
  }
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
  const int sign = text[pos] == '-' ? -1 : 1;
  ++pos;
  std::optional<int> hours = ReadDigits(text, pos, 2);
  if (!hours || *hours > 23) return std::nullopt;
  int minutes = 0;
  if (pos < text.size()) {
    Consume(text, pos, ':');
    std::optional<int> read = ReadDigits(text, pos, 2);
    if (!read || *read > 59) return std::nullopt;
    minutes = *read;
  }
  return sign * (*hours * 3600 + minutes * 60);
}

// Reads "hh:mm[:ss[.fraction]]" into seconds of the day and nanoseconds.
bool ReadTime(std::string_view text, std::size_t& pos, int& seconds_of_day, std::int32_t& nanos) {
  std::optional<int> hour = ReadDigits(text, pos, 2);
  if (!hour || *hour > 23 || !Consume(text, pos, ':')) return false;
  std::optional<int> minute = ReadDigits(text, pos, 2);
  if (!minute || *minute > 59) return false;
  int second = 0;
  if (Consume(text, pos, ':')) {
    std::optional<int> read = ReadDigits(text, pos, 2);
    if (!read || *read > 60) return false;  // 60 is a leap second
    second = *read;
    std::optional<std::int32_t> fraction = ReadFraction(text, pos);
    if (!fraction) return false;
    nanos = *fraction;
  }
  seconds_of_day = *hour * 3600 + *minute * 60 + second;
  return true;
}

}  // namespace

std::optional<Instant> ParseTimestamp(std::string_view text) {
  std::size_t pos = 0;
  std::optional<int> year = ReadDigits(text, pos, 4);
  if (!year || !Consume(text, pos, '-')) return std::nullopt;
  std::optional<int> month = ReadDigits(text, pos, 2);
  if (!month || !Consume(text, pos, '-')) return std::nullopt;
  std::optional<int> day = ReadDigits(text, pos, 2);
  if (!day) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;

  int seconds_of_day = 0;
  std::int32_t nanos = 0;
  int offset = 0;
  if (pos < text.size()) {
    const char separator = text[pos++];
    if (separator != 'T' && separator != 't' && separator != ' ') return std::nullopt;
    if (!ReadTime(text, pos, seconds_of_day, nanos)) return std::nullopt;
    std::optional<int> read_offset = ReadOffset(text, pos);
    if (!read_offset || pos != text.size()) return std::nullopt;
    offset = *read_offset;
  }

  const std::int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  return Instant{days * 86400 + seconds_of_day - offset, nanos};
}

}  // namespace match_internal

namespace {

int EffectiveFieldCount(const IndexedContact& member) {
  return member.field_count > 0 ? member.field_count : FieldCount(member.contact);
}

// Returns true if `a` should be the primary rather than `b`.
bool IsBetterPrimary(const IndexedContact& a, const IndexedContact& b) {
  const int fields_a = EffectiveFieldCount(a);
  const int fields_b = EffectiveFieldCount(b);
  if (fields_a != fields_b) return fields_a > fields_b;

  // nullopt (an empty or unparseable timestamp) orders before every instant.
  const auto updated_a = match_internal::ParseTimestamp(a.contact.updated_at);
  const auto updated_b = match_internal::ParseTimestamp(b.contact.updated_at);
  if (updated_a != updated_b) return updated_a > updated_b;

  // std::string compares with char_traits<char>, which orders bytes as unsigned char.
  return a.contact.uid < b.contact.uid;
}

}  // namespace

std::string SelectPrimary(const std::vector<const IndexedContact*>& members) {
  const IndexedContact* best = nullptr;
  for (const IndexedContact* member : members) {
    if (member == nullptr) continue;
    if (best == nullptr || IsBetterPrimary(*member, *best)) best = member;
  }
  return best == nullptr ? "" : best->contact.uid;
}

OptOuts OptOutUnion(const std::vector<const IndexedContact*>& members) {
  OptOuts out;
  for (const IndexedContact* member : members) {
    if (member == nullptr) continue;
    out.marketing = out.marketing || member->contact.marketing_opt_out;
    out.sms = out.sms || member->contact.sms_opt_out;
    out.email = out.email || member->contact.email_opt_out;
  }
  return out;
}

}  // namespace podium_dedup
