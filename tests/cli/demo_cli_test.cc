// End-to-end test of `podium-dedup demo`: the built binary runs the whole
// pipeline against the fake server it starts, and the test checks its
// summary, its files, and that the server is gone afterwards.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "index_cli_fixture.h"

namespace podium_dedup::index_cli_test {
namespace {

using nlohmann::json;

// Reads the "  label   value" lines of the printed summary.
std::map<std::string, std::string> SummaryLines(const std::string& out) {
  std::map<std::string, std::string> values;
  const std::regex line(R"(^  ([a-z][a-z ()-]*[a-z)])\s{2,}(\S.*)$)");
  std::istringstream in(out);
  std::string text;
  while (std::getline(in, text)) {
    std::smatch match;
    if (std::regex_match(text, match, line)) values[match[1]] = match[2];
  }
  return values;
}

int64_t Number(const std::map<std::string, std::string>& values, const std::string& label) {
  auto it = values.find(label);
  if (it == values.end()) {
    ADD_FAILURE() << "the summary has no line '" << label << "'";
    return -1;
  }
  return std::stoll(it->second);
}

// Returns true when something accepts connections on 127.0.0.1:`port`.
bool Listening(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return connected;
}

// Returns the number of running podium-fake-server processes whose command
// line names `path`.
int FakeServersServing(const std::string& path) {
  int found = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string cmdline = ReadText(entry.path() / "cmdline");
    if (cmdline.find("podium-fake-server") != std::string::npos && cmdline.find(path) != std::string::npos) {
      ++found;
    }
  }
  return found;
}

class DemoCliTest : public IndexCliTest {};

TEST_F(DemoCliTest, RunsPipelineAndStopsServer) {
  const std::filesystem::path workdir = Path("demo");
  const CommandResult result = Run({"demo", "--workdir", workdir.string(), "--people", "300", "--seed", "7"});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  ASSERT_NE(result.out.find("podium-dedup demo summary"), std::string::npos) << result.out;

  const auto values = SummaryLines(result.out);
  const int64_t before = Number(values, "contacts before (live)");
  const int64_t after = Number(values, "contacts after (live)");
  EXPECT_GT(before, 300);
  EXPECT_LT(after, before);
  EXPECT_GT(Number(values, "auto-merge clusters"), 0);
  EXPECT_EQ(Number(values, "clusters merged"), Number(values, "auto-merge clusters"));
  EXPECT_EQ(Number(values, "failed"), 0);

  for (const char* name : {"clusters.json", "review-queue.json", "audit-log.jsonl", "merge-summary.json"}) {
    EXPECT_TRUE(std::filesystem::exists(workdir / name)) << name;
  }
  struct stat audit {};
  ASSERT_EQ(::stat((workdir / "audit-log.jsonl").c_str(), &audit), 0);
  EXPECT_EQ(audit.st_mode & 0777, 0600u);
  const json clusters = ReadJson(workdir / "clusters.json");
  EXPECT_EQ(clusters["summary"]["auto_merge_clusters"].get<int64_t>(), Number(values, "auto-merge clusters"));
  const json merge_summary = ReadJson(workdir / "merge-summary.json");
  EXPECT_EQ(merge_summary["failed"], 0) << merge_summary.dump().substr(0, 500);

  // The server's URL is in the logged find-duplicates command line.
  std::smatch url;
  ASSERT_TRUE(std::regex_search(result.err, url, std::regex(R"(--api-url http://127\.0\.0\.1:(\d+)/v4)")))
      << result.err;
  EXPECT_FALSE(Listening(std::stoi(url[1]))) << "the fake server still listens on port " << url[1];
  EXPECT_EQ(FakeServersServing((workdir / "tenant.jsonl").string()), 0);
  EXPECT_EQ(result.out.find("PODIUM_DEDUP_DEMO_TOKEN="), std::string::npos);
}

}  // namespace
}  // namespace podium_dedup::index_cli_test
