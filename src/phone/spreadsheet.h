// Repair of phone values that went through a spreadsheet.
#ifndef PODIUM_DEDUP_PHONE_SPREADSHEET_H_
#define PODIUM_DEDUP_PHONE_SPREADSHEET_H_

#include <string>
#include <string_view>

namespace podium_dedup::phone_internal {

struct SpreadsheetRepair {
  std::string value;   // the field without the spreadsheet's additions
  bool lossy = false;  // the spreadsheet dropped digits, so no number can be trusted
};

// Undoes what spreadsheets do to phone numbers stored as numbers or
// formulas: a leading apostrophe, a ="..." formula, surrounding quotes, a
// trailing ".0", and scientific notation. A scientific value is recovered
// only when its mantissa keeps every digit (6.1491570156E+10); one rounded
// to fewer digits than its exponent (6.14916E+10) is marked lossy.
// `cleaned` is the output of CleanPhoneText.
SpreadsheetRepair RepairSpreadsheetValue(std::string_view cleaned);

}  // namespace podium_dedup::phone_internal

#endif  // PODIUM_DEDUP_PHONE_SPREADSHEET_H_
