// Helpers shared by the files of the matching module and its tests.
#ifndef PODIUM_DEDUP_SRC_MATCH_INTERNAL_H_
#define PODIUM_DEDUP_SRC_MATCH_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "podium_dedup/match.h"

namespace podium_dedup::match_internal {

// Folds text for comparison: NFKC with case folding, nonspacing marks
// removed, every run of whitespace turned into one space, and trimmed.
// NormalizeName is this plus the "Last, First" reordering; tag labels use it
// as it is.
std::string FoldText(std::string_view text);

// An instant as seconds since the Unix epoch plus nanoseconds, comparable
// with the usual operators.
struct Instant {
  std::int64_t seconds = 0;
  std::int32_t nanos = 0;

  friend auto operator<=>(const Instant&, const Instant&) = default;
};

// Parses an ISO 8601 date-time: YYYY-MM-DD, then optionally 'T' (or 't' or a
// space) and hh:mm[:ss[.fraction]], then optionally 'Z' or an offset ±hh:mm,
// ±hhmm or ±hh. A value without an offset is taken as UTC. Returns nullopt
// for anything else, including impossible dates such as 2026-02-30.
std::optional<Instant> ParseTimestamp(std::string_view text);

// Pair score weights, in hundredths so that sums and the threshold
// comparison are exact.
inline constexpr int kSharedPhonePoints = 60;
inline constexpr int kSharedEmailKeyPoints = 50;
inline constexpr int kSameNamePoints = 20;
inline constexpr int kSameEmailPoints = 15;
inline constexpr int kOverlappingTagsPoints = 5;
inline constexpr int kMaxPoints = 100;

// One E.164 number of a member, with every extension it was written with.
struct MemberPhone {
  std::string e164;
  std::vector<std::string> extensions;  // sorted, unique; "" when written without one
  bool region_fallback = false;         // every occurrence was parsed in a fallback region
};

// Comparison features of one cluster member, computed once per cluster.
struct MemberFeatures {
  const IndexedContact* row = nullptr;
  std::vector<MemberPhone> phones;  // sorted by e164
  std::vector<std::string> emails;  // NormalizeEmail keys, sorted, unique
  std::string name;                 // NormalizeName
  std::vector<std::string> tags;    // "uid:" + uid, or "label:" + folded label; sorted, unique
};

// Returns the natural keys of a contact: its E.164 numbers and its email
// keys (from email_keys and contact.emails), sorted and unique.
std::vector<std::string> NaturalKeys(const IndexedContact& row);

MemberFeatures BuildFeatures(const IndexedContact& row);

// Scores one pair (see the table in match.h) and returns the evidence, its
// uids in byte-wise order. `points` receives the score in hundredths.
PairEvidence ScorePair(const MemberFeatures& a, const MemberFeatures& b, int& points);

}  // namespace podium_dedup::match_internal

#endif  // PODIUM_DEDUP_SRC_MATCH_INTERNAL_H_
