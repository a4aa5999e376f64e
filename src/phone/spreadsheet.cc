#include "phone/spreadsheet.h"

#include <algorithm>
#include <optional>

#include "phone/cleaning.h"

namespace podium_dedup::phone_internal {
namespace {

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsAsciiDigit);
}

std::string_view StripWrapping(std::string_view value) {
  if (value.starts_with('\'')) value.remove_prefix(1);
  if (value.starts_with('=')) value.remove_prefix(1);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  return value;
}

// Splits an optional leading '+' off, so the rest can be checked as digits.
std::string_view SplitPlus(std::string_view value, std::string& sign) {
  if (value.starts_with('+')) {
    sign = "+";
    value.remove_prefix(1);
  }
  return value;
}

// "61491570156.0" or "61491570156.00" is an integer that a spreadsheet
// shows as a decimal.
std::optional<std::string> StripZeroFraction(std::string_view value) {
  std::string sign;
  value = SplitPlus(value, sign);
  const size_t dot = value.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view fraction = value.substr(dot + 1);
  if (!AllDigits(value.substr(0, dot)) || fraction.empty()) return std::nullopt;
  if (fraction.find_first_not_of('0') != std::string_view::npos) return std::nullopt;
  return sign + std::string(value.substr(0, dot));
}

struct ScientificParts {
  std::string mantissa_digits;  // the digits of the mantissa, without its point
  size_t fraction_length = 0;   // digits after the point
  size_t exponent = 0;
};

// Parses "6.14916E+10", "6,14916e10" or "6E+10"; any other text is nullopt.
std::optional<ScientificParts> ParseScientific(std::string_view value) {
  std::string sign;
  value = SplitPlus(value, sign);
  const size_t e = value.find_first_of("eE");
  if (e == std::string_view::npos || e == 0) return std::nullopt;
  std::string_view mantissa = value.substr(0, e);
  std::string_view exponent = value.substr(e + 1);
  if (exponent.starts_with('+')) exponent.remove_prefix(1);
  if (!AllDigits(exponent) || exponent.size() > 2) return std::nullopt;

  ScientificParts parts;
  const size_t point = mantissa.find_first_of(".,");
  const std::string_view whole = mantissa.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view() : mantissa.substr(point + 1);
  if (!AllDigits(whole) || (point != std::string_view::npos && !AllDigits(fraction))) {
    return std::nullopt;
  }
  parts.mantissa_digits = std::string(whole) + std::string(fraction);
  parts.fraction_length = fraction.size();
  parts.exponent = static_cast<size_t>(std::stoi(std::string(exponent)));
  return parts;
}

}  // namespace

SpreadsheetRepair RepairSpreadsheetValue(std::string_view cleaned) {
  const std::string_view value = StripWrapping(cleaned);
  if (std::optional<std::string> integer = StripZeroFraction(value)) return {*integer, false};

  if (std::optional<ScientificParts> parts = ParseScientific(value)) {
    // Only a mantissa with exactly as many fraction digits as the exponent
    // spells out every digit of the integer. Fewer means that the
    // spreadsheet rounded it and filled the rest with zeros.
    if (parts->fraction_length != parts->exponent) return {std::string(value), true};
    return {parts->mantissa_digits, false};
  }
  return {std::string(value), false};
}

}  // namespace podium_dedup::phone_internal
