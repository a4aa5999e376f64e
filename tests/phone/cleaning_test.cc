// Tests of the Unicode cleaning pass and the empty-value check.
#include <string>

#include <gtest/gtest.h>

#include "phone/cleaning.h"

namespace podium_dedup::phone_internal {
namespace {

struct CleanCase {
  std::string name;
  std::string raw;
  std::string cleaned;
};

void PrintTo(const CleanCase& c, std::ostream* os) { *os << c.name; }

class CleansText : public testing::TestWithParam<CleanCase> {};

TEST_P(CleansText, GivesExpectedText) {
  EXPECT_EQ(CleanPhoneText(GetParam().raw), GetParam().cleaned);
}

INSTANTIATE_TEST_SUITE_P(
    Cleaning, CleansText,
    testing::Values(
        CleanCase{"AsciiUnchanged", "0491 570 156", "0491 570 156"},
        CleanCase{"CollapsesAndTrimsSpaces", "  0491   570\t156  ", "0491 570 156"},
        CleanCase{"MapsUnicodeSpaces", "0491\u202F570\u00A0156", "0491 570 156"},
        CleanCase{"DropsFormatCharacters", "\u200E04\u200F91\u200D570\uFEFF156\u2069", "0491570156"},
        CleanCase{"DropsVariationSelectorsAndKeycaps", "1\uFE0F\u20E32", "12"},
        CleanCase{"MapsFullWidthForms", "\uFF0B\uFF16\uFF11\uFF08\uFF10\uFF09", "+61(0)"},
        CleanCase{"MapsArabicIndicDigits", "\u0660\u0664\u0669", "049"},
        CleanCase{"MapsThaiDigits", "\u0E50\u0E54", "04"},
        CleanCase{"MapsDashesAndMinus", "1\u20102\u20143\u22124", "1-2-3-4"},
        CleanCase{"MapsCurlyQuotes", "\u201C0491\u201D \u2018x\u2019", "\"0491\" 'x'"},
        CleanCase{"KeepsLettersOfAnyScript", "\u0442\u0435\u043B 1", "\u0442\u0435\u043B 1"},
        CleanCase{"KeepsNewlinesTrimmed", "1 \r\n 2\u2028\n3", "1\n2\n3"},
        CleanCase{"DropsControlCharacters", "1\x01" "2\x7F" "3", "123"},
        CleanCase{"DropsInvalidUtf8", "1\xFF" "2\xC3", "12"},
        CleanCase{"BlankBecomesEmpty", " \t\n ", ""}));

TEST(EmptyLike, RecognizesWordsAndPunctuation) {
  for (const char* value : {"", "-", "--", "()", "?", "N/A", "n/a", "NA", "none", "None", "NULL",
                            "nil", "unknown", "Unknown", "TBD", "no phone", "(none)", "N/A.",
                            "-unknown-", "\"null\""}) {
    EXPECT_TRUE(IsEmptyLike(value)) << value;
  }
}

TEST(EmptyLike, RejectsValuesWithDigitsOrOtherWords) {
  for (const char* value : {"0", "000", "Bob", "n/a 0491 570 156", "nobody"}) {
    EXPECT_FALSE(IsEmptyLike(value)) << value;
  }
}

}  // namespace
}  // namespace podium_dedup::phone_internal
