// UTF-8 validation and Windows-1252 decoding for contact files.
//
// Export files are UTF-8, but CSV files saved by older spreadsheet programs
// on Windows are often Windows-1252. The readers validate every value they
// keep, and decode Windows-1252 when the file is detected or declared as such.
#ifndef PODIUM_DEDUP_SRC_CONTACTS_TEXT_ENCODING_H_
#define PODIUM_DEDUP_SRC_CONTACTS_TEXT_ENCODING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace podium_dedup::contacts {

enum class TextEncoding { kUtf8, kWindows1252 };

// Returns the offset of the first byte of `text` that does not start or
// continue a well-formed UTF-8 sequence (overlong forms, surrogates and code
// points above U+10FFFF are invalid), or std::string_view::npos.
size_t FindInvalidUtf8(std::string_view text);

// Appends `text`, read as Windows-1252, to `out` as UTF-8. The five bytes
// that Windows-1252 leaves undefined map to the C1 controls of the same value,
// as the WHATWG Encoding Standard does.
void AppendWindows1252AsUtf8(std::string_view text, std::string* out);

// Counts, over a stream of bytes fed in any chunk sizes, the well-formed
// multi-byte UTF-8 sequences and the bytes that break UTF-8. A file with more
// breaking bytes than multi-byte sequences is taken to be Windows-1252.
class Utf8Census {
 public:
  void Feed(std::string_view chunk);
  void Finish();  // counts a sequence cut off by the end of the input

  int64_t multibyte_sequences() const { return multibyte_sequences_; }
  int64_t invalid_bytes() const { return invalid_bytes_; }
  TextEncoding Guess() const {
    return invalid_bytes_ > multibyte_sequences_ ? TextEncoding::kWindows1252 : TextEncoding::kUtf8;
  }

 private:
  void FeedByte(unsigned char byte);

  int pending_ = 0;  // continuation bytes still expected
  unsigned char lower_ = 0x80;  // allowed range of the next continuation byte
  unsigned char upper_ = 0xBF;
  int64_t multibyte_sequences_ = 0;
  int64_t invalid_bytes_ = 0;
};

}  // namespace podium_dedup::contacts

#endif  // PODIUM_DEDUP_SRC_CONTACTS_TEXT_ENCODING_H_
