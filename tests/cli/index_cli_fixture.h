// Helpers for the CLI suites: a temporary folder per test, and running the
// built podium-dedup binary as a real process.
#ifndef PODIUM_DEDUP_TESTS_CLI_INDEX_CLI_FIXTURE_H_
#define PODIUM_DEDUP_TESTS_CLI_INDEX_CLI_FIXTURE_H_

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace podium_dedup::index_cli_test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline nlohmann::json ReadJson(const std::filesystem::path& path) { return nlohmann::json::parse(ReadText(path)); }

inline std::string Quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Returns the folder of the shared real data sets, or an empty path.
inline std::filesystem::path SharedDataDir() {
  for (const std::filesystem::path& candidate :
       {std::filesystem::path("/work/shared/data"),
        std::filesystem::path(PODIUM_DEDUP_SOURCE_DIR) / ".." / "shared" / "data"}) {
    if (std::filesystem::exists(candidate / "fodors-zagat" / "matches.csv")) return candidate;
  }
  return {};
}

// A test fixture with its own temporary folder, which is also the working
// directory of the commands it runs (so no config/settings.yaml applies).
class IndexCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device seed;
    dir_ = std::filesystem::temp_directory_path() / ("podium-dedup-cli-test-" + std::to_string(seed()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path Path(const std::string& name) const { return dir_ / name; }

  void WriteFile(const std::string& name, const std::string& text) const {
    std::ofstream(Path(name), std::ios::binary) << text;
  }

  // Runs build/podium-dedup with `args` in the test folder.
  CommandResult Run(const std::vector<std::string>& args) const {
    std::string command = "cd " + Quote(dir_.string()) + " && " + Quote(std::string(PODIUM_DEDUP_BINARY_DIR) + "/podium-dedup");
    for (const std::string& arg : args) command += " " + Quote(arg);
    command += " >" + Quote(Path(".stdout").string()) + " 2>" + Quote(Path(".stderr").string());
    const int status = std::system(command.c_str());
    CommandResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = ReadText(Path(".stdout"));
    result.err = ReadText(Path(".stderr"));
    return result;
  }

  std::filesystem::path dir_;
};

}  // namespace podium_dedup::index_cli_test

#endif  // PODIUM_DEDUP_TESTS_CLI_INDEX_CLI_FIXTURE_H_
