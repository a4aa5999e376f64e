// Runs `podium-dedup generate` as a real process.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

std::string FileText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class GenerateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() /
           ("podium-dedup-generate-cli-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Runs the binary in the test folder with `arguments`; returns the exit
  // status and keeps stderr in stderr_.
  int Run(const std::string& arguments) {
    const fs::path binary = fs::path(PODIUM_DEDUP_BINARY_DIR) / "podium-dedup";
    const std::string command = "cd '" + dir_.string() + "' && '" + binary.string() + "' generate " + arguments +
                                " >stdout.txt 2>stderr.txt";
    const int status = std::system(command.c_str());
    stderr_ = FileText(dir_ / "stderr.txt");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  fs::path dir_;
  std::string stderr_;
};

TEST_F(GenerateCli, WritesExportTruthAndSummary) {
  ASSERT_EQ(Run("--people 300 --seed 4 --output tenant.jsonl --truth truth.json"), 0) << stderr_;

  EXPECT_NE(stderr_.find("generated 300 people"), std::string::npos) << stderr_;
  EXPECT_EQ(std::count(stderr_.begin(), stderr_.end(), '\n'), 1) << stderr_;
  EXPECT_TRUE(FileText(dir_ / "stdout.txt").empty());
  const nlohmann::json truth = nlohmann::json::parse(FileText(dir_ / "truth.json"));
  EXPECT_EQ(truth["people"], 300);
  const std::string tenant = FileText(dir_ / "tenant.jsonl");
  EXPECT_EQ(std::count(tenant.begin(), tenant.end(), '\n'), truth["contacts"].get<int64_t>());
}

TEST_F(GenerateCli, SameSeedSameFiles) {
  ASSERT_EQ(Run("--people 500 --seed 9 --locations 3 --output a.jsonl --truth a.json"), 0) << stderr_;
  ASSERT_EQ(Run("--people 500 --seed 9 --locations 3 --output b.jsonl --truth b.json"), 0) << stderr_;

  EXPECT_EQ(FileText(dir_ / "a.jsonl"), FileText(dir_ / "b.jsonl"));
  EXPECT_EQ(FileText(dir_ / "a.json"), FileText(dir_ / "b.json"));
}

TEST_F(GenerateCli, ExistingOutputNeedsForce) {
  { std::ofstream(dir_ / "tenant.jsonl") << "old\n"; }

  EXPECT_EQ(Run("--people 10 --output tenant.jsonl --truth truth.json"), 3);
  EXPECT_NE(stderr_.find("ERR_DEDUP_OUTPUT_EXISTS"), std::string::npos) << stderr_;
  EXPECT_NE(stderr_.find("--force"), std::string::npos) << stderr_;
  EXPECT_EQ(FileText(dir_ / "tenant.jsonl"), "old\n");

  EXPECT_EQ(Run("--people 10 --output tenant.jsonl --truth truth.json --force"), 0) << stderr_;
  EXPECT_NE(FileText(dir_ / "tenant.jsonl"), "old\n");
}

TEST_F(GenerateCli, CsvFormatHasHeader) {
  ASSERT_EQ(Run("--people 20 --region us --format csv --output tenant.csv --truth truth.json"), 0) << stderr_;

  const std::string csv = FileText(dir_ / "tenant.csv");
  EXPECT_EQ(csv.rfind("uid,name,phone,email,location,", 0), 0u);
}

TEST_F(GenerateCli, BadOptionsExitWithUsageStatus) {
  EXPECT_EQ(Run("--people 0 --output t.jsonl --truth t.json"), 2);
  EXPECT_NE(stderr_.find("ERR_DEDUP_USAGE_BAD_OPTION"), std::string::npos) << stderr_;
  EXPECT_EQ(Run("--people 10 --region ZZ --output t.jsonl --truth t.json"), 2);
  EXPECT_NE(stderr_.find("'ZZ'"), std::string::npos) << stderr_;
  EXPECT_EQ(Run("--people 10 --output t.jsonl --truth t.jsonl"), 2);
  EXPECT_EQ(Run("--people 10 --format xml --output t.xml --truth t.json"), 2);
  EXPECT_NE(stderr_.find("ERR_DEDUP_USAGE_BAD_FORMAT"), std::string::npos) << stderr_;
  EXPECT_FALSE(fs::exists(dir_ / "t.jsonl"));
}

}  // namespace
