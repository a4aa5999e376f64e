// The mapping of CSV columns to Contact fields: the --map names, the default
// header names, and the plan built from a file's header line.
#ifndef PODIUM_DEDUP_SRC_CONTACTS_CSV_COLUMNS_H_
#define PODIUM_DEDUP_SRC_CONTACTS_CSV_COLUMNS_H_

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "podium_dedup/result.h"

namespace podium_dedup::contacts {

enum class CsvField {
  kUid,
  kName,
  kFirstName,
  kLastName,
  kPhone,
  kEmail,
  kLocation,
  kTags,
  kCreatedAt,
  kUpdatedAt,
  kDeletedAt,
  kMarketingOptOut,
  kSmsOptOut,
  kEmailOptOut,
  kStreetNumber,
  kAddressLine1,
  kAddressLine2,
  kCity,
  kState,
  kPostalCode,
  kCountry,
};
inline constexpr size_t kCsvFieldCount = static_cast<size_t>(CsvField::kCountry) + 1;

// Returns the --map name of a field, such as "first_name".
std::string_view CsvFieldName(CsvField field);

// Returns the field with the --map name `name`, if there is one.
std::optional<CsvField> CsvFieldFromName(std::string_view name);

// Returns the comparison key of a header name: lower-case letters and digits
// only, so "Phone Number", "phone_number" and "PHONE-NUMBER" are the same.
std::string HeaderKey(std::string_view header);

// Returns the field that a header feeds when --map does not name it, such as
// kPhone for "Mobile" or "Phone 1 - Value".
std::optional<CsvField> DefaultFieldForHeader(std::string_view header);

struct ColumnPlan {
  std::vector<std::string> headers;
  // Column indexes feeding each field, in header order.
  std::array<std::vector<size_t>, kCsvFieldCount> columns;
  std::vector<bool> used;  // per column: feeds some field

  const std::vector<size_t>& of(CsvField field) const { return columns[static_cast<size_t>(field)]; }
};

// Builds the plan for `headers`: the --map entries first, then the default
// header names for the fields that --map leaves out. A --map entry naming a
// header that is not there is ERR_DEDUP_USAGE_BAD_MAP, with the headers listed.
Result<ColumnPlan> BuildColumnPlan(std::vector<std::string> headers,
                                   const std::map<std::string, std::string>& column_map,
                                   const std::string& path);

}  // namespace podium_dedup::contacts

#endif  // PODIUM_DEDUP_SRC_CONTACTS_CSV_COLUMNS_H_
