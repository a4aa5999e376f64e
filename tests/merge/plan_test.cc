// PlanMerge: primary, opt-out union, fields, review reasons and the calls,
// computed from index rows before any request.
#include <algorithm>

#include <gtest/gtest.h>

#include "podium_dedup/merge.h"

namespace podium_dedup {
namespace {

IndexedContact Row(const std::string& uid, const std::string& name, const std::string& e164, int field_count,
                   const std::string& location = "loc-1") {
  IndexedContact row;
  row.contact.uid = uid;
  row.contact.name = name;
  row.contact.phones = {e164};
  row.contact.updated_at = "2026-01-01T00:00:00Z";
  row.location_uid = location;
  row.phones.push_back(NormalizedPhone{e164, "", "AU", "", false});
  row.field_count = field_count;
  return row;
}

Cluster ClusterOf(const std::vector<const IndexedContact*>& members) {
  Cluster cluster;
  for (const IndexedContact* member : members) cluster.contact_uids.push_back(member->contact.uid);
  std::sort(cluster.contact_uids.begin(), cluster.contact_uids.end());
  cluster.cluster_id = ClusterId(cluster.contact_uids);
  cluster.location_uid = members.front()->location_uid;
  cluster.confidence = 0.8;
  cluster.auto_merge = true;
  return cluster;
}

const FieldPlan* FindField(const MergePlan& plan, const std::string& field, const std::string& action) {
  for (const FieldPlan& entry : plan.fields) {
    if (entry.field == field && entry.action == action) return &entry;
  }
  return nullptr;
}

TEST(PlanMergeTest, PrimaryIsRecomputedNotTakenFromCluster) {
  const IndexedContact rich = Row("c-b", "Jane", "+61412345678", 5);
  const IndexedContact sparse = Row("c-a", "", "+61412345678", 1);
  Cluster cluster = ClusterOf({&rich, &sparse});
  cluster.primary_uid = "c-a";
  auto plan = PlanMerge(cluster, {&rich, &sparse}, {});

  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan.value().primary_uid, "c-b");
  EXPECT_EQ(plan.value().duplicate_uids, std::vector<std::string>{"c-a"});
}

TEST(PlanMergeTest, OptOutUnionTakesEveryFlag) {
  IndexedContact primary = Row("c-1", "Jane", "+61412345678", 5);
  IndexedContact duplicate = Row("c-2", "Jane", "+61412345678", 2);
  primary.contact.email_opt_out = true;
  duplicate.contact.marketing_opt_out = true;
  auto plan = PlanMerge(ClusterOf({&primary, &duplicate}), {&primary, &duplicate}, {});

  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan.value().opt_out_union.marketing);
  EXPECT_FALSE(plan.value().opt_out_union.sms);
  EXPECT_TRUE(plan.value().opt_out_union.email);
  const PlannedCall& patch = plan.value().calls[3];
  EXPECT_EQ(patch.method, "PATCH");
  EXPECT_EQ(patch.body, (nlohmann::json{{"marketingOptOut", true}, {"emailOptOut", true}}));
}

TEST(PlanMergeTest, PrimaryGainsFieldsItLacks) {
  IndexedContact primary = Row("c-1", "", "+61412345678", 5);
  IndexedContact duplicate = Row("c-2", "Jane Citizen", "+61412345678", 2);
  duplicate.contact.emails = {"jane@example.com"};
  duplicate.contact.address.line1 = "1 George St";
  auto plan = PlanMerge(ClusterOf({&primary, &duplicate}), {&primary, &duplicate}, {});

  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.value().primary_patch["name"], "Jane Citizen");
  EXPECT_EQ(plan.value().primary_patch["email"], "jane@example.com");
  EXPECT_EQ(plan.value().primary_patch["address"]["addressLine1"], "1 George St");
  EXPECT_NE(FindField(plan.value(), "name", "gain"), nullptr);
  EXPECT_EQ(FindField(plan.value(), "phoneNumbers", "gain"), nullptr);
}

TEST(PlanMergeTest, SecondEmailIsNotCarried) {
  IndexedContact primary = Row("c-1", "Jane", "+61412345678", 5);
  IndexedContact duplicate = Row("c-2", "Jane", "+61412345678", 2);
  primary.contact.emails = {"jane@example.com"};
  duplicate.contact.emails = {"JANE@example.com", "jane.work@example.com"};
  auto plan = PlanMerge(ClusterOf({&primary, &duplicate}), {&primary, &duplicate}, {});

  ASSERT_TRUE(plan.ok());
  const FieldPlan* not_carried = FindField(plan.value(), "emails", "not_carried");
  ASSERT_NE(not_carried, nullptr);
  EXPECT_EQ(not_carried->value, "jane.work@example.com");
  EXPECT_FALSE(plan.value().primary_patch.contains("email"));
}

TEST(PlanMergeTest, EndpointCallsAreInOrder) {
  IndexedContact primary = Row("c-1", "Jane", "+61412345678", 5);
  IndexedContact duplicate = Row("c-2", "Jane", "+61412345678", 2);
  auto plan = PlanMerge(ClusterOf({&primary, &duplicate}), {&primary, &duplicate}, {});

  ASSERT_TRUE(plan.ok());
  std::vector<std::string> calls;
  for (const PlannedCall& call : plan.value().calls) calls.push_back(call.method + " " + call.path);
  EXPECT_EQ(calls, (std::vector<std::string>{"GET /contacts/c-1", "GET /contacts/c-2", "POST /contacts/c-1/merge",
                                             "GET /contacts/c-1"}));
}

TEST(PlanMergeTest, ComposeCallsUseDocumentedEndpoints) {
  IndexedContact primary = Row("c-1", "Jane", "+61412345678", 5);
  IndexedContact duplicate = Row("c-2", "Jane", "+61412345678", 2);
  duplicate.contact.tags = {{"t-new", "New", ""}};
  duplicate.contact.marketing_opt_out = true;
  PlanOptions options;
  options.strategy = MergeStrategy::kCompose;
  auto plan = PlanMerge(ClusterOf({&primary, &duplicate}), {&primary, &duplicate}, options);

  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan.value().mergeable);
  std::vector<std::string> calls;
  for (const PlannedCall& call : plan.value().calls) calls.push_back(call.method + " " + call.path);
  EXPECT_EQ(calls, (std::vector<std::string>{"GET /contacts/c-1", "GET /contacts/c-2", "POST /contacts/c-1/tags/t-new",
                                             "POST /contacts/campaigns/opt_out", "DELETE /contacts/c-2",
                                             "GET /contacts/c-1"}));
  EXPECT_EQ(FindField(plan.value(), "conversations", "gain"), nullptr);
}

TEST(PlanMergeTest, ComposeSendsTransactionalOptOutToReview) {
  IndexedContact primary = Row("c-1", "Jane", "+61412345678", 5);
  IndexedContact duplicate = Row("c-2", "Jane", "+61412345678", 2);
  duplicate.contact.sms_opt_out = true;
  PlanOptions options;
  options.strategy = MergeStrategy::kCompose;
  auto plan = PlanMerge(ClusterOf({&primary, &duplicate}), {&primary, &duplicate}, options);

  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan.value().mergeable);
  EXPECT_EQ(plan.value().review_reasons, std::vector<std::string>{"transactional_opt_out_needs_endpoint"});
}

TEST(PlanMergeTest, CrossLocationNeedsSameEntityGroup) {
  const IndexedContact primary = Row("c-1", "Jane", "+61412345678", 5, "loc-1");
  const IndexedContact duplicate = Row("c-2", "Jane", "+61412345678", 2, "loc-2");
  Cluster cluster = ClusterOf({&primary, &duplicate});
  cluster.auto_merge = false;
  cluster.review_reasons = {"cross_location"};

  auto alone = PlanMerge(cluster, {&primary, &duplicate}, {});
  ASSERT_TRUE(alone.ok());
  EXPECT_FALSE(alone.value().mergeable);
  EXPECT_EQ(alone.value().review_reasons, std::vector<std::string>{"cross_location"});

  PlanOptions grouped;
  grouped.same_entity_groups = {{"loc-1", "loc-2"}};
  auto together = PlanMerge(cluster, {&primary, &duplicate}, grouped);
  ASSERT_TRUE(together.ok());
  EXPECT_TRUE(together.value().mergeable);

  cluster.confidence = 0.6;
  auto weak = PlanMerge(cluster, {&primary, &duplicate}, grouped);
  ASSERT_TRUE(weak.ok());
  EXPECT_FALSE(weak.value().mergeable);
  EXPECT_EQ(weak.value().review_reasons, std::vector<std::string>{"below_threshold"});
}

TEST(PlanMergeTest, MissingMemberRowIsError) {
  const IndexedContact primary = Row("c-1", "Jane", "+61412345678", 5);
  const IndexedContact duplicate = Row("c-2", "Jane", "+61412345678", 2);
  auto plan = PlanMerge(ClusterOf({&primary, &duplicate}), {&primary}, {});

  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, "ERR_DEDUP_MERGE_MEMBER_NOT_INDEXED");
}

TEST(PlanMergeTest, PlanSurvivesJsonRoundTrip) {
  IndexedContact primary = Row("c-1", "", "+61412345678", 5);
  IndexedContact duplicate = Row("c-2", "Jane", "+61412345678", 2);
  duplicate.contact.marketing_opt_out = true;
  PlanOptions options;
  options.strategy = MergeStrategy::kCompose;
  auto plan = PlanMerge(ClusterOf({&primary, &duplicate}), {&primary, &duplicate}, options);
  ASSERT_TRUE(plan.ok());

  auto read = MergePlanFromJson(MergePlanToJson(plan.value()));
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(MergePlanToJson(read.value()), MergePlanToJson(plan.value()));
  EXPECT_EQ(read.value().opt_out_channels.size(), 1u);
}

}  // namespace
}  // namespace podium_dedup
