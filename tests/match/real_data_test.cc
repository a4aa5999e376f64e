// Matching on the Fodor's/Zagat restaurant guides, a real record-linkage
// benchmark in which a few phone numbers are shared by different
// restaurants. The test is skipped on a machine without the data set.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "podium_dedup/contact_reader.h"
#include "podium_dedup/match.h"

namespace podium_dedup {
namespace {

const std::string kDataDir = "/work/shared/data/fodors-zagat/";

// Turns "310/246-1501" or "310-246-1501" into "+13102461501". The test
// builds keys itself so that it checks matching, not phone parsing.
std::string UsNumber(const std::string& raw) {
  std::string digits;
  for (char c : raw) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  return digits.size() == 10 ? "+1" + digits : "";
}

bool ReadGuide(const std::string& file, const std::string& uid_prefix, std::vector<IndexedContact>& rows) {
  ReadOptions options;
  options.format = InputFormat::kCsv;
  options.column_map = {{"uid", "id"}, {"name", "name"}, {"phone", "phone"}, {"tags", "type"}};
  options.default_location = "restaurants";
  options.uid_prefix = uid_prefix;
  const Status status = ReadContactsFile(
      kDataDir + file, options,
      [&](Contact&& contact) {
        IndexedContact row;
        row.location_uid = "restaurants";
        for (const std::string& raw : contact.phones) {
          NormalizedPhone phone;
          phone.e164 = UsNumber(raw);
          if (!phone.e164.empty()) row.phones.push_back(phone);
        }
        row.field_count = FieldCount(contact);
        row.contact = std::move(contact);
        rows.push_back(std::move(row));
      },
      [](const ReadProblem&) {}, nullptr);
  return status.ok();
}

std::set<std::pair<std::string, std::string>> TrueMatches() {
  std::set<std::pair<std::string, std::string>> matches;
  std::ifstream in(kDataDir + "matches.csv");
  std::string line;
  std::getline(in, line);  // header: fodors_id,zagats_id
  while (std::getline(in, line)) {
    const std::size_t comma = line.find(',');
    if (comma == std::string::npos) continue;
    std::string zagat = line.substr(comma + 1);
    if (!zagat.empty() && zagat.back() == '\r') zagat.pop_back();
    matches.emplace("f-" + line.substr(0, comma), "z-" + zagat);
  }
  return matches;
}

TEST(RealData, SharedRestaurantNumbersNeverAutoMerge) {
  std::vector<IndexedContact> rows;
  if (!ReadGuide("fodors.csv", "f-", rows) || !ReadGuide("zagats.csv", "z-", rows)) {
    GTEST_SKIP() << "Fodor's/Zagat data set not readable in " << kDataDir;
  }
  ASSERT_EQ(rows.size(), 864u);
  const auto matches = TrueMatches();
  ASSERT_EQ(matches.size(), 112u);

  int auto_merged = 0;
  int with_false_pair = 0;
  for (const Cluster& cluster : FindClusters(rows, {})) {
    ASSERT_FALSE(cluster.evidence_truncated);
    bool all_true = true;
    for (const PairEvidence& pair : cluster.evidence) {
      all_true = all_true && matches.count({pair.uid_a, pair.uid_b}) > 0;
    }
    if (!all_true) {
      ++with_false_pair;
      EXPECT_FALSE(cluster.auto_merge) << "cluster of different restaurants auto-merged: " << cluster.cluster_id;
    }
    if (cluster.auto_merge) ++auto_merged;
  }
  // The data contains 14 pairs of different restaurants behind one number, in
  // 7 clusters, and 80 true pairs with one number and the same name. True
  // pairs whose names are written differently go to review.
  EXPECT_EQ(with_false_pair, 7);
  EXPECT_EQ(auto_merged, 80);
}

}  // namespace
}  // namespace podium_dedup
