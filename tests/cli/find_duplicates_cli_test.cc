// End-to-end tests of `podium-dedup find-duplicates`: the built binary runs
// as a real process on files written by the test and on the real data sets.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "index_cli_fixture.h"

namespace podium_dedup::index_cli_test {
namespace {

using nlohmann::json;

// Two records of Ann (one opted out of marketing), one of Bob, a deleted
// record with Ann's number, and a line that is not JSON.
constexpr const char* kSmallTenant =
    R"({"uid":"a1","name":"Ann Lee","phoneNumbers":["0412 345 678"],"locations":[{"uid":"loc-1"}],"emails":["ann@example.com"],"tags":[{"uid":"t1","label":"VIP"}],"updatedAt":"2026-01-01T00:00:00Z"})"
    "\n"
    R"({"uid":"a2","name":"ann lee","phoneNumbers":["+61 412 345 678"],"locations":[{"uid":"loc-1"}],"marketingOptOut":true})"
    "\n"
    R"({"uid":"b1","name":"Bob Stone","phoneNumbers":["0400 000 001"],"locations":[{"uid":"loc-1"}]})"
    "\n"
    R"({"uid":"d1","name":"Ann Lee","phoneNumbers":["0412345678"],"locations":[{"uid":"loc-1"}],"deletedAt":"2026-02-01T00:00:00Z"})"
    "\n"
    "this line is not JSON\n";

class FindDuplicatesCliTest : public IndexCliTest {
 protected:
  CommandResult FindDuplicates(const std::string& input, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"find-duplicates", "--input", input, "--db", "index.sqlite",
                                     "--region", "AU", "--output", "clusters.json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  }
};

TEST_F(FindDuplicatesCliTest, ClustersSmallJsonLinesFile) {
  WriteFile("tenant.jsonl", kSmallTenant);
  const CommandResult result = FindDuplicates("tenant.jsonl");
  ASSERT_EQ(result.exit_code, 0) << result.err;

  const json output = ReadJson(Path("clusters.json"));
  ASSERT_EQ(output["clusters"].size(), 1u) << output.dump(2);
  const json& cluster = output["clusters"][0];
  EXPECT_EQ(cluster["contact_uids"], json({"a1", "a2"}));
  EXPECT_EQ(cluster["location_uid"], "loc-1");
  EXPECT_EQ(cluster["natural_keys"], json({"+61412345678"}));
  EXPECT_EQ(cluster["auto_merge"], true);
  EXPECT_EQ(cluster["primary_uid"], "a1");
  EXPECT_EQ(cluster["opt_out_union"]["marketing"], true);
  EXPECT_EQ(cluster["opt_out_union"]["sms"], false);
  EXPECT_TRUE(cluster["cluster_id"].is_string());
  EXPECT_GE(cluster["confidence"].get<double>(), 0.8);
  ASSERT_EQ(cluster["evidence"].size(), 1u);
  EXPECT_EQ(cluster["evidence"][0]["uids"], json({"a1", "a2"}));
  EXPECT_NE(std::find(cluster["evidence"][0]["factors"].begin(), cluster["evidence"][0]["factors"].end(),
                      "shared_phone"),
            cluster["evidence"][0]["factors"].end());

  const json& summary = output["summary"];
  EXPECT_EQ(summary["contacts_read"], 4);
  EXPECT_EQ(summary["contacts_indexed"], 4);
  EXPECT_EQ(summary["skipped_rows"]["ERR_DEDUP_INPUT_INVALID_JSON"], 1);
  EXPECT_EQ(summary["clusters"], 1);
  EXPECT_EQ(summary["auto_merge_clusters"], 1);
  EXPECT_EQ(summary["contacts_in_clusters"], 2);
  EXPECT_EQ(summary["index_live_contacts"], 3);
}

TEST_F(FindDuplicatesCliTest, BadRowWarningNamesFileAndLine) {
  WriteFile("tenant.jsonl", kSmallTenant);
  const CommandResult result = FindDuplicates("tenant.jsonl");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("tenant.jsonl:5:"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("ERR_DEDUP_INPUT_INVALID_JSON"), std::string::npos) << result.err;
}

TEST_F(FindDuplicatesCliTest, BadRowWarningsAreRateLimited) {
  std::string text;
  for (int i = 0; i < 25; ++i) text += "not json " + std::to_string(i) + "\n";
  WriteFile("bad.jsonl", text);
  const CommandResult result = FindDuplicates("bad.jsonl");
  ASSERT_EQ(result.exit_code, 0) << result.err;

  int printed = 0;
  const std::string prefix = "warning: bad.jsonl:";
  for (size_t at = result.err.find(prefix); at != std::string::npos; at = result.err.find(prefix, at + 1)) {
    ++printed;
  }
  EXPECT_EQ(printed, 20) << result.err;
  EXPECT_NE(result.err.find("5 more bad rows"), std::string::npos) << result.err;
  EXPECT_EQ(ReadJson(Path("clusters.json"))["summary"]["skipped_rows"]["ERR_DEDUP_INPUT_INVALID_JSON"], 25);
}

TEST_F(FindDuplicatesCliTest, ExistingOutputNeedsForce) {
  WriteFile("tenant.jsonl", kSmallTenant);
  WriteFile("clusters.json", "keep me");

  const CommandResult refused = FindDuplicates("tenant.jsonl");
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("clusters.json"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("ERR_DEDUP_OUTPUT_EXISTS"), std::string::npos) << refused.err;
  EXPECT_EQ(ReadText(Path("clusters.json")), "keep me");

  const CommandResult forced = FindDuplicates("tenant.jsonl", {"--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(ReadJson(Path("clusters.json"))["clusters"].size(), 1u);
}

TEST_F(FindDuplicatesCliTest, RerunGivesSameOutput) {
  WriteFile("tenant.jsonl", kSmallTenant);
  ASSERT_EQ(FindDuplicates("tenant.jsonl").exit_code, 0);
  const std::string first = ReadText(Path("clusters.json"));
  ASSERT_EQ(FindDuplicates("tenant.jsonl", {"--force"}).exit_code, 0);

  EXPECT_EQ(ReadText(Path("clusters.json")), first);
  EXPECT_EQ(ReadJson(Path("clusters.json"))["summary"]["index_contacts"], 4);
}

TEST_F(FindDuplicatesCliTest, DashWritesToStandardOutput) {
  WriteFile("tenant.jsonl", kSmallTenant);
  const CommandResult result =
      Run({"find-duplicates", "--input", "tenant.jsonl", "--db", "index.sqlite", "--region", "AU", "--output", "-"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json output = json::parse(result.out);
  EXPECT_EQ(output["clusters"].size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(Path("-")));
}

TEST_F(FindDuplicatesCliTest, CsvRowsGetDefaultLocation) {
  WriteFile("contacts.csv",
            "id,Full Name,Mobile\n"
            "r1,Cara Diaz,(415) 555-0100\n"
            "r2,Cara Diaz,415.555.0100\n"
            "r3,Dan Ek,\n");
  const CommandResult result =
      Run({"find-duplicates", "--input", "contacts.csv", "--map", "uid=id,name=Full Name,phone=Mobile", "--location",
           "loc-sf", "--region", "us", "--db", "index.sqlite", "--output", "clusters.json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;

  const json output = ReadJson(Path("clusters.json"));
  ASSERT_EQ(output["clusters"].size(), 1u) << output.dump(2);
  EXPECT_EQ(output["clusters"][0]["location_uid"], "loc-sf");
  EXPECT_EQ(output["clusters"][0]["natural_keys"], json({"+14155550100"}));
}

TEST_F(FindDuplicatesCliTest, ContactInTwoClustersGoesToReview) {
  // m1 belongs to two locations, and matches a1 in one and b1 in the other.
  WriteFile("tenant.jsonl",
            R"({"uid":"m1","name":"Mia Roe","phoneNumbers":["0412 345 678"],"locations":[{"uid":"loc-a"},{"uid":"loc-b"}]})"
            "\n"
            R"({"uid":"a1","name":"Mia Roe","phoneNumbers":["0412345678"],"locations":[{"uid":"loc-a"}]})"
            "\n"
            R"({"uid":"b1","name":"Mia Roe","phoneNumbers":["+61412345678"],"locations":[{"uid":"loc-b"}]})"
            "\n");
  const CommandResult result = FindDuplicates("tenant.jsonl");
  ASSERT_EQ(result.exit_code, 0) << result.err;

  const json clusters = ReadJson(Path("clusters.json"))["clusters"];
  ASSERT_EQ(clusters.size(), 2u) << clusters.dump(2);
  EXPECT_EQ(clusters[0]["location_uid"], "loc-a");
  EXPECT_EQ(clusters[0]["contact_uids"], json({"a1", "m1"}));
  EXPECT_EQ(clusters[1]["location_uid"], "loc-b");
  EXPECT_EQ(clusters[1]["contact_uids"], json({"b1", "m1"}));
  for (const json& cluster : clusters) {
    EXPECT_EQ(cluster["auto_merge"], false) << cluster.dump();
    const std::vector<std::string> reasons = cluster["review_reasons"];
    EXPECT_NE(std::find(reasons.begin(), reasons.end(), "member_in_other_cluster"), reasons.end()) << cluster.dump();
  }
}

TEST_F(FindDuplicatesCliTest, InvalidPhonesCountedByReason) {
  WriteFile("tenant.jsonl",
            R"({"uid":"x1","name":"X","phoneNumbers":["12"],"locations":[{"uid":"l"}]})"
            "\n"
            R"({"uid":"x2","name":"Y","phoneNumbers":["0412 345 678"],"locations":[{"uid":"l"}]})"
            "\n");
  const CommandResult result = FindDuplicates("tenant.jsonl");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json invalid = ReadJson(Path("clusters.json"))["summary"]["contacts_with_no_valid_phone"];
  ASSERT_EQ(invalid.size(), 1u) << invalid.dump();
  EXPECT_EQ(invalid.begin().value(), 1);
}

TEST_F(FindDuplicatesCliTest, UsageErrorsExitWithTwo) {
  WriteFile("tenant.jsonl", kSmallTenant);
  const CommandResult region =
      Run({"find-duplicates", "--input", "tenant.jsonl", "--region", "XX", "--output", "clusters.json"});
  EXPECT_EQ(region.exit_code, 2) << region.err;
  EXPECT_NE(region.err.find("ERR_DEDUP_USAGE_BAD_REGION"), std::string::npos) << region.err;

  const CommandResult threshold = FindDuplicates("tenant.jsonl", {"--threshold", "1.5"});
  EXPECT_EQ(threshold.exit_code, 2) << threshold.err;
  // A negative value is out of range too, not a way to ask for the default.
  const CommandResult negative = FindDuplicates("tenant.jsonl", {"--threshold=-1"});
  EXPECT_EQ(negative.exit_code, 2) << negative.err;
  EXPECT_NE(negative.err.find("ERR_DEDUP_USAGE_BAD_THRESHOLD"), std::string::npos) << negative.err;

  const CommandResult format = FindDuplicates("tenant.jsonl", {"--format", "xml"});
  EXPECT_EQ(format.exit_code, 2) << format.err;

  const CommandResult no_output = Run({"find-duplicates", "--input", "tenant.jsonl"});
  EXPECT_NE(no_output.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(Path("clusters.json")));
}

TEST_F(FindDuplicatesCliTest, MissingInputExitsWithThree) {
  const CommandResult result = FindDuplicates("missing.jsonl");
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_NE(result.err.find("missing.jsonl"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(Path("clusters.json")));
  EXPECT_FALSE(std::filesystem::exists(Path("index.sqlite"))) << "a typo in --input must not create an index";
}

TEST_F(FindDuplicatesCliTest, UnwritableIndexExitsWithSeven) {
  WriteFile("tenant.jsonl", kSmallTenant);
  const CommandResult result =
      Run({"find-duplicates", "--input", "tenant.jsonl", "--db", "no-such-folder/index.sqlite", "--output", "c.json"});
  EXPECT_EQ(result.exit_code, 7) << result.err;
  EXPECT_NE(result.err.find("no-such-folder/index.sqlite"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("ERR_DEDUP_DB_OPEN"), std::string::npos) << result.err;
}

TEST_F(FindDuplicatesCliTest, HelpListsEveryOption) {
  const CommandResult result = Run({"find-duplicates", "--help"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* option : {"--input", "--db", "--region", "--format", "--map", "--location", "--encoding",
                             "--threshold", "--output", "--force", "--quiet"}) {
    EXPECT_NE(result.out.find(option), std::string::npos) << option;
  }
}

// Returns the pairs of contact uids inside the clusters of `output`.
std::set<std::pair<std::string, std::string>> ClusterPairs(const json& output, bool auto_merge_only) {
  std::set<std::pair<std::string, std::string>> pairs;
  for (const json& cluster : output["clusters"]) {
    if (auto_merge_only && !cluster["auto_merge"].get<bool>()) continue;
    const std::vector<std::string> uids = cluster["contact_uids"];
    for (size_t i = 0; i < uids.size(); ++i) {
      for (size_t j = i + 1; j < uids.size(); ++j) pairs.emplace(std::min(uids[i], uids[j]), std::max(uids[i], uids[j]));
    }
  }
  return pairs;
}

TEST_F(FindDuplicatesCliTest, GeneratedTenantAutoMergesOnlyOnePerson) {
  const CommandResult generated = Run({"generate", "--people", "2000", "--seed", "11", "--output", "tenant.jsonl",
                                       "--truth", "truth.json", "--quiet"});
  if (generated.err.find("NOT_IMPLEMENTED") != std::string::npos) GTEST_SKIP() << "generate is not in this build";
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  const CommandResult result = FindDuplicates("tenant.jsonl", {"--quiet"});
  ASSERT_EQ(result.exit_code, 0) << result.err;

  const json truth = ReadJson(Path("truth.json"))["contactPerson"];
  const auto pairs = ClusterPairs(ReadJson(Path("clusters.json")), true);
  EXPECT_GT(pairs.size(), 100u);
  for (const auto& [a, b] : pairs) {
    EXPECT_EQ(truth[a], truth[b]) << a << " and " << b << " were auto-merged but are different people";
  }
}

TEST_F(FindDuplicatesCliTest, FodorsZagatAutoMergesOnlyTruePairs) {
  const std::filesystem::path data = SharedDataDir();
  if (data.empty()) GTEST_SKIP() << "the shared data sets are not on this machine";
  const std::filesystem::path folder = data / "fodors-zagat";
  const CommandResult result = Run({"find-duplicates", "--input", (folder / "fodors.csv").string(), "--input",
                                    (folder / "zagats.csv").string(), "--location", "restaurants", "--region", "US",
                                    "--db", "index.sqlite", "--output", "clusters.json", "--quiet"});
  ASSERT_EQ(result.exit_code, 0) << result.err;

  std::set<std::pair<std::string, std::string>> truth;
  std::ifstream matches(folder / "matches.csv");
  std::string line;
  std::getline(matches, line);  // header
  while (std::getline(matches, line)) {
    const std::string fodors = line.substr(0, line.find(','));
    const std::string zagats = line.substr(line.find(',') + 1);
    truth.emplace(std::min(fodors, zagats), std::max(fodors, zagats));
  }
  ASSERT_EQ(truth.size(), 112u);

  const json output = ReadJson(Path("clusters.json"));
  EXPECT_EQ(output["summary"]["contacts_indexed"], 864);
  const auto auto_pairs = ClusterPairs(output, true);
  EXPECT_GE(auto_pairs.size(), 70u);
  for (const auto& pair : auto_pairs) EXPECT_EQ(truth.count(pair), 1u) << pair.first << " " << pair.second;
}

TEST_F(FindDuplicatesCliTest, FebrlAutoMergesOnlyTruePairs) {
  const std::filesystem::path data = SharedDataDir();
  if (data.empty()) GTEST_SKIP() << "the shared data sets are not on this machine";
  const CommandResult result =
      Run({"find-duplicates", "--input", (data / "febrl" / "dataset_A_10000.csv").string(), "--location", "febrl",
           "--region", "AU", "--db", "index.sqlite", "--output", "clusters.json", "--quiet"});
  ASSERT_EQ(result.exit_code, 0) << result.err;

  const json output = ReadJson(Path("clusters.json"));
  EXPECT_EQ(output["summary"]["contacts_indexed"], 10000);
  const auto auto_pairs = ClusterPairs(output, true);
  EXPECT_GE(auto_pairs.size(), 2000u);
  // Febrl's rec_id of an original and of its duplicate differ only in the
  // last digit, so the entity is rec_id / 10.
  for (const auto& [a, b] : auto_pairs) EXPECT_EQ(std::stoi(a) / 10, std::stoi(b) / 10) << a << " " << b;
}

}  // namespace
}  // namespace podium_dedup::index_cli_test
