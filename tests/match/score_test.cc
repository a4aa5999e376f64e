// Pair scores and auto-merge decisions for two-contact clusters.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "podium_dedup/match.h"
#include "test_contacts.h"

namespace podium_dedup {
namespace {

using testing::Phone;
using testing::Row;

constexpr const char* kNumber = "+15035550100";
constexpr const char* kOtherNumber = "+15035550199";

bool HasReason(const Cluster& cluster, std::string_view reason) {
  return std::find(cluster.review_reasons.begin(), cluster.review_reasons.end(), reason) !=
         cluster.review_reasons.end();
}

// The single cluster of two rows; fails the test when there is not exactly one.
Cluster ClusterOf(const IndexedContact& a, const IndexedContact& b, const MatchOptions& options = {}) {
  const std::vector<Cluster> clusters = FindClusters({a, b}, options);
  EXPECT_EQ(clusters.size(), 1u);
  return clusters.empty() ? Cluster{} : clusters.front();
}

struct ScoreCase {
  const char* behaviour;
  IndexedContact a;
  IndexedContact b;
  double score;
  bool auto_merge;
  std::vector<std::string_view> reasons;
};

class PairScoreTest : public ::testing::TestWithParam<ScoreCase> {};

TEST_P(PairScoreTest, ScoresAndDecides) {
  const ScoreCase& c = GetParam();
  const Cluster cluster = ClusterOf(c.a, c.b);
  ASSERT_EQ(cluster.evidence.size(), 1u) << c.behaviour;
  EXPECT_DOUBLE_EQ(cluster.evidence.front().score, c.score) << c.behaviour;
  EXPECT_DOUBLE_EQ(cluster.confidence, c.score) << c.behaviour;
  EXPECT_EQ(cluster.auto_merge, c.auto_merge) << c.behaviour;
  const std::vector<std::string> expected_reasons(c.reasons.begin(), c.reasons.end());
  EXPECT_EQ(cluster.review_reasons, expected_reasons) << c.behaviour;
}

// Names: "Ann Lee" on both sides is the same name; "Bo Park" differs.
INSTANTIATE_TEST_SUITE_P(
    Factors, PairScoreTest,
    ::testing::Values(
        ScoreCase{"phone only, different names", Row("a").Name("Ann Lee").AddPhone(kNumber),
                  Row("b").Name("Bo Park").AddPhone(kNumber), 0.60, false, {"below_threshold", "name_mismatch"}},
        ScoreCase{"phone only, one name empty", Row("a").Name("Ann Lee").AddPhone(kNumber), Row("b").AddPhone(kNumber),
                  0.60, false, {"below_threshold"}},
        ScoreCase{"phone only, both names empty", Row("a").AddPhone(kNumber), Row("b").AddPhone(kNumber), 0.60, false,
                  {"below_threshold"}},
        ScoreCase{"phone and name reach the threshold exactly", Row("a").Name("Ann Lee").AddPhone(kNumber),
                  Row("b").Name("LEE, ANN").AddPhone(kNumber), 0.80, true, {}},
        ScoreCase{"phone, name and tags", Row("a").Name("Ann Lee").AddPhone(kNumber).TagUid("t1"),
                  Row("b").Name("Ann Lee").AddPhone(kNumber).TagUid("t1"), 0.85, true, {}},
        ScoreCase{"phone, name and email", Row("a").Name("Ann Lee").AddPhone(kNumber).Email("ann@example.com"),
                  Row("b").Name("Ann Lee").AddPhone(kNumber).Email("ANN@example.com"), 0.95, true, {}},
        ScoreCase{"every factor is capped at 1.0",
                  Row("a").Name("Ann Lee").AddPhone(kNumber).AddPhone(kOtherNumber).Email("ann@example.com").TagUid("t1"),
                  Row("b").Name("Ann Lee").AddPhone(kNumber).AddPhone(kOtherNumber).Email("ann@example.com").TagUid("t1"),
                  1.00, true, {}},
        ScoreCase{"phone and email, one name empty", Row("a").Name("Ann Lee").AddPhone(kNumber).Email("ann@example.com"),
                  Row("b").AddPhone(kNumber).Email("ann@example.com"), 0.75, false, {"below_threshold"}},
        ScoreCase{"phone, email and tags, one name empty",
                  Row("a").Name("Ann Lee").AddPhone(kNumber).Email("ann@example.com").TagUid("t1"),
                  Row("b").AddPhone(kNumber).Email("ann@example.com").TagUid("t1"), 0.80, true, {}},
        ScoreCase{"phone, email and tags under different names",
                  Row("a").Name("Ann Lee").AddPhone(kNumber).Email("family@example.com").TagUid("t1"),
                  Row("b").Name("Bo Lee").AddPhone(kNumber).Email("family@example.com").TagUid("t1"), 0.80, false,
                  {"name_mismatch"}},
        ScoreCase{"two restaurants behind one number with the same tag",
                  Row("a").Name("Campanile").AddPhone(kNumber).TagLabel("American"),
                  Row("b").Name("The Grill").AddPhone(kNumber).TagLabel("american"), 0.65, false,
                  {"below_threshold", "name_mismatch"}},
        ScoreCase{"email only, no names", Row("a").Email("ann@example.com"), Row("b").Email("ann@example.com"), 0.50,
                  false, {"below_threshold", "email_only"}},
        ScoreCase{"email only, different names", Row("a").Name("Ann Lee").Email("ann@example.com"),
                  Row("b").Name("Bo Park").Email("ann@example.com"), 0.50, false,
                  {"below_threshold", "email_only", "name_mismatch"}},
        ScoreCase{"email and name", Row("a").Name("Ann Lee").Email("a.n.n@gmail.com"),
                  Row("b").Name("Ann Lee").Email("ann+shop@googlemail.com"), 0.70, false, {"below_threshold"}},
        ScoreCase{"email, name and tags stay below the threshold",
                  Row("a").Name("Ann Lee").Email("ann@example.com").TagUid("t1"),
                  Row("b").Name("Ann Lee").Email("ann@example.com").TagUid("t1"), 0.75, false, {"below_threshold"}},
        ScoreCase{"tags compare by uid, not label", Row("a").Name("Ann Lee").AddPhone(kNumber).TagUid("t1"),
                  Row("b").Name("Ann Lee").AddPhone(kNumber).TagUid("t2"), 0.80, true, {}},
        ScoreCase{"tag labels compare folded when the uid is empty",
                  Row("a").Name("Ann Lee").AddPhone(kNumber).TagLabel("Café  Regulars"),
                  Row("b").Name("Ann Lee").AddPhone(kNumber).TagLabel("cafe regulars"), 0.85, true, {}},
        ScoreCase{"diacritics and width do not break the name",
                  Row("a").Name("José Núñez").AddPhone(kNumber),
                  Row("b").Name("\xEF\xBC\xAA\x6F\x73\x65 Nunez").AddPhone(kNumber), 0.80, true, {}}),
    [](const ::testing::TestParamInfo<ScoreCase>& info) { return "Case" + std::to_string(info.index); });

TEST(Threshold, ScoreEqualToThresholdAutoMerges) {
  const IndexedContact a = Row("a").Name("Ann Lee").AddPhone(kNumber).TagUid("t1");
  const IndexedContact b = Row("b").Name("Ann Lee").AddPhone(kNumber).TagUid("t1");
  MatchOptions options;
  options.auto_merge_threshold = 0.85;
  EXPECT_TRUE(ClusterOf(a, b, options).auto_merge);
}

TEST(Threshold, InexactThresholdStillMatchesScore) {
  // 0.55 * 100 is 55.00000000000001 in double arithmetic, yet a pair scoring
  // 0.55 meets a 0.55 threshold. Only the email_only rule holds it back.
  const IndexedContact a = Row("a").Email("ann@example.com").TagUid("t1");
  const IndexedContact b = Row("b").Email("ann@example.com").TagUid("t1");
  MatchOptions options;
  options.auto_merge_threshold = 0.55;
  const Cluster cluster = ClusterOf(a, b, options);
  EXPECT_DOUBLE_EQ(cluster.confidence, 0.55);
  EXPECT_EQ(cluster.review_reasons, std::vector<std::string>{"email_only"});
}

TEST(Threshold, ScoreJustBelowThresholdGoesToReview) {
  const IndexedContact a = Row("a").Name("Ann Lee").AddPhone(kNumber);
  const IndexedContact b = Row("b").Name("Ann Lee").AddPhone(kNumber);
  MatchOptions options;
  options.auto_merge_threshold = 0.81;
  const Cluster cluster = ClusterOf(a, b, options);
  EXPECT_FALSE(cluster.auto_merge);
  EXPECT_TRUE(HasReason(cluster, "below_threshold"));
}

TEST(Threshold, LowerThresholdLetsEmailAndNameMerge) {
  const IndexedContact a = Row("a").Name("Ann Lee").Email("ann@example.com");
  const IndexedContact b = Row("b").Name("Ann Lee").Email("ann@example.com");
  MatchOptions options;
  options.auto_merge_threshold = 0.70;
  EXPECT_TRUE(ClusterOf(a, b, options).auto_merge);
}

TEST(Threshold, EmailWithoutNameNeverAutoMerges) {
  const IndexedContact a = Row("a").Email("ann@example.com").TagUid("t1");
  const IndexedContact b = Row("b").Email("ann@example.com").TagUid("t1");
  MatchOptions options;
  options.auto_merge_threshold = 0.10;
  const Cluster cluster = ClusterOf(a, b, options);
  EXPECT_FALSE(cluster.auto_merge);
  EXPECT_EQ(cluster.review_reasons, std::vector<std::string>{"email_only"});
}

TEST(Evidence, NamesEachFactor) {
  const Cluster cluster = ClusterOf(Row("b").Name("Ann Lee").AddPhone(kNumber).Email("ann@example.com").TagUid("t1"),
                                    Row("a").Name("Ann Lee").AddPhone(kNumber).Email("ann@example.com").TagUid("t1"));
  ASSERT_EQ(cluster.evidence.size(), 1u);
  const PairEvidence& evidence = cluster.evidence.front();
  EXPECT_EQ(evidence.uid_a, "a");
  EXPECT_EQ(evidence.uid_b, "b");
  EXPECT_TRUE(evidence.shared_phone);
  EXPECT_FALSE(evidence.shared_email_key);  // the pair also shares a number
  EXPECT_TRUE(evidence.same_name);
  EXPECT_TRUE(evidence.same_email);
  EXPECT_TRUE(evidence.overlapping_tags);
  EXPECT_FALSE(evidence.extension_mismatch);
  EXPECT_FALSE(evidence.region_fallback);
  EXPECT_FALSE(evidence.name_mismatch);
  EXPECT_EQ(evidence.shared_keys, (std::vector<std::string>{kNumber, "ann@example.com"}));
}

TEST(Evidence, EmailLinkIsMarkedAsEmailKey) {
  const Cluster cluster = ClusterOf(Row("a").Email("ann@example.com"), Row("b").Email("Ann@Example.com"));
  ASSERT_EQ(cluster.evidence.size(), 1u);
  EXPECT_TRUE(cluster.evidence.front().shared_email_key);
  EXPECT_TRUE(cluster.evidence.front().same_email);
  EXPECT_FALSE(cluster.evidence.front().shared_phone);
  EXPECT_EQ(cluster.natural_keys, std::vector<std::string>{"ann@example.com"});
}

TEST(Evidence, EmailsReadFromContactToo) {
  IndexedContact a = Row("a").Name("Ann Lee");
  IndexedContact b = Row("b").Name("Ann Lee");
  a.contact.emails = {"Ann@Example.com"};
  b.email_keys = {"ann@example.com"};
  const Cluster cluster = ClusterOf(a, b);
  EXPECT_DOUBLE_EQ(cluster.confidence, 0.70);
}

TEST(ExtensionMismatch, DifferentExtensionsGiveNoPhonePoints) {
  const Cluster cluster = ClusterOf(Row("a").Name("Ann Lee").AddPhone(Phone(kNumber, "12")),
                                    Row("b").Name("Ann Lee").AddPhone(Phone(kNumber, "34")));
  ASSERT_EQ(cluster.evidence.size(), 1u);
  EXPECT_FALSE(cluster.evidence.front().shared_phone);
  EXPECT_TRUE(cluster.evidence.front().extension_mismatch);
  EXPECT_DOUBLE_EQ(cluster.confidence, 0.20);
  EXPECT_EQ(cluster.natural_keys, std::vector<std::string>{kNumber});
  EXPECT_EQ(cluster.review_reasons, (std::vector<std::string>{"below_threshold", "extension_mismatch"}));
}

TEST(ExtensionMismatch, MissingExtensionIsCompatible) {
  const Cluster cluster = ClusterOf(Row("a").Name("Ann Lee").AddPhone(Phone(kNumber, "12")),
                                    Row("b").Name("Ann Lee").AddPhone(Phone(kNumber)));
  EXPECT_DOUBLE_EQ(cluster.confidence, 0.80);
  EXPECT_TRUE(cluster.auto_merge);
}

TEST(ExtensionMismatch, SameExtensionIsCompatible) {
  const Cluster cluster = ClusterOf(Row("a").Name("Ann Lee").AddPhone(Phone(kNumber, "12")),
                                    Row("b").Name("Ann Lee").AddPhone(Phone(kNumber, "12")));
  EXPECT_TRUE(cluster.auto_merge);
}

TEST(ExtensionMismatch, BlocksMergeEvenWithAnotherSharedNumber) {
  const Cluster cluster =
      ClusterOf(Row("a").Name("Ann Lee").AddPhone(Phone(kNumber, "12")).AddPhone(kOtherNumber),
                Row("b").Name("Ann Lee").AddPhone(Phone(kNumber, "34")).AddPhone(kOtherNumber));
  EXPECT_DOUBLE_EQ(cluster.confidence, 0.80);
  EXPECT_FALSE(cluster.auto_merge);
  EXPECT_EQ(cluster.review_reasons, std::vector<std::string>{"extension_mismatch"});
}

TEST(RegionFallback, FallbackNumberAloneDoesNotAutoMerge) {
  const Cluster cluster = ClusterOf(Row("a").Name("Ann Lee").AddPhone(Phone(kNumber, "", true)),
                                    Row("b").Name("Ann Lee").AddPhone(kNumber));
  ASSERT_EQ(cluster.evidence.size(), 1u);
  EXPECT_TRUE(cluster.evidence.front().region_fallback);
  EXPECT_DOUBLE_EQ(cluster.confidence, 0.80);
  EXPECT_FALSE(cluster.auto_merge);
  EXPECT_EQ(cluster.review_reasons, std::vector<std::string>{"region_fallback"});
}

TEST(RegionFallback, SecondSolidNumberAllowsMerge) {
  const Cluster cluster =
      ClusterOf(Row("a").Name("Ann Lee").AddPhone(Phone(kNumber, "", true)).AddPhone(kOtherNumber),
                Row("b").Name("Ann Lee").AddPhone(Phone(kNumber, "", true)).AddPhone(kOtherNumber));
  EXPECT_FALSE(cluster.evidence.front().region_fallback);
  EXPECT_TRUE(cluster.auto_merge);
}

TEST(RegionFallback, SameNumberParsedBothWaysCountsAsSolid) {
  // A contact whose number was read once in its own region is not weakened
  // by a second, fallback reading of the same number.
  const Cluster cluster =
      ClusterOf(Row("a").Name("Ann Lee").AddPhone(Phone(kNumber, "", true)).AddPhone(Phone(kNumber)),
                Row("b").Name("Ann Lee").AddPhone(kNumber));
  EXPECT_TRUE(cluster.auto_merge);
}

TEST(ReviewReasons, CrossLocationBlocksMerge) {
  const Cluster cluster = ClusterOf(Row("a").Name("Ann Lee").AddPhone(kNumber).Location("loc-1"),
                                    Row("b").Name("Ann Lee").AddPhone(kNumber).Location("loc-2"));
  EXPECT_FALSE(cluster.auto_merge);
  EXPECT_EQ(cluster.review_reasons, std::vector<std::string>{"cross_location"});
}

TEST(ReviewReasons, DeletedMemberBlocksMerge) {
  const Cluster cluster =
      ClusterOf(Row("a").Name("Ann Lee").AddPhone(kNumber), Row("b").Name("Ann Lee").AddPhone(kNumber).Deleted());
  EXPECT_FALSE(cluster.auto_merge);
  EXPECT_EQ(cluster.review_reasons, std::vector<std::string>{"deleted_member"});
}

}  // namespace
}  // namespace podium_dedup
