// Name and email normalization for comparison.
//
// Names go through ICU: NFKC with case folding turns full-width letters and
// compatibility forms into plain ones, then NFD splits accented letters so
// that their nonspacing marks can be dropped ("José" and "Jose" compare
// equal). Names made only of ASCII take a fast path that gives the same
// result without ICU, because matching normalizes up to millions of names.
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "match/internal.h"
#include "podium_dedup/match.h"

namespace podium_dedup {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string_view TrimAscii(std::string_view text) {
  while (!text.empty() && IsAsciiSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsAsciiSpace(text.back())) text.remove_suffix(1);
  return text;
}

// Turns every run of ASCII whitespace into one space and trims the ends.
std::string CollapseSpaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : text) {
    if (IsAsciiSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string FoldAscii(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return CollapseSpaces(lower);
}

// The ICU path of FoldText. Invalid UTF-8 becomes U+FFFD, so two names that
// are both invalid in the same way still compare equal.
std::string FoldUnicode(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return FoldAscii(text);  // ICU data missing: fold what ASCII can

  icu::UnicodeString source = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::UnicodeString folded = nfkc_casefold->normalize(source, status);
  icu::UnicodeString decomposed = nfd->normalize(folded, status);
  if (U_FAILURE(status)) return FoldAscii(text);

  // Drop nonspacing marks and map every kind of Unicode space to ' '.
  icu::UnicodeString stripped;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) == U_NON_SPACING_MARK) continue;
    stripped.append(u_isUWhiteSpace(c) ? UChar32{' '} : c);
  }
  icu::UnicodeString composed = nfc->normalize(stripped, status);
  if (U_FAILURE(status)) return FoldAscii(text);

  std::string utf8;
  composed.toUTF8String(utf8);
  return CollapseSpaces(utf8);
}

bool HasLetterOrDigit(std::string_view folded) {
  if (IsAscii(folded)) {
    return std::any_of(folded.begin(), folded.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
  }
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(icu::StringPiece(folded.data(), static_cast<int32_t>(folded.size())));
  for (int32_t i = 0; i < text.length();) {
    UChar32 c = text.char32At(i);
    i += U16_LENGTH(c);
    if (u_isalnum(c)) return true;
  }
  return false;
}

// Reorders "last, first" to "first last" when the name has exactly one comma.
// A side left empty ("smith,") is dropped with the comma.
std::string ReorderLastFirst(const std::string& folded) {
  const std::size_t comma = folded.find(',');
  if (comma == std::string::npos || folded.find(',', comma + 1) != std::string::npos) return folded;

  std::string_view whole(folded);
  std::string_view last = TrimAscii(whole.substr(0, comma));
  std::string_view first = TrimAscii(whole.substr(comma + 1));
  if (first.empty()) return std::string(last);
  if (last.empty()) return std::string(first);
  std::string out(first);
  out.push_back(' ');
  out.append(last);
  return out;
}

bool IsValidDomain(std::string_view domain) {
  if (domain.empty() || domain.front() == '.' || domain.back() == '.') return false;
  if (domain.find('.') == std::string_view::npos) return false;
  return domain.find("..") == std::string_view::npos;
}

// Removes dots and a "+tag" from a Gmail local part: Gmail delivers
// "j.o.h.n+news@gmail.com" to john@gmail.com.
std::string GmailLocalPart(std::string_view local) {
  local = local.substr(0, local.find('+'));
  std::string out;
  std::copy_if(local.begin(), local.end(), std::back_inserter(out), [](char c) { return c != '.'; });
  return out;
}

}  // namespace

namespace match_internal {

std::string FoldText(std::string_view text) {
  return IsAscii(text) ? FoldAscii(text) : FoldUnicode(text);
}

}  // namespace match_internal

std::string NormalizeName(const std::string& name) {
  std::string folded = match_internal::FoldText(name);
  if (!HasLetterOrDigit(folded)) return "";
  return ReorderLastFirst(folded);
}

std::string NormalizeEmail(const std::string& email) {
  std::string text(TrimAscii(email));
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  const bool has_space_or_control = std::any_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
  });
  const std::size_t at = text.find('@');
  if (has_space_or_control || at == std::string::npos || text.find('@', at + 1) != std::string::npos) return "";

  std::string local = text.substr(0, at);
  std::string domain = text.substr(at + 1);
  if (local.empty() || !IsValidDomain(domain)) return "";
  if (domain == "gmail.com" || domain == "googlemail.com") {
    local = GmailLocalPart(local);
    domain = "gmail.com";
    if (local.empty()) return "";
  }
  return local + "@" + domain;
}

}  // namespace podium_dedup
