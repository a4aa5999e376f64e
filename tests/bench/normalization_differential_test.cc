// Differential test of the normalization path the pipeline uses.
//
// The pipeline normalizes with a result cache and from several threads.
// Both must give exactly what one uncached normalizer gives, value by value.
// The normalizer in turn must agree with plain libphonenumber (Parse,
// IsValidNumber, Format E164) wherever the two are defined in the same
// terms: a value that cleaning leaves as it is, that is not split into
// several numbers, and that cleaning does not reject on purpose
// (placeholders, short codes, spreadsheet damage, text that is not a phone).
// A leading "00" is compared in its '+' form (IsDoubleZeroInternational).
//
// Inputs: the generator's output, the shared data sets under
// /work/shared/data (skipped when missing), and random digit strings per
// region. PODIUM_DEDUP_DIFFERENTIAL_COUNT sets how many random strings per
// region (default 50,000, which keeps the suite near 30 seconds on a loaded
// two-core machine; raise it for a longer soak).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <phonenumbers/phonenumberutil.h>

#include "bench_phones.h"
#include "phone/cleaning.h"
#include "podium_dedup/phone.h"

namespace podium_dedup::bench {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr int kThreads = 2;
constexpr int kMaxReportedMismatches = 10;

size_t RandomCountPerRegion() {
  const char* text = std::getenv("PODIUM_DEDUP_DIFFERENTIAL_COUNT");
  return text == nullptr ? 50'000 : static_cast<size_t>(std::strtoull(text, nullptr, 10));
}

// The plain library's natural key for `raw`, or empty when it has none.
std::string PlainE164(const std::string& raw, const std::string& region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util.Parse(raw, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return "";
  if (!util.IsValidNumber(number)) return "";
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

// Normalizes `values` with one shared cached normalizer on kThreads
// threads, each taking every kThreads-th value, as a parallel pipeline would.
std::vector<PhoneFieldResult> NormalizeInThreads(const std::vector<std::string>& values, const std::string& region) {
  const PhoneNormalizer cached(PhoneOptions{});
  std::vector<PhoneFieldResult> results(values.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < values.size(); i += kThreads) results[i] = cached.Normalize(values[i], region);
    });
  }
  for (std::thread& thread : threads) thread.join();
  return results;
}

// Reasons given by the cleaning and classification steps on purpose, for
// values that plain libphonenumber may still call valid.
bool IsDeliberateRejection(const PhoneFieldResult& result) {
  const std::string_view reason = result.reason();
  return reason == reason::kPlaceholder || reason == reason::kShortCode ||
         reason == reason::kLossySpreadsheetValue || reason == reason::kNotAPhone;
}

// The normalizer reads a leading "00" as '+' when the national reading is
// not valid ("0061 ..." typed in a region whose international prefix is
// another), on purpose. Plain libphonenumber does that only where "00" is the
// region's own prefix, so such a value is compared in its '+' form.
bool IsDoubleZeroInternational(const std::string& value, const std::string& ours, const std::string& region) {
  return value.starts_with("00") && !ours.empty() && PlainE164("+" + value.substr(2), region) == ours;
}

// Compares every value three ways and returns the number of mismatches,
// printing the first few.
int CountMismatches(const std::vector<std::string>& values, const std::string& region) {
  const PhoneNormalizer uncached(PhoneOptions{{}, {}, 0});
  const std::vector<PhoneFieldResult> fast = NormalizeInThreads(values, region);
  int mismatches = 0;
  auto report = [&](const std::string& value, const std::string& what) {
    if (++mismatches <= kMaxReportedMismatches) ADD_FAILURE() << region << " '" << value << "': " << what;
  };
  for (size_t i = 0; i < values.size(); ++i) {
    const PhoneFieldResult reference = uncached.Normalize(values[i], region);
    if (!(fast[i] == reference)) report(values[i], "cached and threaded result differs from the uncached one");

    if (phone_internal::CleanPhoneText(values[i]) != values[i]) continue;
    if (reference.numbers.size() + reference.rejected.size() > 1) continue;  // split into several pieces
    const std::string plain = PlainE164(values[i], region);
    const std::string ours = reference.valid() ? reference.numbers.front().e164 : "";
    if (plain.empty() == ours.empty() && plain == ours) continue;
    if (ours.empty() && IsDeliberateRejection(reference)) continue;
    if (plain.empty() && IsDoubleZeroInternational(values[i], ours, region)) continue;
    report(values[i], "plain libphonenumber gives '" + plain + "', the normalizer '" + ours + "' (" +
                          std::string(reference.reason()) + ")");
  }
  return mismatches;
}

// Reads column `column` (0-based) of a CSV file with a header row; quoted
// fields may hold commas and doubled quotes. Empty when the file is missing.
std::vector<std::string> CsvColumn(const std::filesystem::path& path, size_t column) {
  std::vector<std::string> values;
  std::ifstream file(path);
  std::string line;
  bool header = true;
  while (std::getline(file, line)) {
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields.emplace_back();
      } else if (c != '\r') {
        fields.back().push_back(c);
      }
    }
    if (column < fields.size()) values.push_back(fields[column]);
  }
  return values;
}

TEST(NormalizationDifferentialTest, GeneratedAustralianTenantMatchesPlainLibrary) {
  EXPECT_EQ(CountMismatches(GeneratedPhones(5'000, 11, "AU"), "AU"), 0);
}

TEST(NormalizationDifferentialTest, GeneratedUnitedStatesTenantMatchesPlainLibrary) {
  EXPECT_EQ(CountMismatches(GeneratedPhones(5'000, 12, "US"), "US"), 0);
}

TEST(NormalizationDifferentialTest, SharedDataSetsMatchPlainLibrary) {
  const std::filesystem::path data = "/work/shared/data";
  if (!std::filesystem::exists(data)) GTEST_SKIP() << data << " is missing";
  const std::vector<std::string> febrl = CsvColumn(data / "febrl/dataset_A_10000.csv", 11);
  std::vector<std::string> restaurants = CsvColumn(data / "fodors-zagat/fodors.csv", 4);
  const std::vector<std::string> zagat = CsvColumn(data / "fodors-zagat/zagats.csv", 4);
  restaurants.insert(restaurants.end(), zagat.begin(), zagat.end());
  EXPECT_GT(febrl.size() + restaurants.size(), 0u);
  EXPECT_EQ(CountMismatches(febrl, "AU"), 0);
  EXPECT_EQ(CountMismatches(restaurants, "US"), 0);
}

class RandomDigitsTest : public testing::TestWithParam<const char*> {};

TEST_P(RandomDigitsTest, RandomDigitStringsMatchPlainLibrary) {
  const std::string region = GetParam();
  const uint64_t seed = static_cast<uint64_t>(region[0]) * 256 + static_cast<uint64_t>(region[1]);
  EXPECT_EQ(CountMismatches(RandomDigitStrings(RandomCountPerRegion(), seed), region), 0);
}

INSTANTIATE_TEST_SUITE_P(Regions, RandomDigitsTest, testing::Values("AU", "US", "GB", "NZ"));

}  // namespace
}  // namespace podium_dedup::bench
