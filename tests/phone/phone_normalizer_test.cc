// Table-driven tests of PhoneNormalizer: formats, dirty input, extensions,
// splitting, fallback regions, the blocklist and the result cache.
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "podium_dedup/phone.h"

namespace podium_dedup {
namespace {

std::vector<std::string> KeysOf(const PhoneFieldResult& result) {
  std::vector<std::string> keys;
  for (const NormalizedPhone& number : result.numbers) keys.push_back(number.natural_key());
  return keys;
}

// A raw value, its region, and the natural keys it must give.
struct ValidCase {
  std::string name;
  std::string raw;
  std::string region;
  std::vector<std::string> keys;
};

std::string CaseName(const testing::TestParamInfo<ValidCase>& info) { return info.param.name; }
void PrintTo(const ValidCase& c, std::ostream* os) { *os << c.name; }

class NormalizesToKeys : public testing::TestWithParam<ValidCase> {};

TEST_P(NormalizesToKeys, GivesExpectedKeys) {
  const PhoneNormalizer normalizer;
  const ValidCase& c = GetParam();
  const PhoneFieldResult result = normalizer.Normalize(c.raw, c.region);
  EXPECT_EQ(KeysOf(result), c.keys) << "raw: " << c.raw;
  EXPECT_TRUE(result.valid());
}

INSTANTIATE_TEST_SUITE_P(
    Formats, NormalizesToKeys,
    testing::Values(
        ValidCase{"AustralianMobileWithTrunkZero", "0412 345 678", "AU", {"+61412345678"}},
        ValidCase{"AustralianMobileInternational", "+61 412 345 678", "AU", {"+61412345678"}},
        ValidCase{"AustralianMobileBracketed", "(04) 1234-5678", "AU", {"+61412345678"}},
        ValidCase{"AustralianMobileE164", "+61412345678", "AU", {"+61412345678"}},
        ValidCase{"AustralianMobileDigitsOnly", "0412345678", "AU", {"+61412345678"}},
        ValidCase{"AustralianMobileCountryCodeNoPlus", "61412345678", "AU", {"+61412345678"}},
        ValidCase{"AustralianMobileWithoutTrunkZero", "412345678", "AU", {"+61412345678"}},
        ValidCase{"AustralianTrunkZeroAfterCountryCode", "+61 (0)4 9157 0156", "AU", {"+61491570156"}},
        ValidCase{"AustralianLandlineBracketedArea", "(02) 5550-1234", "AU", {"+61255501234"}},
        ValidCase{"FebrlStyleLandline", "08 62479325", "AU", {"+61862479325"}},
        ValidCase{"FodorsStyleSlashAreaCode", "310/246-1501", "US", {"+13102461501"}},
        ValidCase{"FodorsStyleSlashAndSpace", "212/ 319-1660", "US", {"+12123191660"}},
        ValidCase{"ZagatStyleDashes", "310-475-3585", "US", {"+13104753585"}},
        ValidCase{"ForeignNumberInAnyRegion", "+44 20 7946 0958", "AU", {"+442079460958"}}),
    CaseName);

INSTANTIATE_TEST_SUITE_P(
    UnicodeNoise, NormalizesToKeys,
    testing::Values(
        ValidCase{"NarrowNoBreakSpaces", "0491\u202F570\u202F156", "AU", {"+61491570156"}},
        ValidCase{"NoBreakSpaces", "0491\u00A0570\u00A0156", "AU", {"+61491570156"}},
        ValidCase{"ThinAndIdeographicSpaces", "0491\u2009570\u3000156", "AU", {"+61491570156"}},
        ValidCase{"Tabs", "0491\t570\t156", "AU", {"+61491570156"}},
        ValidCase{"LeftToRightMark", "+61 491\u200E 570 156", "AU", {"+61491570156"}},
        ValidCase{"RightToLeftMarkInsideDigits", "04\u200F91 570 156", "AU", {"+61491570156"}},
        ValidCase{"BidiEmbedding", "\u202A+61 491 570 156\u202C", "AU", {"+61491570156"}},
        ValidCase{"BidiIsolate", "\u2066+61 491 570 156\u2069", "AU", {"+61491570156"}},
        ValidCase{"ZeroWidthJoinerAndSpace", "0491\u200D570\u200B156", "AU", {"+61491570156"}},
        ValidCase{"ByteOrderMark", "\uFEFF0491 570 156", "AU", {"+61491570156"}},
        ValidCase{"VariationSelector", "0491 570 156\uFE0F", "AU", {"+61491570156"}},
        ValidCase{"SoftHyphen", "0491\u00AD570\u00AD156", "AU", {"+61491570156"}},
        ValidCase{"FullWidthDigits", "\uFF10\uFF14\uFF19\uFF11 \uFF15\uFF17\uFF10 \uFF11\uFF15\uFF16", "AU",
                  {"+61491570156"}},
        ValidCase{"FullWidthPlus", "\uFF0B61 491 570 156", "AU", {"+61491570156"}},
        ValidCase{"ArabicIndicDigits", "\u0660\u0664\u0669\u0661\u0665\u0667\u0660\u0661\u0665\u0666", "AU",
                  {"+61491570156"}},
        ValidCase{"ExtendedArabicIndicDigits",
                  "\u06F0\u06F4\u06F9\u06F1\u06F5\u06F7\u06F0\u06F1\u06F5\u06F6", "AU", {"+61491570156"}},
        ValidCase{"DevanagariDigits", "\u0966\u096A\u096F\u0967\u096B\u096D\u0966\u0967\u096B\u096C", "AU",
                  {"+61491570156"}},
        ValidCase{"EnDashesAndMinusSign", "0491\u2013570\u2212156", "AU", {"+61491570156"}}),
    CaseName);

INSTANTIATE_TEST_SUITE_P(
    Labels, NormalizesToKeys,
    testing::Values(
        ValidCase{"NameInBracketsAfter", "0491 570 156 (Bob)", "AU", {"+61491570156"}},
        ValidCase{"NameInSquareBrackets", "0491 570 156 [work]", "AU", {"+61491570156"}},
        ValidCase{"LabelBefore", "mobile: 0491 570 156", "AU", {"+61491570156"}},
        ValidCase{"NameAfter", "0491 570 156 Bob", "AU", {"+61491570156"}},
        ValidCase{"NameBefore", "Bob 0491 570 156", "AU", {"+61491570156"}},
        ValidCase{"LabelWithDot", "Tel. 0491 570 156", "AU", {"+61491570156"}},
        ValidCase{"NonLatinLabel", "\u0442\u0435\u043B: 0491 570 156", "AU", {"+61491570156"}},
        ValidCase{"SymbolLabel", "\u260E 0491 570 156", "AU", {"+61491570156"}},
        ValidCase{"QuotedValue", "\"0491 570 156\"", "AU", {"+61491570156"}}),
    CaseName);

INSTANTIATE_TEST_SUITE_P(
    UrisAndMessagingIds, NormalizesToKeys,
    testing::Values(
        ValidCase{"TelUri", "tel:+61-491-570-156", "AU", {"+61491570156"}},
        ValidCase{"TelUriWithPhoneContext", "tel:0491570156;phone-context=+61", "US", {"+61491570156"}},
        ValidCase{"SipUri", "sip:+61491570156@sip.example.com;user=phone", "AU", {"+61491570156"}},
        ValidCase{"CalltoUri", "callto:+61491570156", "AU", {"+61491570156"}},
        ValidCase{"WhatsAppJid", "61491570156@s.whatsapp.net", "AU", {"+61491570156"}},
        ValidCase{"WhatsAppJidWithDevice", "61491570156:12@s.whatsapp.net", "AU", {"+61491570156"}},
        ValidCase{"WhatsAppJidWithAgentAndDevice", "61491570156.0:3@s.whatsapp.net", "US",
                  {"+61491570156"}},
        ValidCase{"WhatsAppWebId", "61491570156@c.us", "AU", {"+61491570156"}},
        ValidCase{"WaMeLink", "https://wa.me/61491570156", "AU", {"+61491570156"}}),
    CaseName);

INSTANTIATE_TEST_SUITE_P(
    InternationalPrefix, NormalizesToKeys,
    testing::Values(
        ValidCase{"EuropeanPrefixInAustralia", "0061 491 570 156", "AU", {"+61491570156"}},
        ValidCase{"EuropeanPrefixForeignNumber", "0044 20 7946 0958", "AU", {"+442079460958"}},
        ValidCase{"AustralianPrefixInAustralia", "0011 61 491 570 156", "AU", {"+61491570156"}},
        ValidCase{"EuropeanPrefixInGermany", "0061 491 570 156", "DE", {"+61491570156"}}),
    CaseName);

INSTANTIATE_TEST_SUITE_P(
    Spreadsheet, NormalizesToKeys,
    testing::Values(
        ValidCase{"TrailingPointZero", "61491570156.0", "AU", {"+61491570156"}},
        ValidCase{"TrailingPointZeros", "491570156.00", "AU", {"+61491570156"}},
        ValidCase{"LeadingApostrophe", "'0491570156", "AU", {"+61491570156"}},
        ValidCase{"FormulaWithQuotes", "=\"0491570156\"", "AU", {"+61491570156"}},
        ValidCase{"ExactScientific", "6.1491570156E+10", "AU", {"+61491570156"}},
        ValidCase{"ExactScientificLowercase", "6.1491570156e10", "AU", {"+61491570156"}},
        ValidCase{"ExactScientificDecimalComma", "6,1491570156E+10", "AU", {"+61491570156"}}),
    CaseName);

INSTANTIATE_TEST_SUITE_P(
    Splitting, NormalizesToKeys,
    testing::Values(
        ValidCase{"SlashBetweenTwoNumbers", "0491 570 156 / 02 5550 1234", "AU",
                  {"+61491570156", "+61255501234"}},
        ValidCase{"SemicolonBetweenTwoNumbers", "0491 570 156; 02 5550 1234", "AU",
                  {"+61491570156", "+61255501234"}},
        ValidCase{"CommaBetweenTwoNumbers", "0491 570 156, 02 5550 1234", "AU",
                  {"+61491570156", "+61255501234"}},
        ValidCase{"WordOrBetweenTwoNumbers", "0491 570 156 or 02 5550 1234", "AU",
                  {"+61491570156", "+61255501234"}},
        ValidCase{"TripleColonBetweenTwoNumbers", "0491 570 156 ::: 02 5550 1234", "AU",
                  {"+61491570156", "+61255501234"}},
        ValidCase{"NewlineBetweenTwoNumbers", "0491 570 156\n02 5550 1234", "AU",
                  {"+61491570156", "+61255501234"}},
        ValidCase{"LabelsBetweenTwoNumbers", "mobile 0491 570 156 home 02 5550 1234", "AU",
                  {"+61491570156", "+61255501234"}},
        ValidCase{"PlusStartsSecondNumber", "+61 491 570 156 +61 2 5550 1234", "AU",
                  {"+61491570156", "+61255501234"}},
        ValidCase{"OnlySpaceBetweenTwoNumbers", "0491 570 156 02 5550 1234", "AU",
                  {"+61491570156", "+61255501234"}},
        ValidCase{"OnlySpaceBetweenUnformattedNumbers", "0491570156 0255501234", "AU",
                  {"+61491570156", "+61255501234"}},
        ValidCase{"SameNumberTwiceGivesOneKey", "0491 570 156 / +61 491 570 156", "AU", {"+61491570156"}},
        ValidCase{"ThreeUsNumbersWithSlashes", "310-475-3585 / 212-319-1660 / 213-651-2030", "US",
                  {"+13104753585", "+12123191660", "+12136512030"}}),
    CaseName);

// A raw value, its region, and the reason it must be rejected with.
struct RejectedCase {
  std::string name;
  std::string raw;
  std::string region;
  std::string_view reason;
};

std::string RejectedName(const testing::TestParamInfo<RejectedCase>& info) { return info.param.name; }
void PrintTo(const RejectedCase& c, std::ostream* os) { *os << c.name; }

class RejectsWithReason : public testing::TestWithParam<RejectedCase> {};

TEST_P(RejectsWithReason, GivesNoKeyAndReason) {
  const PhoneNormalizer normalizer;
  const RejectedCase& c = GetParam();
  const PhoneFieldResult result = normalizer.Normalize(c.raw, c.region);
  EXPECT_FALSE(result.valid()) << "raw: " << c.raw << " gave " << testing::PrintToString(KeysOf(result));
  EXPECT_EQ(result.reason(), c.reason) << "raw: " << c.raw;
}

INSTANTIATE_TEST_SUITE_P(
    EmptyLike, RejectsWithReason,
    testing::Values(RejectedCase{"Blank", "", "AU", reason::kEmpty},
                    RejectedCase{"OnlySpaces", " \t \u00A0", "AU", reason::kEmpty},
                    RejectedCase{"OnlyInvisible", "\u200E\uFEFF", "AU", reason::kEmpty},
                    RejectedCase{"NotApplicable", "N/A", "AU", reason::kEmpty},
                    RejectedCase{"Dash", "-", "AU", reason::kEmpty},
                    RejectedCase{"Dashes", "--", "AU", reason::kEmpty},
                    RejectedCase{"NoneWord", "none", "AU", reason::kEmpty},
                    RejectedCase{"NullUppercase", "NULL", "AU", reason::kEmpty},
                    RejectedCase{"UnknownWord", "Unknown", "AU", reason::kEmpty}),
    RejectedName);

INSTANTIATE_TEST_SUITE_P(
    Invalid, RejectsWithReason,
    testing::Values(
        RejectedCase{"UnassignedAustralianRange", "04 53723959", "AU", reason::kNotAValidNumber},
        RejectedCase{"InvalidUsAreaCode", "100-813-8212", "US", reason::kNotAValidNumber},
        RejectedCase{"TruncatedFodorsValue", "310/788-", "US", reason::kTooShort},
        RejectedCase{"TooLong", "0491570156 0491", "AU", reason::kTooLong},
        RejectedCase{"UnknownCountryCode", "+999 123 456 789", "AU", reason::kInvalidCountryCode},
        RejectedCase{"VanityLettersNeverBecomeDigits", "1-800-FLOWERS", "US", reason::kTooShort},
        RejectedCase{"LettersInsideNumber", "0491 57O 156", "AU", reason::kNotAValidNumber},
        RejectedCase{"UnknownRegion", "0491 570 156", "XX", reason::kUnknownRegion}),
    RejectedName);

INSTANTIATE_TEST_SUITE_P(
    NotAPhone, RejectsWithReason,
    testing::Values(RejectedCase{"OnlyAName", "Bob", "AU", reason::kNotAPhone},
                    RejectedCase{"WhatsAppLid", "123456789012345@lid", "AU", reason::kNotAPhone},
                    RejectedCase{"WhatsAppGroup", "61491570156-1600000000@g.us", "AU", reason::kNotAPhone},
                    RejectedCase{"EmailAddress", "bob@example.com", "AU", reason::kNotAPhone},
                    RejectedCase{"EmailWithDigits", "61491570156@example.com", "AU", reason::kNotAPhone}),
    RejectedName);

INSTANTIATE_TEST_SUITE_P(
    Spreadsheet, RejectsWithReason,
    testing::Values(
        RejectedCase{"RoundedScientific", "6.14916E+10", "AU", reason::kLossySpreadsheetValue},
        RejectedCase{"RoundedScientificLowercase", "6.14916e+10", "AU", reason::kLossySpreadsheetValue},
        RejectedCase{"ScientificWithoutFraction", "6E+10", "AU", reason::kLossySpreadsheetValue},
        RejectedCase{"RoundedScientificUs", "3.10246E+09", "US", reason::kLossySpreadsheetValue}),
    RejectedName);

INSTANTIATE_TEST_SUITE_P(
    Placeholders, RejectsWithReason,
    testing::Values(RejectedCase{"AllZeros", "0000000000", "AU", reason::kPlaceholder},
                    RejectedCase{"AllNines", "9999999999", "US", reason::kPlaceholder},
                    RejectedCase{"SameDigitNational", "+61 444 444 444", "AU", reason::kPlaceholder},
                    RejectedCase{"AscendingFromZero", "0123456789", "AU", reason::kPlaceholder},
                    RejectedCase{"AscendingWrapping", "1234567890", "US", reason::kPlaceholder},
                    RejectedCase{"AscendingFormatted", "(123) 456-7890", "US", reason::kPlaceholder},
                    RejectedCase{"DescendingRun", "9876543210", "US", reason::kPlaceholder},
                    RejectedCase{"AscendingNationalAfterCode", "+61 123 456 789", "AU",
                                 reason::kPlaceholder}),
    RejectedName);

INSTANTIATE_TEST_SUITE_P(
    ShortCodes, RejectsWithReason,
    testing::Values(RejectedCase{"AustralianEmergency", "000", "AU", reason::kShortCode},
                    RejectedCase{"UsEmergency", "911", "US", reason::kShortCode},
                    RejectedCase{"InternationalEmergency", "112", "AU", reason::kShortCode},
                    RejectedCase{"InternationalEmergencyInGermany", "112", "DE", reason::kShortCode},
                    RejectedCase{"UsServiceCode", "411", "US", reason::kShortCode}),
    RejectedName);

// The extension is kept apart from the key, and a marker without digits
// leaves none.
struct ExtensionCase {
  std::string name;
  std::string raw;
  std::string extension;
};

std::string ExtensionName(const testing::TestParamInfo<ExtensionCase>& info) { return info.param.name; }
void PrintTo(const ExtensionCase& c, std::ostream* os) { *os << c.name; }

class KeepsExtension : public testing::TestWithParam<ExtensionCase> {};

TEST_P(KeepsExtension, KeyWithoutExtension) {
  const PhoneNormalizer normalizer;
  const ExtensionCase& c = GetParam();
  const PhoneFieldResult result = normalizer.Normalize(c.raw, "AU");
  ASSERT_EQ(KeysOf(result), std::vector<std::string>{"+61491570156"}) << "raw: " << c.raw;
  EXPECT_EQ(result.numbers.front().extension, c.extension) << "raw: " << c.raw;
}

INSTANTIATE_TEST_SUITE_P(
    Markers, KeepsExtension,
    testing::Values(ExtensionCase{"BareHash", "0491 570 156#", ""},
                    ExtensionCase{"HashWithDigits", "0491 570 156 #12", "12"},
                    ExtensionCase{"LowercaseX", "0491 570 156 x12", "12"},
                    ExtensionCase{"BareX", "0491 570 156 x", ""},
                    ExtensionCase{"ExtWithDot", "0491 570 156 ext. 345", "345"},
                    ExtensionCase{"ExtensionWord", "0491 570 156 extension 7", "7"},
                    ExtensionCase{"DoubleCommaPause", "0491570156,,34", "34"},
                    ExtensionCase{"TripleCommaPause", "0491570156,,,34", "34"},
                    ExtensionCase{"BareDoubleComma", "0491570156,,", ""},
                    ExtensionCase{"Rfc3966Parameter", "0491570156;ext=77", "77"},
                    ExtensionCase{"TelUriParameter", "tel:+61491570156;ext=9", "9"},
                    ExtensionCase{"OptWord", "0491 570 156 opt 3", "3"},
                    ExtensionCase{"OptionWordWithColon", "0491 570 156 option: 2", "2"},
                    ExtensionCase{"ExtensionThenLabel", "0491 570 156 x12 (reception)", "12"}),
    ExtensionName);

TEST(PhoneSplitting, SlashInsideUsNumberKeepsOneNumber) {
  const PhoneNormalizer normalizer;
  const PhoneFieldResult result = normalizer.Normalize("310/246-1501", "US");
  ASSERT_EQ(result.numbers.size(), 1u);
  EXPECT_TRUE(result.rejected.empty());
}

TEST(PhoneSplitting, ReportsInvalidPieceBesideValidOnes) {
  const PhoneNormalizer normalizer;
  const PhoneFieldResult result = normalizer.Normalize("0491 570 156 / 02 5550 1234 / 0000", "AU");
  EXPECT_EQ(KeysOf(result), (std::vector<std::string>{"+61491570156", "+61255501234"}));
  ASSERT_EQ(result.rejected.size(), 1u);
  EXPECT_EQ(result.rejected.front().piece, "0000");
  EXPECT_EQ(result.rejected.front().reason, reason::kTooShort);
}

TEST(PhoneSplitting, ExtensionBelongsToLastNumber) {
  const PhoneNormalizer normalizer;
  const PhoneFieldResult result = normalizer.Normalize("02 5550 1234 / 0491 570 156 x 8", "AU");
  ASSERT_EQ(result.numbers.size(), 2u);
  EXPECT_EQ(result.numbers[0].extension, "");
  EXPECT_EQ(result.numbers[1].extension, "8");
}

TEST(PhoneSplitting, ReportsEveryTopLevelFieldOfFirstNumber) {
  const PhoneNormalizer normalizer;
  const PhoneFieldResult result = normalizer.Normalize("0491 570 156", "AU");
  ASSERT_EQ(result.numbers.size(), 1u);
  const NormalizedPhone& number = result.numbers.front();
  EXPECT_EQ(number.e164, "+61491570156");
  EXPECT_EQ(number.national, "0491 570 156");
  EXPECT_EQ(number.country, "AU");
  EXPECT_FALSE(number.region_fallback);
}

TEST(PhoneFallback, KeepsKeyFromSingleMatchingFallback) {
  const PhoneNormalizer normalizer(PhoneOptions{{"NZ", "AU"}, {}});
  const PhoneFieldResult result = normalizer.Normalize("0491 570 156", "US");
  ASSERT_EQ(KeysOf(result), std::vector<std::string>{"+61491570156"});
  EXPECT_TRUE(result.numbers.front().region_fallback);
  EXPECT_EQ(result.numbers.front().country, "AU");
}

TEST(PhoneFallback, RejectsNumberValidInTwoFallbacks) {
  const PhoneNormalizer normalizer(PhoneOptions{{"AU", "DE"}, {}});
  const PhoneFieldResult result = normalizer.Normalize("0491 570 156", "US");
  EXPECT_FALSE(result.valid());
  EXPECT_EQ(result.reason(), reason::kAmbiguousRegion);
}

TEST(PhoneFallback, PrimaryRegionWinsOverFallbacks) {
  const PhoneNormalizer normalizer(PhoneOptions{{"DE"}, {}});
  const PhoneFieldResult result = normalizer.Normalize("0491 570 156", "AU");
  ASSERT_EQ(KeysOf(result), std::vector<std::string>{"+61491570156"});
  EXPECT_FALSE(result.numbers.front().region_fallback);
}

TEST(PhoneFallback, NoFallbackForPlaceholderOrShortCode) {
  const PhoneNormalizer normalizer(PhoneOptions{{"DE", "GB"}, {}});
  EXPECT_EQ(normalizer.Normalize("0000000000", "US").reason(), reason::kPlaceholder);
  EXPECT_EQ(normalizer.Normalize("911", "US").reason(), reason::kShortCode);
}

TEST(PhoneFallback, KeepsPrimaryReasonWhenNoFallbackMatches) {
  const PhoneNormalizer normalizer(PhoneOptions{{"NZ"}, {}});
  const PhoneFieldResult result = normalizer.Normalize("04 53723959", "AU");
  EXPECT_FALSE(result.valid());
  EXPECT_EQ(result.reason(), reason::kNotAValidNumber);
}

TEST(PhoneBlocklist, RejectsEntryInAnyFormat) {
  const PhoneNormalizer normalizer(PhoneOptions{{}, {"+61 2 5550 1234", "0491-570-157"}});
  EXPECT_EQ(normalizer.Normalize("(02) 5550 1234", "AU").reason(), reason::kPlaceholder);
  EXPECT_EQ(normalizer.Normalize("+61491570157", "AU").reason(), reason::kPlaceholder);
  EXPECT_EQ(KeysOf(normalizer.Normalize("0491 570 156", "AU")), std::vector<std::string>{"+61491570156"});
}

TEST(PhoneBlocklist, KeepsOtherNumbersOfSameField) {
  const PhoneNormalizer normalizer(PhoneOptions{{}, {"02 5550 1234"}});
  const PhoneFieldResult result = normalizer.Normalize("0491 570 156 / 02 5550 1234", "AU");
  EXPECT_EQ(KeysOf(result), std::vector<std::string>{"+61491570156"});
  ASSERT_EQ(result.rejected.size(), 1u);
  EXPECT_EQ(result.rejected.front().reason, reason::kPlaceholder);
}

std::vector<std::string> MixedInputs() {
  return {"0412 345 678", "+61 412 345 678", "0491\u202F570\u202F156", "0491 570 156 (Bob)",
          "0491 570 156#", "61491570156@s.whatsapp.net", "0061 491 570 156", "61491570156.0",
          "6.14916E+10", "0000000000", "000", "0491 570 156 / 02 5550 1234", "N/A", "",
          "310/246-1501", "Bob", "04 53723959", "0491 570 156 x12", "+999 123 456 789",
          "123@lid", "0491 570 156 / 0000"};
}

TEST(PhoneCache, GivesSameResultsAsUncached) {
  PhoneOptions cached_options{{"DE"}, {"0491 570 157"}};
  PhoneOptions uncached_options = cached_options;
  uncached_options.cache_capacity = 0;
  const PhoneNormalizer cached(cached_options);
  const PhoneNormalizer uncached(uncached_options);
  for (const char* region : {"AU", "US"}) {
    for (const std::string& raw : MixedInputs()) {
      const PhoneFieldResult expected = uncached.Normalize(raw, region);
      EXPECT_EQ(cached.Normalize(raw, region), expected) << "first call, raw: " << raw;
      EXPECT_EQ(cached.Normalize(raw, region), expected) << "cached call, raw: " << raw;
    }
  }
}

TEST(PhoneCache, KeysByRegion) {
  const PhoneNormalizer normalizer;
  EXPECT_TRUE(normalizer.Normalize("0491 570 156", "AU").valid());
  EXPECT_FALSE(normalizer.Normalize("0491 570 156", "US").valid());
}

TEST(PhoneCache, TinyCapacityStaysCorrect) {
  PhoneOptions options;
  options.cache_capacity = 1;
  const PhoneNormalizer tiny(options);
  const PhoneNormalizer reference;
  for (int round = 0; round < 3; ++round) {
    for (const std::string& raw : MixedInputs()) {
      EXPECT_EQ(tiny.Normalize(raw, "AU"), reference.Normalize(raw, "AU")) << "raw: " << raw;
    }
  }
}

TEST(PhoneConcurrency, ThreadsGetSameResultsAsOneThread) {
  const PhoneNormalizer reference(PhoneOptions{{"DE"}, {"0491 570 157"}});
  const PhoneNormalizer shared(PhoneOptions{{"DE"}, {"0491 570 157"}});
  const std::vector<std::string> inputs = MixedInputs();
  std::vector<PhoneFieldResult> expected;
  for (const std::string& raw : inputs) expected.push_back(reference.Normalize(raw, "AU"));

  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        for (size_t i = 0; i < inputs.size(); ++i) {
          if (!(shared.Normalize(inputs[i], "AU") == expected[i])) ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(PhoneRegion, KnowsRegionCodes) {
  EXPECT_TRUE(PhoneNormalizer::IsKnownRegion("AU"));
  EXPECT_TRUE(PhoneNormalizer::IsKnownRegion("US"));
  EXPECT_FALSE(PhoneNormalizer::IsKnownRegion("XX"));
  EXPECT_FALSE(PhoneNormalizer::IsKnownRegion(""));
}

}  // namespace
}  // namespace podium_dedup
