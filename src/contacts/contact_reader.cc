#include "podium_dedup/contact_reader.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <string_view>
#include <vector>

#include "contacts/csv_columns.h"
#include "contacts/input_file.h"
#include "contacts/reader_internal.h"

namespace podium_dedup {
namespace {

using contacts::InputFile;
using contacts::TextEncoding;

constexpr size_t kMaxQuoted = 60;

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string_view TrimSpaces(std::string_view text) {
  const size_t start = text.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  return text.substr(start, text.find_last_not_of(" \t") - start + 1);
}

// Picks the format by extension, then by the first byte that is not
// whitespace: '{' or '[' is JSON, anything else CSV.
InputFormat DetectFormat(const std::string& path, std::string_view start_of_file) {
  const std::string extension = Lower(std::filesystem::path(path).extension().string());
  if (extension == ".jsonl" || extension == ".ndjson" || extension == ".json") return InputFormat::kJsonLines;
  if (extension == ".csv" || extension == ".tsv" || extension == ".txt") return InputFormat::kCsv;
  if (start_of_file.substr(0, 3) == "\xEF\xBB\xBF") start_of_file.remove_prefix(3);
  const size_t first = start_of_file.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (start_of_file[first] == '{' || start_of_file[first] == '[')) {
    return InputFormat::kJsonLines;
  }
  return InputFormat::kCsv;
}

// Reads the whole file once to tell UTF-8 from Windows-1252.
Result<TextEncoding> DetectEncoding(const std::string& path) {
  InputFile file;
  if (Status status = file.Open(path); !status.ok()) return status.error();
  if (file.Buffered().substr(0, 3) == "\xEF\xBB\xBF") return TextEncoding::kUtf8;
  contacts::Utf8Census census;
  std::string line;
  while (file.ReadLine(&line)) {
    census.Feed(line);
  }
  census.Finish();
  if (!file.status().ok()) return file.status().error();
  return census.Guess();
}

// Resolves ReadOptions::encoding. JSON Lines is UTF-8 unless declared
// otherwise, because JSON text exchanged between systems must be UTF-8
// (RFC 8259); CSV files are scanned when no encoding is given.
Result<TextEncoding> ResolveEncoding(const std::string& path, const std::string& encoding, InputFormat format) {
  const std::string name = Lower(encoding);
  if (name == "utf-8" || name == "utf8") return TextEncoding::kUtf8;
  if (name == "windows-1252" || name == "cp1252") return TextEncoding::kWindows1252;
  if (!name.empty()) {
    return Error{"ERR_DEDUP_USAGE_BAD_ENCODING",
                 "unknown encoding '" + encoding + "'; use utf-8 or windows-1252, or leave it out to detect it"};
  }
  if (format == InputFormat::kJsonLines) return TextEncoding::kUtf8;
  return DetectEncoding(path);
}

std::string FieldNames() {
  std::string names;
  for (size_t i = 0; i < contacts::kCsvFieldCount; ++i) {
    if (i > 0) names += ", ";
    names += contacts::CsvFieldName(static_cast<contacts::CsvField>(i));
  }
  return names;
}

}  // namespace

namespace contacts {

std::string Quote(std::string_view text) {
  std::string quoted = "'";
  const std::string_view shown = text.substr(0, kMaxQuoted);
  size_t i = 0;
  while (i < shown.size()) {
    const size_t invalid = FindInvalidUtf8(shown.substr(i));
    const size_t valid_end = invalid == std::string_view::npos ? shown.size() : i + invalid;
    for (; i < valid_end; ++i) {
      const auto byte = static_cast<unsigned char>(shown[i]);
      if (byte < 0x20 || byte == 0x7F) {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
        quoted += escaped;
      } else {
        quoted.push_back(shown[i]);
      }
    }
    if (i < shown.size()) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", static_cast<unsigned char>(shown[i]));
      quoted += escaped;
      ++i;
    }
  }
  quoted += text.size() > kMaxQuoted ? "...'" : "'";
  return quoted;
}

}  // namespace contacts

Status ReadContactsFile(const std::string& path, const ReadOptions& options, const ContactCallback& on_contact,
                        const ProblemCallback& on_problem, ReadStats* stats) {
  ReadStats local_stats;
  ReadStats& counts = stats != nullptr ? *stats : local_stats;

  InputFile file;
  if (Status status = file.Open(path); !status.ok()) return status;
  const InputFormat format =
      options.format == InputFormat::kAuto ? DetectFormat(path, file.Buffered()) : options.format;
  Result<TextEncoding> encoding = ResolveEncoding(path, options.encoding, format);
  if (!encoding.ok()) return encoding.error();

  contacts::ReadContext context{path, options, on_contact, on_problem, counts, encoding.value()};
  if (format == InputFormat::kJsonLines) return contacts::ReadJsonLines(file, context);
  return contacts::ReadCsv(file, context);
}

Result<std::map<std::string, std::string>> ParseColumnMap(const std::string& text) {
  const std::string kBadMap = "ERR_DEDUP_USAGE_BAD_MAP";
  const std::string kExample = "write field=header pairs separated by commas, such as uid=id,phone=Mobile";
  std::map<std::string, std::string> column_map;
  if (TrimSpaces(text).empty()) return Error{kBadMap, "--map is empty; " + kExample};

  std::vector<std::string_view> entries;
  for (size_t start = 0;;) {
    const size_t comma = text.find(',', start);
    entries.push_back(TrimSpaces(std::string_view(text).substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }

  for (std::string_view entry : entries) {
    const size_t equals = entry.find('=');
    if (equals == std::string_view::npos) {
      return Error{kBadMap, "--map entry '" + std::string(entry) + "' has no '='; " + kExample};
    }
    const std::string field = Lower(TrimSpaces(entry.substr(0, equals)));
    const std::string_view header = TrimSpaces(entry.substr(equals + 1));
    if (!contacts::CsvFieldFromName(field)) {
      return Error{kBadMap, "--map entry '" + std::string(entry) + "' names an unknown field '" + field +
                                "'; the fields are " + FieldNames()};
    }
    if (header.empty()) {
      return Error{kBadMap, "--map entry '" + std::string(entry) + "' names no header after '='; " + kExample};
    }
    if (!column_map.emplace(field, std::string(header)).second) {
      return Error{kBadMap, "--map names field '" + field + "' twice; to read several columns into it, write " +
                                field + "=First|Second"};
    }
  }
  return column_map;
}

}  // namespace podium_dedup
