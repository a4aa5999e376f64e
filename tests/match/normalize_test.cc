// NormalizeName and NormalizeEmail: the comparison forms of names and emails.
#include <gtest/gtest.h>

#include <string>

#include "match/internal.h"
#include "podium_dedup/match.h"

namespace podium_dedup {
namespace {

struct NormalizeCase {
  const char* input;
  const char* expected;
};

class NormalizeNameTest : public ::testing::TestWithParam<NormalizeCase> {};

TEST_P(NormalizeNameTest, GivesComparisonForm) {
  EXPECT_EQ(NormalizeName(GetParam().input), GetParam().expected) << "input: " << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Names, NormalizeNameTest,
    ::testing::Values(
        NormalizeCase{"John Smith", "john smith"},
        NormalizeCase{"JOHN SMITH", "john smith"},
        NormalizeCase{"  John   Smith  ", "john smith"},
        NormalizeCase{"John\tSmith\n", "john smith"},
        NormalizeCase{"Smith, John", "john smith"},
        NormalizeCase{"Smith,John", "john smith"},
        NormalizeCase{"  smith ,  JOHN ", "john smith"},
        NormalizeCase{"Smith, John, Jr.", "smith, john, jr."},  // two commas: left in order
        NormalizeCase{"Smith,", "smith"},
        NormalizeCase{", John", "john"},
        NormalizeCase{"José", "jose"},
        NormalizeCase{"JOSÉ GARCÍA", "jose garcia"},
        NormalizeCase{"Jose\xCC\x81", "jose"},                          // e + combining acute (NFD input)
        NormalizeCase{"Zoë Ångström", "zoe angstrom"},
        NormalizeCase{"\xEF\xBC\xAA\xEF\xBD\x8F\xEF\xBD\x88\xEF\xBD\x8E", "john"},  // full-width "Ｊｏｈｎ"
        NormalizeCase{"John\xC2\xA0Smith", "john smith"},               // no-break space
        NormalizeCase{"John\xE3\x80\x80Smith", "john smith"},           // ideographic space
        NormalizeCase{"Straße", "strasse"},                              // full case folding
        NormalizeCase{"Müller, Jürgen", "jurgen muller"},
        NormalizeCase{"山田 太郎", "山田 太郎"},
        NormalizeCase{"", ""},
        NormalizeCase{"   ", ""},
        NormalizeCase{"-", ""},
        NormalizeCase{" , ", ""}));

TEST(NormalizeName, AsciiAndUnicodePathsAgree) {
  // "É" forces the ICU path; the rest must fold exactly as the ASCII path does.
  EXPECT_EQ(NormalizeName("Smith, John  Q"), "john q smith");
  EXPECT_EQ(NormalizeName("Smith, John  Q\xC3\x89"), "john qe smith");
}

TEST(NormalizeName, InvalidUtf8DoesNotCrash) {
  const std::string name = NormalizeName("Jo\xFFhn");
  EXPECT_FALSE(name.empty());
}

TEST(FoldText, KeepsCommaOrder) {
  EXPECT_EQ(match_internal::FoldText("VIP, Gold"), "vip, gold");
  EXPECT_EQ(match_internal::FoldText(" Café  Regulars "), "cafe regulars");
}

class NormalizeEmailTest : public ::testing::TestWithParam<NormalizeCase> {};

TEST_P(NormalizeEmailTest, GivesComparisonKey) {
  EXPECT_EQ(NormalizeEmail(GetParam().input), GetParam().expected) << "input: " << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Emails, NormalizeEmailTest,
    ::testing::Values(
        NormalizeCase{"john@example.com", "john@example.com"},
        NormalizeCase{"  John.Smith@Example.COM ", "john.smith@example.com"},
        NormalizeCase{"john.smith+news@example.com", "john.smith+news@example.com"},  // other domains keep dots and tags
        NormalizeCase{"J.O.H.N@gmail.com", "john@gmail.com"},
        NormalizeCase{"john.smith+news@gmail.com", "johnsmith@gmail.com"},
        NormalizeCase{"john+a+b@gmail.com", "john@gmail.com"},
        NormalizeCase{"John.Smith@GoogleMail.com", "johnsmith@gmail.com"},
        NormalizeCase{"johnsmith@googlemail.com", "johnsmith@gmail.com"},
        NormalizeCase{"john@mail.gmail.com", "john@mail.gmail.com"},  // only the exact domains
        NormalizeCase{"+news@gmail.com", ""},
        NormalizeCase{"...@gmail.com", ""},
        NormalizeCase{"", ""},
        NormalizeCase{"   ", ""},
        NormalizeCase{"john", ""},
        NormalizeCase{"john@", ""},
        NormalizeCase{"@example.com", ""},
        NormalizeCase{"john@@example.com", ""},
        NormalizeCase{"john@a@example.com", ""},
        NormalizeCase{"john smith@example.com", ""},
        NormalizeCase{"john@localhost", ""},
        NormalizeCase{"john@.example.com", ""},
        NormalizeCase{"john@example.com.", ""},
        NormalizeCase{"john@example..com", ""}));

TEST(NormalizeEmail, IsIdempotent) {
  for (const char* email : {"J.O.H.N+x@googlemail.com", "Mary@Example.org"}) {
    const std::string once = NormalizeEmail(email);
    EXPECT_EQ(NormalizeEmail(once), once) << email;
  }
}

}  // namespace
}  // namespace podium_dedup
