#include "phone/classification.h"

#include <algorithm>

#include "phone/cleaning.h"

namespace podium_dedup::phone_internal {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

std::string DigitsOf(std::string_view text) {
  std::string digits;
  digits.reserve(text.size());
  for (const char c : text) {
    if (IsAsciiDigit(c)) digits.push_back(c);
  }
  return digits;
}

bool IsRun(std::string_view digits, int step) {
  for (size_t i = 1; i < digits.size(); ++i) {
    const int expected = (digits[i - 1] - '0' + step + 10) % 10;
    if (digits[i] - '0' != expected) return false;
  }
  return true;
}

std::string_view ReasonForParseError(PhoneNumberUtil::ErrorType error) {
  switch (error) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return reason::kInvalidCountryCode;
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN: return reason::kTooShort;
    case PhoneNumberUtil::TOO_LONG_NSN: return reason::kTooLong;
    default: return reason::kParseFailed;
  }
}

std::string_view ReasonForLength(PhoneNumberUtil::ValidationResult result) {
  switch (result) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE: return reason::kInvalidCountryCode;
    case PhoneNumberUtil::TOO_SHORT: return reason::kTooShort;
    case PhoneNumberUtil::TOO_LONG: return reason::kTooLong;
    default: return reason::kNotAValidNumber;
  }
}

bool StartsWithPlus(std::string_view text) {
  const size_t first = text.find_first_not_of(" (");
  return first != std::string_view::npos && text[first] == '+';
}

}  // namespace

bool IsPlaceholderDigits(std::string_view digits) {
  if (digits.size() >= 6 && IsRun(digits, 0)) return true;
  return digits.size() >= 7 && (IsRun(digits, 1) || IsRun(digits, -1));
}

PieceClassifier::PieceClassifier() : util_(*PhoneNumberUtil::GetInstance()) {}

PieceVerdict PieceClassifier::Classify(std::string_view text, std::string_view extension,
                                       std::string_view region) const {
  const std::string input(text);
  const std::string region_code(region);
  const std::string digits = DigitsOf(text);
  const bool international = StartsWithPlus(text);
  if (IsPlaceholderDigits(digits)) return {std::nullopt, reason::kPlaceholder};

  PhoneNumber number;
  const PhoneNumberUtil::ErrorType error = util_.Parse(input, region_code, &number);
  std::optional<ValidReading> valid;
  if (error == PhoneNumberUtil::NO_PARSING_ERROR) valid = ValidNumber(number);
  // "0061 ..." in a region that dials abroad with another prefix (AU uses
  // 0011): read "00" as '+' only when the national reading was not valid.
  PhoneNumber international_reading;
  if (!valid && !international && digits.starts_with("00") &&
      util_.Parse("+" + digits.substr(2), region_code, &international_reading) ==
          PhoneNumberUtil::NO_PARSING_ERROR) {
    valid = ValidNumber(international_reading);
  }
  if (valid) {
    if (IsPlaceholderDigits(valid->national_significant)) return {std::nullopt, reason::kPlaceholder};
    valid->phone.extension = std::string(extension);
    return {std::move(valid->phone), {}};
  }
  if (!international && IsShortCode(digits, region_code)) return {std::nullopt, reason::kShortCode};
  if (error != PhoneNumberUtil::NO_PARSING_ERROR) return {std::nullopt, ReasonForParseError(error)};
  return {std::nullopt, InvalidReason(number)};
}

// Calls GetRegionCodeForNumber once and checks validity in that region,
// which is what PhoneNumberUtil::IsValidNumber does internally, so the
// region lookup is not paid twice.
std::optional<PieceClassifier::ValidReading> PieceClassifier::ValidNumber(
    const PhoneNumber& number) const {
  std::string country;
  util_.GetRegionCodeForNumber(number, &country);
  if (!util_.IsValidNumberForRegion(number, country)) return std::nullopt;
  ValidReading reading;
  reading.phone.country = std::move(country);
  util_.Format(number, PhoneNumberUtil::E164, &reading.phone.e164);
  util_.Format(number, PhoneNumberUtil::NATIONAL, &reading.phone.national);
  util_.GetNationalSignificantNumber(number, &reading.national_significant);
  return reading;
}

// Short codes (000, 911, 112) are checked only for text that is not a valid
// number, so a six-digit regular number such as AU 13 11 14 never gets here.
// Longer text is never taken for a short code.
bool PieceClassifier::IsShortCode(const std::string& digits, const std::string& region) const {
  if (digits.empty() || digits.size() > 6) return false;
  if (short_info_.IsEmergencyNumber(digits, region)) return true;
  PhoneNumber number;
  if (util_.Parse(digits, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
  return short_info_.IsValidShortNumberForRegion(number, region);
}

std::string_view PieceClassifier::InvalidReason(const PhoneNumber& number) const {
  std::string national_significant;
  util_.GetNationalSignificantNumber(number, &national_significant);
  if (IsPlaceholderDigits(national_significant)) return reason::kPlaceholder;
  return ReasonForLength(util_.IsPossibleNumberWithReason(number));
}

}  // namespace podium_dedup::phone_internal
