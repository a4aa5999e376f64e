// Readers for contact export files: JSON Lines of Podium contact objects,
// and CSV with a column mapping.
//
// A reader streams: it hands each contact to a callback as soon as it is
// read, so a file of any size is read in bounded memory. A row that cannot
// be read is reported through the problem callback with its file, line and
// column, and skipped; the rest of the file is still read.
#ifndef PODIUM_DEDUP_CONTACT_READER_H_
#define PODIUM_DEDUP_CONTACT_READER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "podium_dedup/contact.h"
#include "podium_dedup/result.h"

namespace podium_dedup {

enum class InputFormat { kAuto, kJsonLines, kCsv };

struct ReadOptions {
  InputFormat format = InputFormat::kAuto;  // kAuto: by extension, then by content
  // CSV column mapping, field -> header name, from --map uid=id,name=name,...
  // Fields: uid, name, first_name, last_name, phone, email, location, tags,
  // created_at, updated_at, deleted_at, marketing_opt_out, sms_opt_out,
  // email_opt_out, street_number, address_line1, address_line2, city, state,
  // postal_code, country. A value may name several headers separated by '|'
  // ("phone=Mobile|Home Phone"). Header names match case-insensitively and
  // ignore spaces, '_' and '-'. Unmapped fields use the built-in defaults
  // for common header names (see docs/input-files.md).
  std::map<std::string, std::string> column_map;
  std::string encoding;          // "", "utf-8" or "windows-1252"; "" detects
  std::string default_location;  // location uid for CSV rows without one
  // Prepended to every uid read from a CSV file, so that two files whose ids
  // overlap (both numbered from 1) can be indexed together. Empty by default.
  std::string uid_prefix;
};

struct ReadProblem {
  std::string file;
  int64_t line = 0;    // 1-based physical line where the row starts
  int64_t column = 0;  // 1-based column (CSV field or byte), 0 when unknown
  std::string code;    // stable ERR_DEDUP_INPUT_* code
  std::string message; // names the value and what to do
};

struct ReadStats {
  int64_t rows = 0;       // rows or lines seen, header excluded
  int64_t contacts = 0;   // contacts handed to the callback
  int64_t skipped = 0;    // rows reported as problems and skipped
  std::map<std::string, int64_t> problems_by_code;
};

using ContactCallback = std::function<void(Contact&&)>;
using ProblemCallback = std::function<void(const ReadProblem&)>;

// Reads `path` and calls `on_contact` for each contact. Returns an error only
// when the file as a whole cannot be read (ERR_DEDUP_INPUT_NOT_FOUND,
// ERR_DEDUP_INPUT_UNREADABLE, ERR_DEDUP_INPUT_FORMAT); bad rows go to
// `on_problem` and into `stats`.
Status ReadContactsFile(const std::string& path, const ReadOptions& options,
                        const ContactCallback& on_contact, const ProblemCallback& on_problem,
                        ReadStats* stats);

// Parses --map "uid=id,name=Full Name,phone=Mobile" into a column map.
// Errors name the malformed entry (ERR_DEDUP_USAGE_BAD_MAP).
Result<std::map<std::string, std::string>> ParseColumnMap(const std::string& text);

}  // namespace podium_dedup

#endif  // PODIUM_DEDUP_CONTACT_READER_H_
