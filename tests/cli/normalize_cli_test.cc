// Runs `podium-dedup normalize` as a real process and checks its JSON.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<nlohmann::json> ParseLines(const std::string& text) {
  std::vector<nlohmann::json> objects;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) objects.push_back(nlohmann::json::parse(line));
  return objects;
}

class NormalizeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() /
           ("podium-dedup-normalize-cli-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  void WriteFile(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  // Runs the binary in the test folder with `arguments` (already quoted for
  // the shell); returns the exit status and keeps stdout and stderr.
  int Run(const std::string& arguments) {
    const fs::path binary = fs::path(PODIUM_DEDUP_BINARY_DIR) / "podium-dedup";
    const std::string command = "cd '" + dir_.string() + "' && '" + binary.string() + "' normalize " +
                                arguments + " >stdout.txt 2>stderr.txt";
    const int status = std::system(command.c_str());
    stdout_ = ReadText(dir_ / "stdout.txt");
    stderr_ = ReadText(dir_ / "stderr.txt");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  fs::path dir_;
  std::string stdout_;
  std::string stderr_;
};

TEST_F(NormalizeCli, PhonePrintsOneJsonObject) {
  ASSERT_EQ(Run("--phone '0491 570 156 (Bob)' --region AU --output json"), 0) << stderr_;

  const nlohmann::json result = nlohmann::json::parse(stdout_);
  EXPECT_EQ(result["valid"], true);
  EXPECT_EQ(result["e164"], "+61491570156");
  EXPECT_EQ(result["natural_key"], "+61491570156");
  EXPECT_EQ(result["national"], "0491 570 156");
  EXPECT_EQ(result["country"], "AU");
  EXPECT_EQ(result["extension"], "");
  EXPECT_FALSE(result.contains("reason"));
  ASSERT_EQ(result["numbers"].size(), 1u);
  EXPECT_EQ(result["numbers"][0]["region_fallback"], false);
}

TEST_F(NormalizeCli, PhoneWithTwoNumbersListsBoth) {
  ASSERT_EQ(Run("--phone '0491 570 156 / 02 5550 1234 x 7' --region AU"), 0) << stderr_;

  const nlohmann::json result = nlohmann::json::parse(stdout_);
  EXPECT_EQ(result["e164"], "+61491570156");
  ASSERT_EQ(result["numbers"].size(), 2u);
  EXPECT_EQ(result["numbers"][1]["e164"], "+61255501234");
  EXPECT_EQ(result["numbers"][1]["natural_key"], "+61255501234");
  EXPECT_EQ(result["numbers"][1]["extension"], "7");
}

TEST_F(NormalizeCli, InvalidPhoneGivesReasonAndExitsZero) {
  ASSERT_EQ(Run("--phone 6.14916E+10 --region AU"), 0) << stderr_;

  const nlohmann::json result = nlohmann::json::parse(stdout_);
  EXPECT_EQ(result["valid"], false);
  EXPECT_EQ(result["reason"], "lossy_spreadsheet_value");
  EXPECT_TRUE(result["e164"].is_null());
  EXPECT_TRUE(result["numbers"].empty());
}

TEST_F(NormalizeCli, InputFilePrintsOneObjectPerLine) {
  WriteFile("phones.txt",
            "0412 345 678\r\n"
            "N/A\n"
            "0491\u202F570\u202F156\n"
            "000\n"
            "61491570156@s.whatsapp.net\n");
  ASSERT_EQ(Run("--input phones.txt --region AU --output jsonl"), 0) << stderr_;

  const std::vector<nlohmann::json> lines = ParseLines(stdout_);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0]["input"], "0412 345 678");
  EXPECT_EQ(lines[0]["e164"], "+61412345678");
  EXPECT_EQ(lines[1]["reason"], "empty");
  EXPECT_EQ(lines[2]["e164"], "+61491570156");
  EXPECT_EQ(lines[3]["reason"], "short_code");
  EXPECT_EQ(lines[4]["natural_key"], "+61491570156");
}

TEST_F(NormalizeCli, InputDashReadsStandardInput) {
  WriteFile("phones.txt", "310/246-1501\n310-475-3585\n");
  ASSERT_EQ(Run("--input - --region US < phones.txt"), 0) << stderr_;

  const std::vector<nlohmann::json> lines = ParseLines(stdout_);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["e164"], "+13102461501");
  EXPECT_EQ(lines[0]["numbers"].size(), 1u);
  EXPECT_EQ(lines[1]["e164"], "+13104753585");
}

TEST_F(NormalizeCli, TextOutputPrintsReadableLines) {
  WriteFile("phones.txt", "0412 345 678\nnone\n");
  ASSERT_EQ(Run("--input phones.txt --region AU --output text"), 0) << stderr_;

  EXPECT_EQ(stdout_,
            "0412 345 678 -> +61412345678 (AU, 0412 345 678)\n"
            "none -> rejected: empty\n");
}

TEST_F(NormalizeCli, SettingsSupplyRegionFallbackAndBlocklist) {
  WriteFile("settings.yaml",
            "default_region: US\n"
            "fallback_regions: [NZ, AU]\n"
            "matching:\n"
            "  placeholder_blocklist: ['+61 2 5550 1234']\n");
  WriteFile("phones.txt", "0491 570 156\n(02) 5550 1234\n");
  ASSERT_EQ(Run("--config settings.yaml --input phones.txt"), 0) << stderr_;

  const std::vector<nlohmann::json> lines = ParseLines(stdout_);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["e164"], "+61491570156");
  EXPECT_EQ(lines[0]["region_fallback"], true);
  EXPECT_EQ(lines[0]["numbers"][0]["region_fallback"], true);
  EXPECT_EQ(lines[1]["reason"], "placeholder");
}

TEST_F(NormalizeCli, RegionFlagOverridesSettings) {
  WriteFile("settings.yaml", "default_region: US\n");
  ASSERT_EQ(Run("--config settings.yaml --phone 0412345678 --region au"), 0) << stderr_;

  EXPECT_EQ(nlohmann::json::parse(stdout_)["e164"], "+61412345678");
}

TEST_F(NormalizeCli, UnknownRegionIsUsageError) {
  EXPECT_EQ(Run("--phone 0412345678 --region ZZ"), 2);
  EXPECT_NE(stderr_.find("ERR_DEDUP_USAGE_UNKNOWN_REGION"), std::string::npos) << stderr_;
  EXPECT_NE(stderr_.find("'ZZ'"), std::string::npos) << stderr_;
  EXPECT_TRUE(stdout_.empty());
}

TEST_F(NormalizeCli, UnknownOutputFormatIsUsageError) {
  EXPECT_EQ(Run("--phone 0412345678 --region AU --output xml"), 2);
  EXPECT_NE(stderr_.find("ERR_DEDUP_USAGE_INVALID_OUTPUT"), std::string::npos) << stderr_;
}

TEST_F(NormalizeCli, MissingValueIsUsageError) {
  EXPECT_EQ(Run("--region AU"), 2);
  EXPECT_NE(stderr_.find("ERR_DEDUP_USAGE_MISSING_INPUT"), std::string::npos) << stderr_;
}

TEST_F(NormalizeCli, MissingInputFileIsInputError) {
  EXPECT_EQ(Run("--input missing.txt --region AU"), 3);
  EXPECT_NE(stderr_.find("ERR_DEDUP_INPUT_NOT_FOUND"), std::string::npos) << stderr_;
  EXPECT_NE(stderr_.find("missing.txt"), std::string::npos) << stderr_;
}

TEST_F(NormalizeCli, HelpDescribesEveryOption) {
  ASSERT_EQ(Run("--help"), 0) << stderr_;
  for (const char* option : {"--phone", "--input", "--region", "--output", "json", "jsonl", "text"}) {
    EXPECT_NE(stdout_.find(option), std::string::npos) << option;
  }
}

}  // namespace
