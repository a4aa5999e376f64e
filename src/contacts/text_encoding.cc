#include "contacts/text_encoding.h"

#include <cstring>

namespace podium_dedup::contacts {
namespace {

// Unicode code points of Windows-1252 bytes 0x80 to 0x9F. Bytes 0xA0 to 0xFF
// are the Latin-1 code points of the same value.
constexpr char32_t kWindows1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 80-87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,  // 88-8F
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 90-97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,  // 98-9F
};

void AppendCodePoint(char32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// Returns the length of the well-formed sequence that starts at `text[i]`,
// or 0 when the bytes there break UTF-8 (RFC 3629, table 3-7 of Unicode).
size_t SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  unsigned char lower = 0x80;
  unsigned char upper = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) lower = 0xA0;
    if (lead == 0xED) upper = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) lower = 0x90;
    if (lead == 0xF4) upper = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    const unsigned char next = byte(i + k);
    if (next < (k == 1 ? lower : 0x80) || next > (k == 1 ? upper : 0xBF)) return 0;
  }
  return length;
}

}  // namespace

size_t FindInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    // Most contact data is ASCII, so eight bytes are checked at a time.
    if (i + 8 <= text.size()) {
      uint64_t block;
      std::memcpy(&block, text.data() + i, 8);
      if ((block & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t length = SequenceLength(text, i);
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

void AppendWindows1252AsUtf8(std::string_view text, std::string* out) {
  out->reserve(out->size() + text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out->push_back(c);
    } else if (byte < 0xA0) {
      AppendCodePoint(kWindows1252High[byte - 0x80], out);
    } else {
      AppendCodePoint(byte, out);
    }
  }
}

void Utf8Census::Feed(std::string_view chunk) {
  for (char c : chunk) FeedByte(static_cast<unsigned char>(c));
}

void Utf8Census::Finish() {
  if (pending_ > 0) ++invalid_bytes_;
  pending_ = 0;
}

void Utf8Census::FeedByte(unsigned char byte) {
  if (pending_ > 0) {
    if (byte >= lower_ && byte <= upper_) {
      lower_ = 0x80;
      upper_ = 0xBF;
      if (--pending_ == 0) ++multibyte_sequences_;
      return;
    }
    // The sequence broke off: count it, then read this byte afresh.
    ++invalid_bytes_;
    pending_ = 0;
    lower_ = 0x80;
    upper_ = 0xBF;
  }
  if (byte < 0x80) return;
  if (byte >= 0xC2 && byte <= 0xDF) {
    pending_ = 1;
  } else if (byte >= 0xE0 && byte <= 0xEF) {
    pending_ = 2;
    if (byte == 0xE0) lower_ = 0xA0;
    if (byte == 0xED) upper_ = 0x9F;
  } else if (byte >= 0xF0 && byte <= 0xF4) {
    pending_ = 3;
    if (byte == 0xF0) lower_ = 0x90;
    if (byte == 0xF4) upper_ = 0x8F;
  } else {
    ++invalid_bytes_;
  }
}

}  // namespace podium_dedup::contacts
