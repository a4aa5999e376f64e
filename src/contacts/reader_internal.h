// Shared parts of the JSON Lines and CSV readers: the reporting of bad rows
// and the problem codes.
#ifndef PODIUM_DEDUP_SRC_CONTACTS_READER_INTERNAL_H_
#define PODIUM_DEDUP_SRC_CONTACTS_READER_INTERNAL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "contacts/input_file.h"
#include "contacts/text_encoding.h"
#include "podium_dedup/contact_reader.h"

namespace podium_dedup::contacts {

// Problem codes of single rows, beside those of ContactFromJson.
inline constexpr std::string_view kErrInvalidUtf8 = "ERR_DEDUP_INPUT_INVALID_UTF8";
inline constexpr std::string_view kErrRowWidth = "ERR_DEDUP_INPUT_ROW_WIDTH";
inline constexpr std::string_view kErrUnterminatedQuote = "ERR_DEDUP_INPUT_UNTERMINATED_QUOTE";
inline constexpr std::string_view kErrBadValue = "ERR_DEDUP_INPUT_BAD_VALUE";
// File-level error codes.
inline constexpr std::string_view kErrFormat = "ERR_DEDUP_INPUT_FORMAT";

// One read of one file: its options, callbacks and running counts.
struct ReadContext {
  std::string path;
  const ReadOptions& options;
  const ContactCallback& on_contact;
  const ProblemCallback& on_problem;
  ReadStats& stats;
  TextEncoding encoding = TextEncoding::kUtf8;

  // Counts and reports a row that is skipped.
  void Skip(int64_t line, int64_t column, std::string_view code, std::string message) {
    ++stats.skipped;
    ++stats.problems_by_code[std::string(code)];
    if (on_problem) on_problem(ReadProblem{path, line, column, std::string(code), std::move(message)});
  }

  void Deliver(Contact&& contact) {
    ++stats.contacts;
    on_contact(std::move(contact));
  }
};

// Returns `text` quoted for a message, cut to 60 bytes, with control
// characters and bytes that break UTF-8 shown as \xNN.
std::string Quote(std::string_view text);

Status ReadJsonLines(InputFile& file, ReadContext& context);
Status ReadCsv(InputFile& file, ReadContext& context);

}  // namespace podium_dedup::contacts

#endif  // PODIUM_DEDUP_SRC_CONTACTS_READER_INTERNAL_H_
