// Cleaning of raw phone fields before splitting and parsing.
#ifndef PODIUM_DEDUP_PHONE_CLEANING_H_
#define PODIUM_DEDUP_PHONE_CLEANING_H_

#include <string>
#include <string_view>

namespace podium_dedup::phone_internal {

// Returns `raw` with its Unicode noise removed in one pass over the UTF-8:
// every space separator and tab becomes one ASCII space, line and paragraph
// separators become '\n', invisible format characters (bidi marks, zero-width
// characters, BOM, variation selectors, combining marks) and control
// characters are dropped, decimal digits of any script become ASCII digits,
// full-width ASCII forms and dashes become their ASCII forms. Letters and
// other symbols are kept, so that later steps can treat them as labels.
// Runs of spaces collapse to one, and each line is trimmed. Invalid UTF-8
// bytes are dropped.
std::string CleanPhoneText(std::string_view raw);

// Returns true if the cleaned field is blank or a word that means "no value",
// such as "N/A", "-", "none", "null" or "unknown".
bool IsEmptyLike(std::string_view cleaned);

// Returns true for ASCII letters and for any non-ASCII byte, which after
// cleaning is part of a letter or symbol, never of a digit.
inline bool IsLetterByte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x80 || (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z');
}

inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace podium_dedup::phone_internal

#endif  // PODIUM_DEDUP_PHONE_CLEANING_H_
