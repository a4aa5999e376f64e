#include "phone/cleaning.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace podium_dedup::phone_internal {
namespace {

// The replacement of one code point in the cleaned text.
enum class Mapping { kDrop, kSpace, kNewline, kAscii, kKeep };

struct MappedCodePoint {
  Mapping mapping;
  char ascii = 0;  // set for kAscii
};

MappedCodePoint MapAscii(UChar32 c) {
  if (c == '\n' || c == '\r') return {Mapping::kNewline};
  if (c == '\t' || c == '\v' || c == '\f' || c == ' ') return {Mapping::kSpace};
  if (c < 0x20 || c == 0x7F) return {Mapping::kDrop};
  return {Mapping::kAscii, static_cast<char>(c)};
}

// Maps quotation marks and dashes that spreadsheets and word processors
// substitute for their ASCII forms.
MappedCodePoint MapPunctuation(UChar32 c, int8_t type) {
  switch (c) {
    case 0x2018: case 0x2019: case 0x201A: case 0x2032: return {Mapping::kAscii, '\''};
    case 0x201C: case 0x201D: case 0x201E: case 0x2033: return {Mapping::kAscii, '"'};
    case 0x2212: return {Mapping::kAscii, '-'};
    default: break;
  }
  if (type == U_DASH_PUNCTUATION) return {Mapping::kAscii, '-'};
  return {Mapping::kKeep};
}

MappedCodePoint MapNonAscii(UChar32 c) {
  if (c == 0x2028 || c == 0x2029 || c == 0x85) return {Mapping::kNewline};
  // Full-width forms of ASCII (U+FF01 to U+FF5E) sit at a fixed offset.
  if (c >= 0xFF01 && c <= 0xFF5E) return MapAscii(c - 0xFEE0);
  const auto type = static_cast<int8_t>(u_charType(c));
  switch (type) {
    case U_SPACE_SEPARATOR: return {Mapping::kSpace};
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR: return {Mapping::kNewline};
    // Format characters (bidi marks, zero-width joiners, BOM), combining
    // marks (variation selectors, keycap enclosures) and controls are
    // invisible, so they are never part of what the person typed.
    case U_FORMAT_CHAR:
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK:
    case U_CONTROL_CHAR:
    case U_UNASSIGNED:
    case U_PRIVATE_USE_CHAR:
    case U_SURROGATE: return {Mapping::kDrop};
    case U_DECIMAL_DIGIT_NUMBER: {
      const int32_t value = u_charDigitValue(c);
      if (value >= 0 && value <= 9) return {Mapping::kAscii, static_cast<char>('0' + value)};
      return {Mapping::kKeep};
    }
    default: return MapPunctuation(c, type);
  }
}

// Appends cleaned output and keeps the invariants: no leading space on a
// line, no two spaces in a row, no space before a newline.
class CleanWriter {
 public:
  explicit CleanWriter(size_t capacity) { out_.reserve(capacity); }

  void Space() { pending_space_ = !out_.empty() && out_.back() != '\n'; }

  void Newline() {
    pending_space_ = false;
    if (!out_.empty() && out_.back() != '\n') out_.push_back('\n');
  }

  void Append(std::string_view bytes) {
    if (pending_space_) out_.push_back(' ');
    pending_space_ = false;
    out_.append(bytes);
  }

  std::string Finish() && {
    while (!out_.empty() && out_.back() == '\n') out_.pop_back();
    return std::move(out_);
  }

 private:
  std::string out_;
  bool pending_space_ = false;
};

void Emit(CleanWriter& writer, MappedCodePoint mapped, std::string_view original) {
  switch (mapped.mapping) {
    case Mapping::kDrop: return;
    case Mapping::kSpace: writer.Space(); return;
    case Mapping::kNewline: writer.Newline(); return;
    case Mapping::kAscii: writer.Append(std::string_view(&mapped.ascii, 1)); return;
    case Mapping::kKeep: writer.Append(original); return;
  }
}

constexpr std::string_view kWrappingPunctuation = " ()[]{}<>-_.,;:!?*'\"";

std::string ToLowerAscii(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

}  // namespace

std::string CleanPhoneText(std::string_view raw) {
  CleanWriter writer(raw.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(raw.data());
  const auto length = static_cast<int32_t>(raw.size());
  int32_t offset = 0;
  while (offset < length) {
    const int32_t start = offset;
    if (bytes[offset] < 0x80) {
      ++offset;
      Emit(writer, MapAscii(bytes[start]), raw.substr(start, 1));
      continue;
    }
    UChar32 c = 0;
    U8_NEXT(bytes, offset, length, c);
    if (c < 0) continue;  // Invalid UTF-8: the bytes carry no character.
    Emit(writer, MapNonAscii(c), raw.substr(start, offset - start));
  }
  return std::move(writer).Finish();
}

bool IsEmptyLike(std::string_view cleaned) {
  // A value made only of punctuation and spaces ("-", "--", "()", "?")
  // contains no value, whatever the punctuation.
  const bool has_alnum = std::any_of(cleaned.begin(), cleaned.end(), [](char c) {
    return IsAsciiDigit(c) || IsLetterByte(c);
  });
  if (!has_alnum) return true;

  static constexpr std::array<std::string_view, 14> kEmptyWords = {
      "n/a", "na", "n.a.", "n.a", "none", "null", "nil", "unknown",
      "no phone", "no number", "not available", "tbd", "tba", "undefined"};
  // Punctuation around the word does not change it: "(none)", "N/A.", "-unknown-".
  const size_t first = cleaned.find_first_not_of(kWrappingPunctuation);
  const size_t last = cleaned.find_last_not_of(kWrappingPunctuation);
  const std::string lower = ToLowerAscii(cleaned.substr(first, last - first + 1));
  return std::find(kEmptyWords.begin(), kEmptyWords.end(), lower) != kEmptyWords.end();
}

}  // namespace podium_dedup::phone_internal
