#include "contacts/csv_columns.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace podium_dedup::contacts {
namespace {

struct FieldSpec {
  CsvField field;
  std::string_view name;
  // Header keys (see HeaderKey) that feed this field by default.
  std::vector<std::string_view> default_headers;
};

const std::vector<FieldSpec>& FieldSpecs() {
  static const std::vector<FieldSpec> specs = {
      {CsvField::kUid, "uid", {"id", "uid", "contactid", "contactuid", "recid", "recordid", "customerid"}},
      {CsvField::kName, "name", {"name", "fullname", "contactname", "displayname", "customername"}},
      {CsvField::kFirstName, "first_name", {"firstname", "givenname", "forename", "first"}},
      {CsvField::kLastName, "last_name", {"lastname", "surname", "familyname", "last"}},
      {CsvField::kPhone, "phone",
       {"phone", "phonenumber", "phoneno", "mobile", "mobilephone", "mobilenumber", "cell", "cellphone",
        "telephone", "tel", "homephone", "workphone", "businessphone", "otherphone", "primaryphone"}},
      {CsvField::kEmail, "email", {"email", "emailaddress", "mail"}},
      {CsvField::kLocation, "location", {"location", "locationuid", "locationid"}},
      {CsvField::kTags, "tags", {"tags", "tag", "labels", "groupmembership"}},
      {CsvField::kCreatedAt, "created_at", {"createdat", "created", "createddate", "datecreated"}},
      {CsvField::kUpdatedAt, "updated_at",
       {"updatedat", "updated", "lastupdated", "modified", "modifiedat", "lastmodified", "dateupdated"}},
      {CsvField::kDeletedAt, "deleted_at", {"deletedat"}},
      {CsvField::kMarketingOptOut, "marketing_opt_out", {"marketingoptout", "marketingoptedout", "optout"}},
      {CsvField::kSmsOptOut, "sms_opt_out", {"smsoptout", "smsoptedout", "textoptout"}},
      {CsvField::kEmailOptOut, "email_opt_out", {"emailoptout", "emailoptedout"}},
      {CsvField::kStreetNumber, "street_number", {"streetnumber", "streetno", "housenumber"}},
      {CsvField::kAddressLine1, "address_line1",
       {"address", "addr", "addressline1", "address1", "street", "streetaddress"}},
      {CsvField::kAddressLine2, "address_line2", {"addressline2", "address2"}},
      {CsvField::kCity, "city", {"city", "suburb", "town", "locality"}},
      {CsvField::kState, "state", {"state", "province", "stateprovince"}},
      {CsvField::kPostalCode, "postal_code", {"postalcode", "postcode", "zip", "zipcode"}},
      {CsvField::kCountry, "country", {"country"}},
  };
  return specs;
}

// True for "<prefix><digits><suffix>", such as Google Contacts' "phone1value"
// (from "Phone 1 - Value") or "email2" (from "Email 2").
bool IsNumbered(std::string_view key, std::string_view prefix, std::string_view suffix) {
  if (key.size() <= prefix.size() + suffix.size()) return false;
  if (key.substr(0, prefix.size()) != prefix || key.substr(key.size() - suffix.size()) != suffix) return false;
  const std::string_view digits = key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());
  return std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string JoinHeaders(const std::vector<std::string>& headers) {
  std::string joined;
  for (const std::string& header : headers) {
    if (!joined.empty()) joined += ", ";
    joined += "'" + header + "'";
  }
  return joined;
}

// Splits a --map value such as "Mobile|Home Phone" into header names.
std::vector<std::string_view> SplitAlternatives(std::string_view value) {
  std::vector<std::string_view> names;
  size_t start = 0;
  for (;;) {
    const size_t bar = value.find('|', start);
    names.push_back(value.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (bar == std::string_view::npos) return names;
    start = bar + 1;
  }
}

}  // namespace

std::string_view CsvFieldName(CsvField field) { return FieldSpecs()[static_cast<size_t>(field)].name; }

std::optional<CsvField> CsvFieldFromName(std::string_view name) {
  for (const FieldSpec& spec : FieldSpecs()) {
    if (spec.name == name) return spec.field;
  }
  return std::nullopt;
}

std::string HeaderKey(std::string_view header) {
  std::string key;
  key.reserve(header.size());
  for (char c : header) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80 && std::isalnum(byte)) key.push_back(static_cast<char>(std::tolower(byte)));
  }
  return key;
}

std::optional<CsvField> DefaultFieldForHeader(std::string_view header) {
  const std::string key = HeaderKey(header);
  for (const FieldSpec& spec : FieldSpecs()) {
    if (std::find(spec.default_headers.begin(), spec.default_headers.end(), key) != spec.default_headers.end()) {
      return spec.field;
    }
  }
  if (IsNumbered(key, "phone", "value") || IsNumbered(key, "phone", "") || IsNumbered(key, "mobile", "")) {
    return CsvField::kPhone;
  }
  if (IsNumbered(key, "email", "value") || IsNumbered(key, "email", "") ||
      IsNumbered(key, "emailaddress", "")) {
    return CsvField::kEmail;
  }
  return std::nullopt;
}

Result<ColumnPlan> BuildColumnPlan(std::vector<std::string> headers,
                                   const std::map<std::string, std::string>& column_map,
                                   const std::string& path) {
  ColumnPlan plan;
  plan.headers = std::move(headers);
  plan.used.assign(plan.headers.size(), false);
  std::vector<std::string> header_keys;
  for (const std::string& header : plan.headers) header_keys.push_back(HeaderKey(header));

  std::array<bool, kCsvFieldCount> mapped{};
  for (const auto& [name, value] : column_map) {
    const std::optional<CsvField> field = CsvFieldFromName(name);
    if (!field) {
      return Error{"ERR_DEDUP_USAGE_BAD_MAP", "--map names an unknown field '" + name + "'"};
    }
    mapped[static_cast<size_t>(*field)] = true;
    for (std::string_view alternative : SplitAlternatives(value)) {
      const std::string key = HeaderKey(alternative);
      bool found = false;
      for (size_t i = 0; i < header_keys.size(); ++i) {
        if (header_keys[i] != key) continue;
        plan.columns[static_cast<size_t>(*field)].push_back(i);
        plan.used[i] = true;
        found = true;
      }
      if (!found) {
        return Error{"ERR_DEDUP_USAGE_BAD_MAP", "--map " + name + "=" + std::string(alternative) +
                                                   ": no such column in the header of '" + path +
                                                   "'; the columns are " + JoinHeaders(plan.headers)};
      }
    }
  }

  for (size_t i = 0; i < plan.headers.size(); ++i) {
    if (plan.used[i]) continue;
    const std::optional<CsvField> field = DefaultFieldForHeader(plan.headers[i]);
    if (!field || mapped[static_cast<size_t>(*field)]) continue;
    plan.columns[static_cast<size_t>(*field)].push_back(i);
    plan.used[i] = true;
  }
  for (auto& columns : plan.columns) std::sort(columns.begin(), columns.end());
  return plan;
}

}  // namespace podium_dedup::contacts
