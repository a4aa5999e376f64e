// Tests of the repair of values that went through a spreadsheet.
#include <string>

#include <gtest/gtest.h>

#include "phone/spreadsheet.h"

namespace podium_dedup::phone_internal {
namespace {

struct RepairCase {
  std::string name;
  std::string value;
  std::string repaired;
  bool lossy;
};

void PrintTo(const RepairCase& c, std::ostream* os) { *os << c.name; }

class RepairsSpreadsheetValue : public testing::TestWithParam<RepairCase> {};

TEST_P(RepairsSpreadsheetValue, GivesExpectedValue) {
  const SpreadsheetRepair repair = RepairSpreadsheetValue(GetParam().value);
  EXPECT_EQ(repair.lossy, GetParam().lossy);
  if (!GetParam().lossy) EXPECT_EQ(repair.value, GetParam().repaired);
}

INSTANTIATE_TEST_SUITE_P(
    Repair, RepairsSpreadsheetValue,
    testing::Values(
        RepairCase{"PlainValueUnchanged", "0491 570 156", "0491 570 156", false},
        RepairCase{"TrailingPointZero", "61491570156.0", "61491570156", false},
        RepairCase{"PlusAndPointZero", "+61491570156.0", "+61491570156", false},
        RepairCase{"NonZeroFractionUnchanged", "0491.570.156", "0491.570.156", false},
        RepairCase{"LeadingApostrophe", "'0491570156", "0491570156", false},
        RepairCase{"FormulaString", "=\"0491570156\"", "0491570156", false},
        RepairCase{"FormulaNumber", "=61491570156", "61491570156", false},
        RepairCase{"SurroundingQuotes", "\"0491 570 156\"", "0491 570 156", false},
        RepairCase{"ExactScientific", "6.1491570156E+10", "61491570156", false},
        RepairCase{"ExactScientificDecimalComma", "6,1491570156E+10", "61491570156", false},
        RepairCase{"RoundedScientific", "6.14916E+10", "", true},
        RepairCase{"MantissaLongerThanExponent", "6.149157015612E+10", "", true},
        RepairCase{"ScientificWithoutFraction", "6E+10", "", true},
        RepairCase{"LettersNotScientific", "ext 10", "ext 10", false}));

}  // namespace
}  // namespace podium_dedup::phone_internal
