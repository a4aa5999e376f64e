// Tests of the splitting of a cleaned field into candidate numbers.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "phone/splitting.h"

namespace podium_dedup::phone_internal {
namespace {

struct SplitCase {
  std::string name;
  std::string field;
  // Each candidate as its parts joined by " / ", then "#" and its extension.
  std::vector<std::string> candidates;
};

void PrintTo(const SplitCase& c, std::ostream* os) { *os << c.name; }

std::vector<std::string> Describe(const std::vector<Candidate>& candidates) {
  std::vector<std::string> described;
  for (const Candidate& candidate : candidates) {
    described.push_back(candidate.Joined() + "#" + candidate.extension);
  }
  return described;
}

class SplitsField : public testing::TestWithParam<SplitCase> {};

TEST_P(SplitsField, GivesExpectedCandidates) {
  EXPECT_EQ(Describe(SplitPhoneField(GetParam().field)), GetParam().candidates);
}

INSTANTIATE_TEST_SUITE_P(
    Splitting, SplitsField,
    testing::Values(
        SplitCase{"OneNumber", "0491 570 156", {"0491 570 156#"}},
        SplitCase{"BracketedAreaCodeStays", "(02) 5550-1234", {"(02) 5550-1234#"}},
        SplitCase{"SlashIsWeak", "310/246-1501", {"310 / 246-1501#"}},
        SplitCase{"CommaIsWeak", "0491570156,0255501234", {"0491570156 / 0255501234#"}},
        SplitCase{"DoubleCommaIsExtension", "0491570156,,12", {"0491570156#12"}},
        SplitCase{"SemicolonSplits", "0491 570 156;02 5550 1234", {"0491 570 156#", "02 5550 1234#"}},
        SplitCase{"SemicolonExtIsExtension", "0491570156;ext=7", {"0491570156#7"}},
        SplitCase{"NewlineSplits", "0491 570 156\n02 5550 1234", {"0491 570 156#", "02 5550 1234#"}},
        SplitCase{"WordOrSplits", "0491 570 156 or 02 5550 1234", {"0491 570 156#", "02 5550 1234#"}},
        SplitCase{"ColonsSplit", "0491 570 156 ::: 02 5550 1234", {"0491 570 156#", "02 5550 1234#"}},
        SplitCase{"BracketedLabelDropped", "0491 570 156 (Bob)", {"0491 570 156#"}},
        SplitCase{"LabelBeforeDropped", "mobile: 0491 570 156", {"0491 570 156#"}},
        SplitCase{"LettersNeverKept", "1-800-FLOWERS", {"1-800#"}},
        SplitCase{"HashWithoutDigits", "0491 570 156#", {"0491 570 156#"}},
        SplitCase{"XMarker", "0491 570 156 x 12", {"0491 570 156#12"}},
        SplitCase{"XBeforeAnyDigitsIsLabel", "x 0491 570 156", {"0491 570 156#"}},
        SplitCase{"OptionMarker", "0491 570 156 option 2", {"0491 570 156#2"}},
        SplitCase{"PlusAfterDigitsSplits", "+61 491 570 156 +61 2 5550 1234",
                  {"+61 491 570 156#", "+61 2 5550 1234#"}},
        SplitCase{"DialerPauseBetweenDigits", "0491570156p12", {"0491570156#12"}},
        SplitCase{"SpacedWIsLabel", "h 0491 570 156 w 02 5550 1234",
                  {"0491 570 156#", "02 5550 1234#"}},
        SplitCase{"NoDigitsNoCandidate", "Bob (work)", {}}));

}  // namespace
}  // namespace podium_dedup::phone_internal
