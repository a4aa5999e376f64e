// End-to-end tests of `podium-dedup cross-location` on an index that
// find-duplicates builds from files written by the test or the real data.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "index_cli_fixture.h"

namespace podium_dedup::index_cli_test {
namespace {

using nlohmann::json;

// Eve is in Sydney and Bondi with one number; Fay is in Sydney only and
// shares Gus's number, but Gus is soft-deleted; Hal and Ivy share a number
// within Sydney.
constexpr const char* kTwoLocations =
    R"({"uid":"e1","name":"Eve Ng","phoneNumbers":["0412 000 111"],"locations":[{"uid":"loc-syd"}]})"
    "\n"
    R"({"uid":"e2","name":"Eve Ng","phoneNumbers":["+61412000111"],"locations":[{"uid":"loc-bondi"}]})"
    "\n"
    R"({"uid":"f1","name":"Fay","phoneNumbers":["0412 000 222"],"locations":[{"uid":"loc-syd"}]})"
    "\n"
    R"({"uid":"g1","name":"Gus","phoneNumbers":["0412 000 222"],"locations":[{"uid":"loc-bondi"}],"deletedAt":"2026-01-01T00:00:00Z"})"
    "\n"
    R"({"uid":"h1","name":"Hal","phoneNumbers":["0412 000 333"],"locations":[{"uid":"loc-syd"}]})"
    "\n"
    R"({"uid":"i1","name":"Ivy","phoneNumbers":["0412 000 333"],"locations":[{"uid":"loc-syd"}]})"
    "\n";

constexpr const char* kSettings =
    "default_region: AU\n"
    "locations:\n"
    "  loc-syd: {name: \"Sydney clinic\"}\n";

class CrossLocationCliTest : public IndexCliTest {
 protected:
  void BuildIndex() {
    WriteFile("tenant.jsonl", kTwoLocations);
    WriteFile("settings.yaml", kSettings);
    const CommandResult result = Run({"find-duplicates", "--config", "settings.yaml", "--input", "tenant.jsonl",
                                      "--db", "index.sqlite", "--output", "clusters.json", "--quiet"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }

  CommandResult CrossLocation(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"cross-location", "--config", "settings.yaml", "--db", "index.sqlite",
                                     "--output", "review.json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  }
};

TEST_F(CrossLocationCliTest, ListsKeySharedAcrossLocations) {
  BuildIndex();
  const CommandResult result = CrossLocation();
  ASSERT_EQ(result.exit_code, 0) << result.err;

  const json review = ReadJson(Path("review.json"));
  ASSERT_EQ(review["review_queue"].size(), 1u) << review.dump(2);
  const json& item = review["review_queue"][0];
  EXPECT_EQ(item["natural_key"], "+61412000111");
  EXPECT_EQ(item["kind"], "phone");
  ASSERT_EQ(item["contacts"].size(), 2u);
  // Sorted by location uid: loc-bondi before loc-syd.
  EXPECT_EQ(item["contacts"][0]["contact_uid"], "e2");
  EXPECT_EQ(item["contacts"][0]["location_uid"], "loc-bondi");
  EXPECT_EQ(item["contacts"][0]["location_name"], "");
  EXPECT_EQ(item["contacts"][1]["contact_uid"], "e1");
  EXPECT_EQ(item["contacts"][1]["location_name"], "Sydney clinic");
  EXPECT_EQ(item["contacts"][1]["name"], "Eve Ng");
  EXPECT_EQ(review["summary"]["shared_keys"], 1);
  EXPECT_NE(result.err.find("nothing merged"), std::string::npos) << result.err;
}

TEST_F(CrossLocationCliTest, ClustersStayWithinOneLocation) {
  BuildIndex();
  const json clusters = ReadJson(Path("clusters.json"))["clusters"];
  ASSERT_EQ(clusters.size(), 1u) << clusters.dump(2);
  EXPECT_EQ(clusters[0]["contact_uids"], json({"h1", "i1"}));
  EXPECT_EQ(clusters[0]["location_uid"], "loc-syd");
}

TEST_F(CrossLocationCliTest, ExistingOutputNeedsForce) {
  BuildIndex();
  WriteFile("review.json", "keep me");
  const CommandResult refused = CrossLocation();
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_EQ(ReadText(Path("review.json")), "keep me");

  const CommandResult forced = CrossLocation({"--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(ReadJson(Path("review.json"))["review_queue"].size(), 1u);
}

TEST_F(CrossLocationCliTest, MissingIndexExitsWithSeven) {
  WriteFile("settings.yaml", kSettings);
  const CommandResult result = CrossLocation();
  EXPECT_EQ(result.exit_code, 7) << result.err;
  EXPECT_NE(result.err.find("index.sqlite"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(Path("index.sqlite")));
}

TEST_F(CrossLocationCliTest, FodorsZagatGuidesSurfaceTruePairs) {
  const std::filesystem::path data = SharedDataDir();
  if (data.empty()) GTEST_SKIP() << "the shared data sets are not on this machine";
  WriteFile("settings.yaml", "default_region: US\n");
  for (const std::string guide : {"fodors", "zagats"}) {
    const CommandResult result =
        Run({"find-duplicates", "--config", "settings.yaml", "--input", (data / "fodors-zagat" / (guide + ".csv")).string(),
             "--location", guide, "--db", "index.sqlite", "--output", guide + "-clusters.json", "--quiet"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  const CommandResult result = CrossLocation({"--quiet"});
  ASSERT_EQ(result.exit_code, 0) << result.err;

  // Within one guide nothing is a true pair, so nothing may auto-merge. The
  // clusters are copied out first: a range-for over a member of ReadJson's
  // temporary result would read freed memory.
  const json zagats_clusters = ReadJson(Path("zagats-clusters.json"))["clusters"];
  for (const json& cluster : zagats_clusters) {
    EXPECT_FALSE(cluster["auto_merge"].get<bool>()) << cluster.dump();
  }
  const json queue = ReadJson(Path("review.json"))["review_queue"];
  EXPECT_GE(queue.size(), 100u);
  for (const json& item : queue) {
    std::set<std::string> locations;
    for (const json& contact : item["contacts"]) locations.insert(contact["location_uid"].get<std::string>());
    EXPECT_EQ(locations, (std::set<std::string>{"fodors", "zagats"})) << item.dump();
  }
}

}  // namespace
}  // namespace podium_dedup::index_cli_test
