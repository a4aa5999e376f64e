#include "contacts/csv_tokenizer.h"

namespace podium_dedup::contacts {

std::string* CsvTokenizer::StartField(CsvRecord* record) {
  if (record->size == record->fields.size()) record->fields.emplace_back();
  std::string* field = &record->fields[record->size++];
  field->clear();
  return field;
}

void CsvTokenizer::EndLine(int byte) {
  if (byte == '\r' && file_.Peek() == '\n') file_.Get();
  ++line_;
}

bool CsvTokenizer::ReadQuoted(std::string* field) {
  for (;;) {
    const int byte = file_.Get();
    if (byte < 0) return false;
    if (byte == '"') {
      if (file_.Peek() != '"') return true;
      file_.Get();
      field->push_back('"');
    } else if (byte == '\r' || byte == '\n') {
      // A line break inside quotes is data; it is kept as "\n" or "\r\n" as read.
      field->push_back(static_cast<char>(byte));
      if (byte == '\r' && file_.Peek() == '\n') field->push_back('\n');
      EndLine(byte);
    } else {
      field->push_back(static_cast<char>(byte));
    }
  }
}

bool CsvTokenizer::Next(CsvRecord* record) {
  record->size = 0;
  record->line = line_;
  record->unterminated_quote = false;
  if (file_.Peek() < 0) return false;

  std::string* field = StartField(record);
  bool at_field_start = true;
  for (;;) {
    const int byte = file_.Get();
    if (byte < 0) return true;
    if (at_field_start && byte == '"') {
      at_field_start = false;
      if (!ReadQuoted(field)) {
        record->unterminated_quote = true;
        return true;
      }
    } else if (byte == delimiter_) {
      field = StartField(record);
      at_field_start = true;
    } else if (byte == '\n' || byte == '\r') {
      EndLine(byte);
      return true;
    } else {
      at_field_start = false;
      field->push_back(static_cast<char>(byte));
    }
  }
}

char DetectDelimiter(std::string_view start_of_file) {
  int commas = 0;
  int semicolons = 0;
  int tabs = 0;
  bool quoted = false;
  for (char c : start_of_file) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    commas += c == ',';
    semicolons += c == ';';
    tabs += c == '\t';
  }
  if (semicolons > commas && semicolons >= tabs) return ';';
  if (tabs > commas && tabs > semicolons) return '\t';
  return ',';
}

}  // namespace podium_dedup::contacts
