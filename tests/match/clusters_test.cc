// FindClusters: which contacts form clusters, and what each cluster reports.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "podium_dedup/match.h"
#include "test_contacts.h"

namespace podium_dedup {
namespace {

using testing::Phone;
using testing::Row;

bool HasReason(const Cluster& cluster, std::string_view reason) {
  return std::find(cluster.review_reasons.begin(), cluster.review_reasons.end(), reason) !=
         cluster.review_reasons.end();
}

const PairEvidence* FindPair(const Cluster& cluster, const std::string& uid_a, const std::string& uid_b) {
  for (const PairEvidence& evidence : cluster.evidence) {
    if (evidence.uid_a == uid_a && evidence.uid_b == uid_b) return &evidence;
  }
  return nullptr;
}

// `count` contacts c-000, c-001, ... holding `number`, each named by `name_of(i)`.
template <typename NameOf>
std::vector<IndexedContact> HoldersOf(const std::string& number, int count, NameOf name_of) {
  std::vector<IndexedContact> rows;
  for (int i = 0; i < count; ++i) {
    char uid[16];
    std::snprintf(uid, sizeof(uid), "c-%03d", i);
    rows.push_back(Row(uid).Name(name_of(i)).AddPhone(number));
  }
  return rows;
}

TEST(FindClusters, ContactsWithoutSharedKeysFormNoCluster) {
  const std::vector<IndexedContact> rows = {Row("a").Name("Ann").AddPhone("+15035550100"),
                                            Row("b").Name("Ann").AddPhone("+15035550101"),
                                            Row("c").Name("Ann").Email("ann@example.com"), Row("d").Name("Ann")};
  EXPECT_TRUE(FindClusters(rows, {}).empty());
}

TEST(FindClusters, EmptyInputGivesNoCluster) {
  EXPECT_TRUE(FindClusters({}, {}).empty());
}

TEST(FindClusters, SecondPhoneJoinsSameCluster) {
  const std::vector<IndexedContact> rows = {
      Row("a").Name("Ann Lee").AddPhone("+15035550100"),
      Row("b").Name("Ann Lee").AddPhone("+15035550199").AddPhone("+15035550100"),
      Row("c").Name("Ann Lee").AddPhone("+15035550199")};
  const std::vector<Cluster> clusters = FindClusters(rows, {});
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].contact_uids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(clusters[0].natural_keys, (std::vector<std::string>{"+15035550100", "+15035550199"}));
  EXPECT_EQ(clusters[0].pair_count, 3u);
}

TEST(PhoneConflict, OwnMobilesBehindSharedLandlineGoToReview) {
  // Two people of one household with the same name: the landline and the
  // name would score 0.80, but each has a mobile the other lacks.
  const std::vector<IndexedContact> rows = {
      Row("a").Name("Sofia Russo").AddPhone("+61269841807").AddPhone("+61412000001"),
      Row("b").Name("Sofia Russo").AddPhone("+61269841807").AddPhone("+61412000002")};
  const std::vector<Cluster> clusters = FindClusters(rows, {});
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_FALSE(clusters[0].auto_merge);
  ASSERT_EQ(clusters[0].evidence.size(), 1u);
  EXPECT_TRUE(clusters[0].evidence[0].phone_conflict);
  EXPECT_NE(std::find(clusters[0].review_reasons.begin(), clusters[0].review_reasons.end(), "phone_conflict"),
            clusters[0].review_reasons.end());
}

TEST(PhoneConflict, ExtraNumberOnOneSideStillMerges) {
  const std::vector<IndexedContact> rows = {
      Row("a").Name("Sofia Russo").AddPhone("+61269841807").AddPhone("+61412000001"),
      Row("b").Name("Sofia Russo").AddPhone("+61269841807")};
  const std::vector<Cluster> clusters = FindClusters(rows, {});
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_TRUE(clusters[0].auto_merge);
  EXPECT_FALSE(clusters[0].evidence[0].phone_conflict);
}

TEST(FindClusters, TransitiveChainDoesNotAutoMerge) {
  // A-B share one number, B-C another; A and C share only the name, so
  // their pair scores 0.20 and the cluster's minimum is 0.20.
  const std::vector<IndexedContact> rows = {
      Row("a").Name("Ann Lee").AddPhone("+15035550100"),
      Row("b").Name("Ann Lee").AddPhone("+15035550100").AddPhone("+15035550199"),
      Row("c").Name("Ann Lee").AddPhone("+15035550199")};
  const std::vector<Cluster> clusters = FindClusters(rows, {});
  ASSERT_EQ(clusters.size(), 1u);
  const Cluster& cluster = clusters[0];
  ASSERT_EQ(cluster.evidence.size(), 3u);
  const PairEvidence* indirect = FindPair(cluster, "a", "c");
  ASSERT_NE(indirect, nullptr);
  EXPECT_TRUE(indirect->shared_keys.empty());
  EXPECT_FALSE(indirect->shared_phone);
  EXPECT_TRUE(indirect->same_name);
  EXPECT_DOUBLE_EQ(indirect->score, 0.20);
  EXPECT_DOUBLE_EQ(FindPair(cluster, "a", "b")->score, 0.80);
  EXPECT_DOUBLE_EQ(cluster.confidence, 0.20);
  EXPECT_FALSE(cluster.auto_merge);
  EXPECT_EQ(cluster.review_reasons, (std::vector<std::string>{"below_threshold", "transitive_link"}));
}

TEST(FindClusters, TransitiveLinkBlocksMergeAtAnyThreshold) {
  const std::vector<IndexedContact> rows = {
      Row("a").Name("Ann Lee").AddPhone("+15035550100").TagUid("t1"),
      Row("b").Name("Ann Lee").AddPhone("+15035550100").AddPhone("+15035550199").TagUid("t1"),
      Row("c").Name("Ann Lee").AddPhone("+15035550199").TagUid("t1")};
  MatchOptions options;
  options.auto_merge_threshold = 0.0;
  const std::vector<Cluster> clusters = FindClusters(rows, options);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_FALSE(clusters[0].auto_merge);
  EXPECT_EQ(clusters[0].review_reasons, std::vector<std::string>{"transitive_link"});
}

TEST(FindClusters, EmailLinksContactsWithoutPhones) {
  const std::vector<IndexedContact> rows = {Row("a").Name("Ann Lee").Email("ann.lee@gmail.com"),
                                            Row("b").Name("Lee, Ann").Email("annlee+promo@gmail.com"),
                                            Row("c").Name("Bo Park").Email("bo@example.com")};
  const std::vector<Cluster> clusters = FindClusters(rows, {});
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].contact_uids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(clusters[0].natural_keys, std::vector<std::string>{"annlee@gmail.com"});
  EXPECT_DOUBLE_EQ(clusters[0].confidence, 0.70);
  EXPECT_FALSE(clusters[0].auto_merge);
}

TEST(FindClusters, EmailAndPhoneLinksCombine) {
  // a-b by phone, b-c by email: one cluster, and a-c share nothing.
  const std::vector<IndexedContact> rows = {Row("a").Name("Ann Lee").AddPhone("+15035550100"),
                                            Row("b").Name("Ann Lee").AddPhone("+15035550100").Email("ann@example.com"),
                                            Row("c").Name("Ann Lee").Email("ann@example.com")};
  const std::vector<Cluster> clusters = FindClusters(rows, {});
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].contact_uids.size(), 3u);
  EXPECT_TRUE(FindPair(clusters[0], "b", "c")->shared_email_key);
  EXPECT_TRUE(FindPair(clusters[0], "a", "c")->shared_keys.empty());
}

TEST(HotKey, AtLimitIsNotHot) {
  MatchOptions options;
  options.hot_key_limit = 5;
  const auto rows = HoldersOf("+15035550100", 5, [](int i) { return "Guest " + std::string(1, char('A' + i)); });
  const std::vector<Cluster> clusters = FindClusters(rows, options);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_FALSE(clusters[0].hot_key);
  EXPECT_TRUE(clusters[0].hot_keys.empty());
  EXPECT_FALSE(HasReason(clusters[0], "hot_key"));
}

TEST(HotKey, AboveLimitIsHotAndNeverMerges) {
  MatchOptions options;
  options.hot_key_limit = 5;
  const auto rows = HoldersOf("+15035550100", 6, [](int i) { return "Guest " + std::string(1, char('A' + i)); });
  const std::vector<Cluster> clusters = FindClusters(rows, options);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_TRUE(clusters[0].hot_key);
  EXPECT_EQ(clusters[0].hot_keys, std::vector<std::string>{"+15035550100"});
  EXPECT_FALSE(clusters[0].auto_merge);
  EXPECT_TRUE(HasReason(clusters[0], "hot_key"));
}

TEST(HotKey, RepeatedSameNameIsNotHot) {
  // Ten copies of one person (an import run twice over) are duplicates, not a switchboard.
  MatchOptions options;
  options.hot_key_limit = 2;
  const auto rows = HoldersOf("+15035550100", 10, [](int i) { return i % 2 == 0 ? "Ann Lee" : "LEE, ANN"; });
  const std::vector<Cluster> clusters = FindClusters(rows, options);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_FALSE(clusters[0].hot_key);
  EXPECT_TRUE(clusters[0].auto_merge);
  EXPECT_DOUBLE_EQ(clusters[0].confidence, 0.80);
}

TEST(HotKey, EmptyNamesDoNotCount) {
  MatchOptions options;
  options.hot_key_limit = 1;
  const auto rows = HoldersOf("+15035550100", 4, [](int i) { return i == 0 ? "Ann Lee" : ""; });
  const std::vector<Cluster> clusters = FindClusters(rows, options);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_FALSE(clusters[0].hot_key);
}

TEST(HotKey, OnlyTheCrowdedKeyIsListed) {
  MatchOptions options;
  options.hot_key_limit = 2;
  auto rows = HoldersOf("+15035550100", 3, [](int i) { return "Guest " + std::string(1, char('A' + i)); });
  rows.push_back(Row("d").Name("Guest A").AddPhone("+15035550199"));
  rows[0].phones.push_back(Phone("+15035550199"));
  const std::vector<Cluster> clusters = FindClusters(rows, options);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].natural_keys, (std::vector<std::string>{"+15035550100", "+15035550199"}));
  EXPECT_EQ(clusters[0].hot_keys, std::vector<std::string>{"+15035550100"});
}

TEST(HotKey, SharedOfficeEmailIsHot) {
  MatchOptions options;
  options.hot_key_limit = 2;
  const std::vector<IndexedContact> rows = {Row("a").Name("Ann Lee").Email("Front.Desk@Hotel.example"),
                                            Row("b").Name("Bo Park").Email("front.desk@hotel.example"),
                                            Row("c").Name("Cy Hu").Email("front.desk@hotel.example")};
  const std::vector<Cluster> clusters = FindClusters(rows, options);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].hot_keys, std::vector<std::string>{"front.desk@hotel.example"});
  EXPECT_TRUE(HasReason(clusters[0], "hot_key"));
}

TEST(Primary, ChosenByFieldsThenUpdateThenUid) {
  const std::vector<IndexedContact> rows = {
      Row("a").Name("Ann Lee").AddPhone("+15035550100").Fields(3).Updated("2026-01-05T00:00:00Z"),
      Row("b").Name("Ann Lee").AddPhone("+15035550100").Fields(4).Updated("2026-01-01T00:00:00Z"),
      Row("c").Name("Ann Lee").AddPhone("+15035550100").Fields(4).Updated("2026-01-01T00:00:00.001Z")};
  const std::vector<Cluster> clusters = FindClusters(rows, {});
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].primary_uid, "c");
}

TEST(OptOutUnion, ClusterCarriesEveryMembersOptOut) {
  const std::vector<IndexedContact> rows = {Row("a").Name("Ann Lee").AddPhone("+15035550100").OptOut(false, true, false),
                                            Row("b").Name("Ann Lee").AddPhone("+15035550100").OptOut(true, false, false)};
  const std::vector<Cluster> clusters = FindClusters(rows, {});
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_TRUE(clusters[0].opt_out_union.marketing);
  EXPECT_TRUE(clusters[0].opt_out_union.sms);
  EXPECT_FALSE(clusters[0].opt_out_union.email);
}

TEST(ClusterId, MatchesMemberUids) {
  const std::vector<IndexedContact> rows = {Row("b").AddPhone("+15035550100"), Row("a").AddPhone("+15035550100")};
  const std::vector<Cluster> clusters = FindClusters(rows, {});
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].cluster_id, ClusterId({"a", "b"}));
  EXPECT_EQ(clusters[0].cluster_id, "cl-7e18f737311b2dc3");
}

std::vector<IndexedContact> MixedLocation() {
  return {Row("k").Name("Ann Lee").AddPhone("+15035550100").Updated("2026-01-01T00:00:00Z"),
          Row("b").Name("Lee, Ann").AddPhone("+15035550100").Email("ann@example.com"),
          Row("x").Name("Ann Lee").Email("ann@example.com").TagUid("t1"),
          Row("m").Name("Bo Park").AddPhone(Phone("+15035550111", "12")),
          Row("e").Name("Bo Park").AddPhone(Phone("+15035550111", "34")),
          Row("q").Name("Cy Hu").AddPhone("+15035550122"),
          Row("z").Name("Cy Hu").AddPhone("+15035550122").AddPhone("+15035550133"),
          Row("g").Name("Dee").AddPhone("+15035550133"),
          Row("lonely").Name("Ed").AddPhone("+15035550199")};
}

void ExpectSameClusters(const std::vector<Cluster>& expected, const std::vector<Cluster>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(expected[i].cluster_id, actual[i].cluster_id);
    EXPECT_EQ(expected[i].contact_uids, actual[i].contact_uids);
    EXPECT_EQ(expected[i].natural_keys, actual[i].natural_keys);
    EXPECT_EQ(expected[i].primary_uid, actual[i].primary_uid);
    EXPECT_EQ(expected[i].confidence, actual[i].confidence);
    EXPECT_EQ(expected[i].review_reasons, actual[i].review_reasons);
    ASSERT_EQ(expected[i].evidence.size(), actual[i].evidence.size());
    for (std::size_t j = 0; j < expected[i].evidence.size(); ++j) {
      EXPECT_EQ(expected[i].evidence[j].uid_a, actual[i].evidence[j].uid_a);
      EXPECT_EQ(expected[i].evidence[j].uid_b, actual[i].evidence[j].uid_b);
      EXPECT_EQ(expected[i].evidence[j].score, actual[i].evidence[j].score);
    }
  }
}

TEST(FindClusters, InputOrderDoesNotChangeOutput) {
  std::vector<IndexedContact> rows = MixedLocation();
  const std::vector<Cluster> expected = FindClusters(rows, {});
  ASSERT_EQ(expected.size(), 3u);
  EXPECT_EQ(expected[0].contact_uids, (std::vector<std::string>{"b", "k", "x"}));
  EXPECT_EQ(expected[1].contact_uids, (std::vector<std::string>{"e", "m"}));
  EXPECT_EQ(expected[2].contact_uids, (std::vector<std::string>{"g", "q", "z"}));

  std::mt19937 random(12345);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(rows.begin(), rows.end(), random);
    ExpectSameClusters(expected, FindClusters(rows, {}));
  }
}

TEST(FindClusters, RepeatedUidIsClusteredOnce) {
  // The same contact filed under two locations must not be paired with itself.
  const std::vector<IndexedContact> rows = {Row("a").Name("Ann Lee").AddPhone("+15035550100").Location("loc-2"),
                                            Row("a").Name("Ann Lee").AddPhone("+15035550100").Location("loc-1")};
  EXPECT_TRUE(FindClusters(rows, {}).empty());

  std::vector<IndexedContact> with_partner = rows;
  with_partner.push_back(Row("b").Name("Ann Lee").AddPhone("+15035550100").Location("loc-1"));
  const std::vector<Cluster> clusters = FindClusters(with_partner, {});
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].contact_uids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(clusters[0].location_uid, "loc-1");
  EXPECT_TRUE(clusters[0].auto_merge);
}

TEST(FindClusters, ContactWithoutUidIsSkipped) {
  const std::vector<IndexedContact> rows = {Row("").AddPhone("+15035550100"), Row("a").AddPhone("+15035550100")};
  EXPECT_TRUE(FindClusters(rows, {}).empty());
}

TEST(Evidence, LargeClusterKeepsFirstPairsAndLowest) {
  // 50 holders of one number under one name, except c-049 under another:
  // its pairs score 0.60, and the first of them, (c-000, c-049), is pair 48.
  const auto rows = HoldersOf("+15035550100", 50, [](int i) { return i == 49 ? "Bo Park" : "Ann Lee"; });
  MatchOptions options;
  options.max_evidence_pairs = 10;
  const std::vector<Cluster> clusters = FindClusters(rows, options);
  ASSERT_EQ(clusters.size(), 1u);
  const Cluster& cluster = clusters[0];
  EXPECT_EQ(cluster.pair_count, 1225u);
  EXPECT_TRUE(cluster.evidence_truncated);
  ASSERT_EQ(cluster.evidence.size(), 10u);
  EXPECT_EQ(cluster.evidence[0].uid_b, "c-001");
  EXPECT_EQ(cluster.evidence[8].uid_b, "c-009");
  EXPECT_EQ(cluster.evidence[9].uid_a, "c-000");
  EXPECT_EQ(cluster.evidence[9].uid_b, "c-049");
  EXPECT_DOUBLE_EQ(cluster.evidence[9].score, 0.60);
  EXPECT_DOUBLE_EQ(cluster.confidence, 0.60);
}

TEST(Evidence, SmallClusterIsComplete) {
  const auto rows = HoldersOf("+15035550100", 5, [](int) { return "Ann Lee"; });
  const std::vector<Cluster> clusters = FindClusters(rows, {});
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_FALSE(clusters[0].evidence_truncated);
  EXPECT_EQ(clusters[0].evidence.size(), 10u);
}

TEST(Evidence, ZeroLimitKeepsNone) {
  const auto rows = HoldersOf("+15035550100", 3, [](int) { return "Ann Lee"; });
  MatchOptions options;
  options.max_evidence_pairs = 0;
  const std::vector<Cluster> clusters = FindClusters(rows, options);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_TRUE(clusters[0].evidence.empty());
  EXPECT_TRUE(clusters[0].evidence_truncated);
  EXPECT_TRUE(clusters[0].auto_merge);
}

TEST(ScoringBudget, ClusterAboveBudgetGoesToReview) {
  const auto rows = HoldersOf("+15035550100", 10, [](int) { return "Ann Lee"; });
  MatchOptions options;
  options.max_scored_pairs = 44;  // one short of the 45 pairs
  const std::vector<Cluster> clusters = FindClusters(rows, options);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_FALSE(clusters[0].auto_merge);
  EXPECT_EQ(clusters[0].review_reasons, std::vector<std::string>{"cluster_too_large"});
  EXPECT_DOUBLE_EQ(clusters[0].confidence, 0.80);

  options.max_scored_pairs = 45;
  EXPECT_TRUE(FindClusters(rows, options).front().auto_merge);
}

TEST(ScoringBudget, HugeHotClusterStaysBounded) {
  // 3,000 guests behind one front-desk number: 4.5 million pairs, of which
  // only the budget is scored and only the evidence limit is kept.
  const auto rows = HoldersOf("+15035550100", 3000, [](int i) { return "Guest " + std::to_string(i); });
  MatchOptions options;
  options.max_scored_pairs = 100'000;
  const std::vector<Cluster> clusters = FindClusters(rows, options);
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].pair_count, 4'498'500u);
  EXPECT_EQ(clusters[0].evidence.size(), options.max_evidence_pairs);
  EXPECT_TRUE(clusters[0].hot_key);
  EXPECT_FALSE(clusters[0].auto_merge);
  EXPECT_TRUE(HasReason(clusters[0], "cluster_too_large"));
  EXPECT_DOUBLE_EQ(clusters[0].confidence, 0.60);
}

}  // namespace
}  // namespace podium_dedup
