// Phone normalization: raw values as typed, to E.164 natural keys.
//
// A raw field may hold zero, one or several phone numbers, wrapped in
// whatever people and spreadsheets add around them. The normalizer cleans
// the field, splits it, parses each piece with libphonenumber in the given
// region and keeps only the numbers that libphonenumber calls valid.
// Everything it rejects gets a stable snake_case reason (docs/errors.md).
//
// Thread safety: the options of a PhoneNormalizer are fixed at
// construction, and Normalize() may be called from several threads at once.
// Its result cache and the normalized blocklist are guarded by mutexes.
#ifndef PODIUM_DEDUP_PHONE_H_
#define PODIUM_DEDUP_PHONE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace podium_dedup {

// Stable rejection reasons. Their spelling is part of the output format.
namespace reason {
inline constexpr std::string_view kEmpty = "empty";
inline constexpr std::string_view kParseFailed = "parse_failed";
inline constexpr std::string_view kNotAValidNumber = "not_a_valid_number";
inline constexpr std::string_view kInvalidCountryCode = "invalid_country_code";
inline constexpr std::string_view kTooShort = "too_short";
inline constexpr std::string_view kTooLong = "too_long";
inline constexpr std::string_view kLossySpreadsheetValue = "lossy_spreadsheet_value";
inline constexpr std::string_view kPlaceholder = "placeholder";
inline constexpr std::string_view kShortCode = "short_code";
inline constexpr std::string_view kNotAPhone = "not_a_phone";
inline constexpr std::string_view kUnknownRegion = "unknown_region";
inline constexpr std::string_view kAmbiguousRegion = "ambiguous_region";
}  // namespace reason

struct NormalizedPhone {
  std::string e164;       // "+61412345678": the natural key
  std::string national;   // "0412 345 678", libphonenumber's NATIONAL format
  std::string country;    // ISO 3166-1 alpha-2 region of the number, "AU"
  std::string extension;  // digits after an extension marker, or empty
  bool region_fallback = false;  // parsed in a fallback region, not the contact's own

  // The natural key of the number: its E.164 form.
  const std::string& natural_key() const { return e164; }

  bool operator==(const NormalizedPhone&) const = default;
};

struct RejectedPiece {
  std::string piece;   // the part of the field that was rejected, after cleaning
  std::string reason;  // one of the reason:: codes

  bool operator==(const RejectedPiece&) const = default;
};

struct PhoneFieldResult {
  std::vector<NormalizedPhone> numbers;  // valid numbers, in the order they appear
  std::vector<RejectedPiece> rejected;   // pieces that gave no valid number

  bool valid() const { return !numbers.empty(); }
  // The first rejection reason, or kEmpty when the field held nothing.
  std::string_view reason() const {
    return rejected.empty() ? reason::kEmpty : std::string_view(rejected.front().reason);
  }

  bool operator==(const PhoneFieldResult&) const = default;
};

struct PhoneOptions {
  // Regions tried, in order, when the primary region yields no valid number;
  // a key found this way is kept only if exactly one fallback yields one.
  std::vector<std::string> fallback_regions;
  // Numbers (in any format the normalizer accepts) that are known fakes,
  // such as a business's own placeholder; they are rejected as kPlaceholder.
  std::vector<std::string> blocklist;
  // Number of results kept for repeated (cleaned value, region) pairs; zero
  // disables the cache. Results are identical with and without it.
  size_t cache_capacity = 1 << 16;
};

class PhoneNormalizer {
 public:
  explicit PhoneNormalizer(PhoneOptions options = {});
  ~PhoneNormalizer();
  PhoneNormalizer(const PhoneNormalizer&) = delete;
  PhoneNormalizer& operator=(const PhoneNormalizer&) = delete;

  // Normalizes one raw field in `region` (ISO 3166-1 alpha-2, such as "AU"),
  // the region assumed for numbers written without a leading '+'. Never
  // fails: a field without a valid number comes back with its rejected
  // pieces. A `region` that libphonenumber does not know yields the reason
  // kUnknownRegion.
  PhoneFieldResult Normalize(std::string_view raw, std::string_view region) const;

  // Returns true if libphonenumber knows `region` as a region code.
  static bool IsKnownRegion(std::string_view region);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_PHONE_H_
