// The JSON Lines reader: one Podium contact object per line.
//
// Every line is checked for UTF-8 before it is parsed, so that a bad byte is
// reported with its column. Blank lines are ignored; a trailing '\r' (CRLF
// line endings) is dropped.
#include <algorithm>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "contacts/reader_internal.h"
#include "podium_dedup/contact_json.h"

namespace podium_dedup::contacts {
namespace {

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
}

// Returns the deepest nesting of '[' and '{' outside JSON strings.
int NestingDepth(std::string_view line) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

// Parses one line and hands the contact on, or reports why it was skipped.
void ReadLine(std::string_view line, int64_t line_number, ReadContext& context) {
  const size_t invalid = FindInvalidUtf8(line);
  if (invalid != std::string_view::npos) {
    context.Skip(line_number, static_cast<int64_t>(invalid) + 1, kErrInvalidUtf8,
                 "line is not valid UTF-8 at byte " + std::to_string(invalid + 1) + " (near " +
                     Quote(line.substr(invalid > 10 ? invalid - 10 : 0, 20)) +
                     "); re-export the file as UTF-8");
    return;
  }

  // Deeply nested lines are rejected before parsing, because writing such a
  // value out again (an error excerpt, extra_json) recurses once per level
  // and overflows the stack. A scan is cheaper than a parser callback.
  constexpr int kMaxJsonDepth = 64;
  const bool too_deep = NestingDepth(line) > kMaxJsonDepth;
  nlohmann::json object;
  try {
    if (!too_deep) object = nlohmann::json::parse(line.begin(), line.end());
  } catch (const nlohmann::json::parse_error& e) {
    const size_t at = e.byte > 0 ? e.byte - 1 : 0;
    context.Skip(line_number, static_cast<int64_t>(e.byte), kErrInvalidJson,
                 "line is not valid JSON at byte " + std::to_string(e.byte) + " (near " +
                     Quote(line.substr(at > 20 ? at - 20 : 0, 40)) +
                     "); each line must be one complete JSON object");
    return;
  } catch (const nlohmann::json::exception& e) {
    // A number too large for a double (1e999999) is out_of_range, not parse_error.
    context.Skip(line_number, 0, kErrInvalidJson,
                 std::string("line is not valid JSON: ") + e.what() + "; each line must be one complete JSON object");
    return;
  }
  if (too_deep) {
    context.Skip(line_number, 0, kErrInvalidJson,
                 "line nests JSON deeper than " + std::to_string(kMaxJsonDepth) +
                     " levels; a contact object needs a few, so the line is damaged");
    return;
  }

  Result<Contact> contact = ContactFromJson(object);
  if (!contact.ok()) {
    context.Skip(line_number, 0, contact.error().code, contact.error().message);
    return;
  }
  context.Deliver(std::move(contact).value());
}

// A JSON array or a pretty-printed object would give one error per line, so
// it is rejected as a whole with a hint on how to convert it.
Status CheckFirstLine(std::string_view line, const std::string& path) {
  const size_t start = line.find_first_not_of(" \t\r");
  if (start == std::string_view::npos) return Status::Ok();
  if (line[start] == '[') {
    return Error{std::string(kErrFormat), "input file '" + path +
                                              "' is a JSON array, not JSON Lines; convert it with "
                                              "\"jq -c '.[]' FILE > FILE.jsonl\""};
  }
  if (line.substr(start).find_first_not_of(" \t\r{") == std::string_view::npos) {
    return Error{std::string(kErrFormat), "input file '" + path +
                                              "' holds pretty-printed JSON, not one object per line; "
                                              "convert it with \"jq -c . FILE > FILE.jsonl\""};
  }
  return Status::Ok();
}

}  // namespace

Status ReadJsonLines(InputFile& file, ReadContext& context) {
  file.SkipByteOrderMark();
  std::string raw;
  std::string decoded;
  int64_t line_number = 0;
  bool seen_content = false;
  while (file.ReadLine(&raw)) {
    ++line_number;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    if (IsBlank(raw)) continue;
    if (!seen_content) {
      seen_content = true;
      if (Status status = CheckFirstLine(raw, context.path); !status.ok()) return status;
    }

    ++context.stats.rows;
    std::string_view line = raw;
    if (context.encoding == TextEncoding::kWindows1252) {
      decoded.clear();
      AppendWindows1252AsUtf8(raw, &decoded);
      line = decoded;
    }
    ReadLine(line, line_number, context);
  }
  return file.status();
}

}  // namespace podium_dedup::contacts
