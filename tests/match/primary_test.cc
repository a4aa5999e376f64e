// SelectPrimary, OptOutUnion and the timestamps that order primaries.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "match/internal.h"
#include "podium_dedup/match.h"

namespace podium_dedup {
namespace {

using match_internal::Instant;
using match_internal::ParseTimestamp;

IndexedContact Member(const std::string& uid, int field_count, const std::string& updated_at) {
  IndexedContact member;
  member.contact.uid = uid;
  member.contact.updated_at = updated_at;
  member.field_count = field_count;
  return member;
}

std::string Primary(const std::vector<IndexedContact>& members) {
  std::vector<const IndexedContact*> pointers;
  for (const IndexedContact& member : members) pointers.push_back(&member);
  return SelectPrimary(pointers);
}

TEST(SelectPrimary, MostFieldsWins) {
  EXPECT_EQ(Primary({Member("a", 3, "2026-01-01T00:00:00Z"), Member("b", 5, "2020-01-01T00:00:00Z")}), "b");
}

TEST(SelectPrimary, FieldCountTieGoesToNewest) {
  EXPECT_EQ(Primary({Member("a", 4, "2026-01-01T00:00:00Z"), Member("b", 4, "2026-01-02T00:00:00Z")}), "b");
}

TEST(SelectPrimary, FullTieGoesToLowestUid) {
  EXPECT_EQ(Primary({Member("c", 4, "2026-01-01T00:00:00Z"), Member("a", 4, "2026-01-01T00:00:00Z"),
                     Member("b", 4, "2026-01-01T00:00:00Z")}),
            "a");
}

TEST(SelectPrimary, UidOrderIsByteWise) {
  // Byte order puts upper case before lower case and ASCII before UTF-8 bytes.
  EXPECT_EQ(Primary({Member("b", 1, ""), Member("B", 1, "")}), "B");
  EXPECT_EQ(Primary({Member("\xC3\xA9", 1, ""), Member("z", 1, "")}), "z");
}

TEST(SelectPrimary, FractionalSecondsCount) {
  EXPECT_EQ(Primary({Member("a", 1, "2026-01-02T03:04:05.123Z"), Member("b", 1, "2026-01-02T03:04:05Z")}), "a");
}

TEST(SelectPrimary, OffsetsAreConvertedToUtc) {
  // 04:00+02:00 is 02:00 UTC, earlier than 03:00Z although it reads later.
  EXPECT_EQ(Primary({Member("a", 1, "2026-01-02T04:00:00+02:00"), Member("b", 1, "2026-01-02T03:00:00Z")}), "b");
  // The same instant written two ways is a tie, so the lowest uid wins.
  EXPECT_EQ(Primary({Member("b", 1, "2026-01-02T03:04:05+00:00"), Member("a", 1, "2026-01-02T03:04:05Z")}), "a");
}

TEST(SelectPrimary, UnparseableTimestampIsOldest) {
  EXPECT_EQ(Primary({Member("a", 1, ""), Member("b", 1, "1970-01-01T00:00:00Z")}), "b");
  EXPECT_EQ(Primary({Member("a", 1, "yesterday"), Member("b", 1, "1900-01-01T00:00:00Z")}), "b");
  EXPECT_EQ(Primary({Member("b", 1, "garbage"), Member("a", 1, "")}), "a");
}

TEST(SelectPrimary, ZeroFieldCountFallsBackToContact) {
  IndexedContact rich = Member("b", 0, "");
  rich.contact.name = "Ann";
  rich.contact.emails = {"ann@example.com"};
  EXPECT_EQ(Primary({Member("a", 1, "2026-01-01T00:00:00Z"), rich}), "b");
}

TEST(SelectPrimary, NoMembersGivesEmpty) {
  EXPECT_EQ(SelectPrimary({}), "");
}

TEST(OptOutUnion, AnyMemberSetsFlag) {
  IndexedContact a = Member("a", 1, "");
  IndexedContact b = Member("b", 1, "");
  IndexedContact c = Member("c", 1, "");
  a.contact.marketing_opt_out = true;
  c.contact.email_opt_out = true;
  const OptOuts out = OptOutUnion({&a, &b, &c});
  EXPECT_TRUE(out.marketing);
  EXPECT_FALSE(out.sms);
  EXPECT_TRUE(out.email);
}

TEST(OptOutUnion, NoOptOutsGivesNone) {
  IndexedContact a = Member("a", 1, "");
  IndexedContact b = Member("b", 1, "");
  const OptOuts out = OptOutUnion({&a, &b});
  EXPECT_FALSE(out.marketing);
  EXPECT_FALSE(out.sms);
  EXPECT_FALSE(out.email);
}

struct TimestampCase {
  const char* text;
  std::optional<Instant> expected;
};

class ParseTimestampTest : public ::testing::TestWithParam<TimestampCase> {};

TEST_P(ParseTimestampTest, ParsesIso8601) {
  EXPECT_EQ(ParseTimestamp(GetParam().text), GetParam().expected) << "input: " << GetParam().text;
}

// 2026-01-02T03:04:05Z is 1767323045 seconds after the epoch.
INSTANTIATE_TEST_SUITE_P(
    Timestamps, ParseTimestampTest,
    ::testing::Values(
        TimestampCase{"1970-01-01T00:00:00Z", Instant{0, 0}},
        TimestampCase{"2026-01-02T03:04:05Z", Instant{1767323045, 0}},
        TimestampCase{"2026-01-02T03:04:05", Instant{1767323045, 0}},
        TimestampCase{"2026-01-02 03:04:05z", Instant{1767323045, 0}},
        TimestampCase{"2026-01-02T03:04:05.123Z", Instant{1767323045, 123000000}},
        TimestampCase{"2026-01-02T03:04:05.123456789123Z", Instant{1767323045, 123456789}},
        TimestampCase{"2026-01-02T03:04:05+00:00", Instant{1767323045, 0}},
        TimestampCase{"2026-01-02T05:04:05+02:00", Instant{1767323045, 0}},
        TimestampCase{"2026-01-02T05:04:05+0200", Instant{1767323045, 0}},
        TimestampCase{"2026-01-02T05:04:05+02", Instant{1767323045, 0}},
        TimestampCase{"2026-01-01T22:04:05.5-05:00", Instant{1767323045, 500000000}},
        TimestampCase{"2026-01-02T03:04Z", Instant{1767323040, 0}},
        TimestampCase{"2026-01-02", Instant{1767312000, 0}},
        TimestampCase{"1969-12-31T23:59:59Z", Instant{-1, 0}},
        TimestampCase{"2024-02-29T00:00:00Z", Instant{1709164800, 0}},
        TimestampCase{"2026-02-29T00:00:00Z", std::nullopt},
        TimestampCase{"2026-13-01T00:00:00Z", std::nullopt},
        TimestampCase{"2026-01-02T24:00:00Z", std::nullopt},
        TimestampCase{"2026-01-02T03:04:05.Z", std::nullopt},
        TimestampCase{"2026-01-02T03:04:05ZZ", std::nullopt},
        TimestampCase{"2026-01-02X03:04:05Z", std::nullopt},
        TimestampCase{"26-01-02", std::nullopt},
        TimestampCase{"", std::nullopt},
        TimestampCase{"not a date", std::nullopt}));

}  // namespace
}  // namespace podium_dedup
