// The CSV reader: a header line, then one contact per row.
//
// Choices that a caller can observe (also in docs/input-files.md):
// - The delimiter is ',', ';' or tab, whichever the header line has most of
//   outside quotes (always tab for a .tsv file).
// - A row with more or fewer fields than the header is reported as
//   ERR_DEDUP_INPUT_ROW_WIDTH and skipped, because its values may sit under
//   the wrong headers. Blank lines are ignored.
// - Without a uid column, a row's uid is "<file stem>-row-<line>", the
//   physical line where the row starts; the same file always gives the same
//   uids. With a uid column, a row whose uid is empty is skipped.
// - Values are trimmed of surrounding spaces and tabs. Phone and email values
//   are split at " ::: " (Google Contacts' multi-value separator); tags also
//   at ',', ';' and '|'.
// - Columns that feed no field are kept in extra_json under "csvColumns".
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "contacts/csv_columns.h"
#include "contacts/csv_tokenizer.h"
#include "contacts/reader_internal.h"
#include "podium_dedup/contact_json.h"

namespace podium_dedup::contacts {
namespace {

constexpr std::string_view kMultiValueSeparator = " ::: ";

std::string_view Trim(std::string_view text) {
  const size_t start = text.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \t");
  return text.substr(start, end - start + 1);
}

// Splits `text` at any of `separators` and appends the trimmed, non-empty pieces.
void AppendPieces(std::string_view text, const std::vector<std::string_view>& separators,
                  std::vector<std::string>* out) {
  while (!text.empty()) {
    size_t cut = std::string_view::npos;
    size_t cut_length = 0;
    for (std::string_view separator : separators) {
      const size_t at = text.find(separator);
      if (at < cut) {
        cut = at;
        cut_length = separator.size();
      }
    }
    const std::string_view piece = Trim(text.substr(0, cut));
    if (!piece.empty()) out->emplace_back(piece);
    if (cut == std::string_view::npos) break;
    text.remove_prefix(cut + cut_length);
  }
}

std::optional<bool> ParseFlag(std::string_view value) {
  std::string lower;
  for (char c : value) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (std::string_view yes : {"true", "yes", "y", "1", "x", "opted out", "optedout", "t"}) {
    if (lower == yes) return true;
  }
  for (std::string_view no : {"", "false", "no", "n", "0", "f"}) {
    if (lower == no) return false;
  }
  return std::nullopt;
}

class CsvRowReader {
 public:
  CsvRowReader(ColumnPlan plan, ReadContext& context)
      : plan_(std::move(plan)),
        context_(context),
        uid_stem_(std::filesystem::path(context.path).stem().string() + "-row-") {}

  void Read(const CsvRecord& record);

 private:
  bool CheckShape(const CsvRecord& record);
  bool DecodeFields(const CsvRecord& record);
  std::string_view First(CsvField field) const;
  void AppendAll(CsvField field, const std::vector<std::string_view>& separators,
                 std::vector<std::string>* out) const;
  bool ReadIdentity(const CsvRecord& record, Contact* contact);
  bool ReadFlags(const CsvRecord& record, Contact* contact);
  void ReadAddress(Contact* contact) const;
  void ReadUnusedColumns(Contact* contact) const;

  ColumnPlan plan_;
  ReadContext& context_;
  std::string uid_stem_;
  std::vector<std::string> decoded_;  // reused per row for Windows-1252 input
  std::vector<std::string_view> values_;
};

bool CsvRowReader::CheckShape(const CsvRecord& record) {
  const size_t width = plan_.headers.size();
  if (record.unterminated_quote) {
    context_.Skip(record.line, static_cast<int64_t>(record.size), kErrUnterminatedQuote,
                  "field " + std::to_string(record.size) +
                      " of this row opens a quote that is never closed, so the rest of the file was read "
                      "into it; close the quote or remove it");
    return false;
  }
  if (record.size != width) {
    context_.Skip(record.line, static_cast<int64_t>(std::min(record.size, width) + 1), kErrRowWidth,
                  "row has " + std::to_string(record.size) + " fields but the header has " +
                      std::to_string(width) + "; quote values that contain the delimiter or a line break");
    return false;
  }
  return true;
}

bool CsvRowReader::DecodeFields(const CsvRecord& record) {
  values_.resize(record.size);
  if (context_.encoding == TextEncoding::kWindows1252) {
    decoded_.resize(record.size);
    for (size_t i = 0; i < record.size; ++i) {
      decoded_[i].clear();
      AppendWindows1252AsUtf8(record.field(i), &decoded_[i]);
      values_[i] = Trim(decoded_[i]);
    }
    return true;
  }
  for (size_t i = 0; i < record.size; ++i) {
    const size_t invalid = FindInvalidUtf8(record.field(i));
    if (invalid != std::string_view::npos) {
      context_.Skip(record.line, static_cast<int64_t>(i) + 1, kErrInvalidUtf8,
                    "column '" + plan_.headers[i] + "' is not valid UTF-8 at byte " +
                        std::to_string(invalid + 1) + " of " + Quote(record.field(i)) +
                        "; re-save the file as UTF-8, or pass --encoding windows-1252");
      return false;
    }
    values_[i] = Trim(record.field(i));
  }
  return true;
}

std::string_view CsvRowReader::First(CsvField field) const {
  for (size_t column : plan_.of(field)) {
    if (!values_[column].empty()) return values_[column];
  }
  return {};
}

void CsvRowReader::AppendAll(CsvField field, const std::vector<std::string_view>& separators,
                             std::vector<std::string>* out) const {
  for (size_t column : plan_.of(field)) AppendPieces(values_[column], separators, out);
}

bool CsvRowReader::ReadIdentity(const CsvRecord& record, Contact* contact) {
  if (plan_.of(CsvField::kUid).empty()) {
    contact->uid = context_.options.uid_prefix + uid_stem_ + std::to_string(record.line);
  } else {
    const std::string_view uid = First(CsvField::kUid);
    if (uid.empty()) {
      const size_t column = plan_.of(CsvField::kUid).front();
      context_.Skip(record.line, static_cast<int64_t>(column) + 1, kErrMissingUid,
                    "the uid column '" + plan_.headers[column] +
                        "' is empty in this row; fill it in, or map uid to another column with --map");
      return false;
    }
    contact->uid = context_.options.uid_prefix + std::string(uid);
  }

  contact->name = First(CsvField::kName);
  if (contact->name.empty()) {
    const std::string_view first = First(CsvField::kFirstName);
    const std::string_view last = First(CsvField::kLastName);
    contact->name = std::string(first) + (first.empty() || last.empty() ? "" : " ") + std::string(last);
  }

  const std::string_view location = First(CsvField::kLocation);
  if (!location.empty()) {
    contact->location_uids.emplace_back(location);
  } else if (!context_.options.default_location.empty()) {
    contact->location_uids.push_back(context_.options.default_location);
  }
  return true;
}

bool CsvRowReader::ReadFlags(const CsvRecord& record, Contact* contact) {
  const std::pair<CsvField, bool*> flags[] = {{CsvField::kMarketingOptOut, &contact->marketing_opt_out},
                                              {CsvField::kSmsOptOut, &contact->sms_opt_out},
                                              {CsvField::kEmailOptOut, &contact->email_opt_out}};
  for (const auto& [field, out] : flags) {
    for (size_t column : plan_.of(field)) {
      const std::optional<bool> flag = ParseFlag(values_[column]);
      if (!flag) {
        context_.Skip(record.line, static_cast<int64_t>(column) + 1, kErrBadValue,
                      "column '" + plan_.headers[column] + "' has " + Quote(values_[column]) +
                          ", which is not a yes/no value; use true/false, yes/no or 1/0");
        return false;
      }
      *out = *out || *flag;
    }
  }
  return true;
}

void CsvRowReader::ReadAddress(Contact* contact) const {
  Address& address = contact->address;
  const std::string_view number = First(CsvField::kStreetNumber);
  const std::string_view street = First(CsvField::kAddressLine1);
  address.line1 = std::string(number) + (number.empty() || street.empty() ? "" : " ") + std::string(street);
  address.line2 = First(CsvField::kAddressLine2);
  address.city = First(CsvField::kCity);
  address.state = First(CsvField::kState);
  address.postal_code = First(CsvField::kPostalCode);
  address.country = First(CsvField::kCountry);
}

void CsvRowReader::ReadUnusedColumns(Contact* contact) const {
  nlohmann::json columns = nlohmann::json::object();
  for (size_t i = 0; i < values_.size(); ++i) {
    if (plan_.used[i] || values_[i].empty()) continue;
    std::string key = plan_.headers[i].empty() ? "column " + std::to_string(i + 1) : plan_.headers[i];
    if (columns.contains(key)) key += " (column " + std::to_string(i + 1) + ")";
    columns[key] = values_[i];
  }
  if (!columns.empty()) contact->extra_json = nlohmann::json{{"csvColumns", columns}}.dump();
}

void CsvRowReader::Read(const CsvRecord& record) {
  if (!CheckShape(record) || !DecodeFields(record)) return;

  Contact contact;
  if (!ReadIdentity(record, &contact) || !ReadFlags(record, &contact)) return;
  AppendAll(CsvField::kPhone, {kMultiValueSeparator}, &contact.phones);
  AppendAll(CsvField::kEmail, {kMultiValueSeparator}, &contact.emails);
  std::vector<std::string> labels;
  AppendAll(CsvField::kTags, {kMultiValueSeparator, ",", ";", "|"}, &labels);
  for (std::string& label : labels) contact.tags.push_back(Tag{"", std::move(label), ""});
  ReadAddress(&contact);
  contact.created_at = First(CsvField::kCreatedAt);
  contact.updated_at = First(CsvField::kUpdatedAt);
  const std::string_view deleted_at = First(CsvField::kDeletedAt);
  if (!deleted_at.empty()) contact.deleted_at = std::string(deleted_at);
  ReadUnusedColumns(&contact);
  context_.Deliver(std::move(contact));
}

// Reads the header line: the first record that is not blank.
Result<std::vector<std::string>> ReadHeader(CsvTokenizer& tokenizer, const ReadContext& context) {
  CsvRecord record;
  do {
    if (!tokenizer.Next(&record)) {
      return Error{std::string(kErrFormat), "CSV file '" + context.path + "' is empty; it needs a header line"};
    }
  } while (record.blank());

  std::vector<std::string> headers;
  for (size_t i = 0; i < record.size; ++i) {
    std::string header;
    if (context.encoding == TextEncoding::kWindows1252) {
      AppendWindows1252AsUtf8(record.field(i), &header);
    } else if (FindInvalidUtf8(record.field(i)) != std::string_view::npos) {
      return Error{std::string(kErrFormat), "the header of CSV file '" + context.path + "' is not valid UTF-8 in " +
                                                "column " + std::to_string(i + 1) + " " + Quote(record.field(i)) +
                                                "; pass --encoding windows-1252 or re-save the file as UTF-8"};
    } else {
      header = record.field(i);
    }
    headers.emplace_back(Trim(header));
  }
  return headers;
}

bool HasExtension(const std::string& path, std::string_view extension) {
  std::string actual = std::filesystem::path(path).extension().string();
  for (char& c : actual) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return actual == extension;
}

}  // namespace

Status ReadCsv(InputFile& file, ReadContext& context) {
  file.SkipByteOrderMark();
  const char delimiter = HasExtension(context.path, ".tsv") ? '\t' : DetectDelimiter(file.Buffered());
  CsvTokenizer tokenizer(file, delimiter);

  Result<std::vector<std::string>> headers = ReadHeader(tokenizer, context);
  if (!headers.ok()) return headers.error();
  Result<ColumnPlan> plan = BuildColumnPlan(std::move(headers).value(), context.options.column_map, context.path);
  if (!plan.ok()) return plan.error();

  CsvRowReader reader(std::move(plan).value(), context);
  CsvRecord record;
  while (tokenizer.Next(&record)) {
    if (record.blank()) continue;
    ++context.stats.rows;
    reader.Read(record);
  }
  return file.status();
}

}  // namespace podium_dedup::contacts
