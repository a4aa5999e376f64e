// Splits CSV text into records of fields (RFC 4180, read leniently).
//
// A field that starts with '"' is quoted: it may hold the delimiter, line
// breaks and '""' for a quote. Text after the closing quote is kept as part
// of the field, and a quote inside an unquoted field is kept as a character.
// Records end at '\n', "\r\n" or a lone '\r', so files from any platform read
// the same; the tokenizer counts physical lines the same way.
#ifndef PODIUM_DEDUP_SRC_CONTACTS_CSV_TOKENIZER_H_
#define PODIUM_DEDUP_SRC_CONTACTS_CSV_TOKENIZER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "contacts/input_file.h"

namespace podium_dedup::contacts {

struct CsvRecord {
  // Field strings are reused from record to record, so only the first
  // `size` entries belong to the current record.
  std::vector<std::string> fields;
  size_t size = 0;
  int64_t line = 0;  // 1-based physical line where the record starts
  bool unterminated_quote = false;  // the file ended inside a quoted field

  std::string_view field(size_t i) const { return fields[i]; }
  // True for a record made of one empty field: a blank line.
  bool blank() const { return size == 1 && fields[0].empty(); }
};

class CsvTokenizer {
 public:
  CsvTokenizer(InputFile& file, char delimiter) : file_(file), delimiter_(delimiter) {}

  // Reads the next record into `record`. Returns false at the end of the file.
  bool Next(CsvRecord* record);

 private:
  std::string* StartField(CsvRecord* record);
  // Reads the rest of a quoted field. Returns false if the file ends first.
  bool ReadQuoted(std::string* field);
  // Consumes the '\n' of a "\r\n" pair and counts the line break.
  void EndLine(int byte);

  InputFile& file_;
  char delimiter_;
  int64_t line_ = 1;
};

// Picks the delimiter of a CSV file from its first line: whichever of ',',
// ';' and '\t' occurs most often outside quotes (',' on a tie or when none).
char DetectDelimiter(std::string_view start_of_file);

}  // namespace podium_dedup::contacts

#endif  // PODIUM_DEDUP_SRC_CONTACTS_CSV_TOKENIZER_H_
