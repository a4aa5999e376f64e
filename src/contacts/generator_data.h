// The data the tenant generator draws from: names, streets, places and, per
// region, phone number ranges and the formats people type numbers in.
#ifndef PODIUM_DEDUP_SRC_CONTACTS_GENERATOR_DATA_H_
#define PODIUM_DEDUP_SRC_CONTACTS_GENERATOR_DATA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace podium_dedup::contacts {

struct Place {
  std::string_view city;
  std::string_view state;
  std::string_view postal_code;
};

struct RegionData {
  std::string_view code;          // ISO 3166-1 alpha-2
  std::string_view calling_code;  // without '+'
  // National significant numbers: the k-th of `*_space` numbers, every one
  // valid for libphonenumber 8.12 (the generator tests check this).
  uint64_t mobile_space;
  uint64_t landline_space;
  std::string (*mobile_number)(uint64_t k);
  std::string (*landline_number)(uint64_t k);
  // Ways people type a number: '#' stands for the next digit of the national
  // significant number. The first pattern is the tidy national format.
  std::vector<std::string_view> mobile_patterns;
  std::vector<std::string_view> landline_patterns;
  std::vector<Place> places;
  std::vector<std::string_view> street_suffixes;
};

// Returns the data of region `code` ("AU" or "US"), or nullptr.
const RegionData* FindRegion(std::string_view code);

// Fills the '#' of `pattern` with the digits of `digits`, in order.
std::string FormatPhone(std::string_view digits, std::string_view pattern);

struct PersonName {
  std::string_view display;  // as written, possibly with accents
  std::string_view ascii;    // lower-case ASCII, for email addresses
};

const std::vector<PersonName>& GivenNames();
const std::vector<PersonName>& FamilyNames();
const std::vector<std::string_view>& StreetNames();
const std::vector<std::string_view>& EmailDomains();

struct TagData {
  std::string_view uid;
  std::string_view label;
};
const std::vector<TagData>& TagPool();

}  // namespace podium_dedup::contacts

#endif  // PODIUM_DEDUP_SRC_CONTACTS_GENERATOR_DATA_H_
