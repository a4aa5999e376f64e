// Runs the normalizer over the phone columns of the public record-linkage
// data sets kept beside the repository (shared/data), when they are there.
// The counts were measured with libphonenumber 8.12.57 (Debian 12). The
// rejected values were checked by hand. They are a truncated Fodor's value
// ("310/788-"), an invalid US area code ("100-813-8212"), and Febrl numbers
// that the generator drew from unassigned Australian ranges.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "podium_dedup/phone.h"

namespace podium_dedup {
namespace {

namespace fs = std::filesystem;

fs::path DataDir() { return fs::path(PODIUM_DEDUP_SOURCE_DIR) / ".." / "shared" / "data"; }

// Reads one column of a CSV file without quoted fields, which these files
// do not use.
std::vector<std::string> ReadColumn(const fs::path& path, const std::string& column) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::istringstream header(line);
  std::string name;
  size_t index = 0;
  while (std::getline(header, name, ',') && name != column) ++index;

  std::vector<std::string> values;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string field;
    for (size_t i = 0; i <= index && std::getline(row, field, ','); ++i) {
    }
    values.push_back(field);
  }
  return values;
}

struct Counts {
  size_t valid = 0;
  size_t empty = 0;
  size_t several_numbers = 0;
};

Counts NormalizeAll(const std::vector<std::string>& values, const std::string& region) {
  const PhoneNormalizer normalizer;
  Counts counts;
  for (const std::string& value : values) {
    const PhoneFieldResult result = normalizer.Normalize(value, region);
    if (result.valid()) ++counts.valid;
    if (result.reason() == reason::kEmpty && !result.valid()) ++counts.empty;
    if (result.numbers.size() > 1) ++counts.several_numbers;
  }
  return counts;
}

TEST(PhoneDataset, FodorsSlashNumbersStayWhole) {
  const fs::path path = DataDir() / "fodors-zagat" / "fodors.csv";
  if (!fs::exists(path)) GTEST_SKIP() << "data set not found: " << path;
  const std::vector<std::string> phones = ReadColumn(path, "phone");
  ASSERT_EQ(phones.size(), 533u);

  const Counts counts = NormalizeAll(phones, "US");
  EXPECT_EQ(counts.valid, 532u);
  EXPECT_EQ(counts.several_numbers, 0u);
}

TEST(PhoneDataset, ZagatNumbersAreValid) {
  const fs::path path = DataDir() / "fodors-zagat" / "zagats.csv";
  if (!fs::exists(path)) GTEST_SKIP() << "data set not found: " << path;
  const std::vector<std::string> phones = ReadColumn(path, "phone");
  ASSERT_EQ(phones.size(), 331u);

  const Counts counts = NormalizeAll(phones, "US");
  EXPECT_EQ(counts.valid, 330u);
  EXPECT_EQ(counts.several_numbers, 0u);
}

TEST(PhoneDataset, FebrlNumbersAreValidOrEmpty) {
  const fs::path path = DataDir() / "febrl" / "dataset_A_10000.csv";
  if (!fs::exists(path)) GTEST_SKIP() << "data set not found: " << path;
  const std::vector<std::string> phones = ReadColumn(path, "phone_number");
  ASSERT_EQ(phones.size(), 10000u);

  const Counts counts = NormalizeAll(phones, "AU");
  EXPECT_EQ(counts.valid, 7637u);
  EXPECT_EQ(counts.empty, 539u);
  EXPECT_EQ(counts.several_numbers, 0u);
}

}  // namespace
}  // namespace podium_dedup
