// podium-dedup demo: the whole pipeline on a generated tenant, against a
// fake Podium server started on a free loopback port.
//
// The demo runs the same subcommands a person would run, as child processes
// of this binary, and prints each command line before it runs so the steps
// can be repeated by hand. Every file goes into --workdir; the demo starts
// that folder's index and audit log afresh on every run.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "podium_dedup/podium_client.h"

namespace podium_dedup::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The demo's own token variable, so a real PODIUM_ACCESS_TOKEN in the
// environment is never read or overwritten by it.
constexpr const char* kDemoTokenEnv = "PODIUM_DEDUP_DEMO_TOKEN";

struct DemoFlags {
  std::string workdir = "podium-dedup-demo";
  int64_t people = 1000;
  uint64_t seed = 42;
  std::string region = "AU";
  std::string strategy;  // empty: the settings value
  int rate_limit = 0;    // requests per minute on both sides; 0 turns the limits off
};

struct DemoPaths {
  fs::path tenant, truth, db, clusters, merge_summary, audit_log, review_queue, server_log, server_dump;
};

DemoPaths MakePaths(const fs::path& dir) {
  return DemoPaths{dir / "tenant.jsonl",      dir / "truth.json",       dir / "index.sqlite",
                   dir / "clusters.json",     dir / "merge-summary.json", dir / "audit-log.jsonl",
                   dir / "review-queue.json", dir / "fake-server.log",  dir / "server-state-after.jsonl"};
}

std::string SelfPath() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("podium-dedup") : self.string();
}

std::string CommandLine(const std::vector<std::string>& args) {
  std::string line;
  for (const std::string& arg : args) {
    if (!line.empty()) line += ' ';
    line += arg.find(' ') == std::string::npos ? arg : "'" + arg + "'";
  }
  return line;
}

// Runs `args` and waits for it. Standard output goes to `stdout_path` when
// it is given; standard error is inherited so progress stays visible.
Status RunChild(const std::vector<std::string>& args, const std::string& stdout_path, Logger& logger) {
  logger.info("$ {}", CommandLine(args));
  const pid_t pid = fork();
  if (pid < 0) return Error{"ERR_DEDUP_DEMO_SPAWN", "fork failed: " + std::string(strerror(errno))};
  if (pid == 0) {
    if (!stdout_path.empty()) {
      const int fd = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) _exit(127);
      close(fd);
    }
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  const std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                            : "was killed by signal " + std::to_string(WTERMSIG(status));
  return Error{"ERR_DEDUP_DEMO_STEP_FAILED", "'" + CommandLine(args) + "' " + how + "; its messages are above"};
}

// The fake server, started on a free port and stopped (SIGTERM, which makes
// it write its --dump file) when the demo ends, whatever the outcome.
class FakeServer {
 public:
  ~FakeServer() { Stop(); }

  Status Start(const std::vector<std::string>& args, const fs::path& log_path, Logger& logger) {
    logger.info("$ {}", CommandLine(args));
    int out[2];
    if (pipe(out) != 0) return Error{"ERR_DEDUP_DEMO_SPAWN", "pipe failed: " + std::string(strerror(errno))};
    pid_ = fork();
    if (pid_ < 0) return Error{"ERR_DEDUP_DEMO_SPAWN", "fork failed: " + std::string(strerror(errno))};
    if (pid_ == 0) {
      const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (log_fd >= 0) dup2(log_fd, STDERR_FILENO);
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv;
      for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    return ReadListeningLine(out[0], log_path);
  }

  // Sends SIGTERM, and SIGKILL if the server has not exited 5 s later.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int waited_ms = 0; waitpid(pid_, &status, WNOHANG) == 0; waited_ms += 50) {
      if (waited_ms >= 5000) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      usleep(50 * 1000);
    }
    pid_ = -1;
  }

  const std::string& url() const { return url_; }

 private:
  Status ReadListeningLine(int fd, const fs::path& log_path) {
    std::string line;
    char c = 0;
    pollfd ready{fd, POLLIN, 0};
    // A server that starts but never prints its first line must not hang the demo.
    while (poll(&ready, 1, kStartTimeoutMs) == 1 && read(fd, &c, 1) == 1 && c != '\n') line += c;
    close(fd);
    const std::string prefix = "listening on ";
    if (line.rfind(prefix, 0) != 0) {
      return Error{"ERR_DEDUP_DEMO_SERVER",
                   "the fake server did not start (first line: '" + line + "'); see " + log_path.string()};
    }
    url_ = line.substr(prefix.size());
    return Status::Ok();
  }

  static constexpr int kStartTimeoutMs = 30'000;

  pid_t pid_ = -1;
  std::string url_;
};

std::string RandomToken() {
  std::random_device device;
  std::string token = "demo-";
  for (int i = 0; i < 4; ++i) token += fmt::format("{:08x}", device());
  return token;
}

// Starts the demo folder's index, audit log and outputs afresh; the tenant
// file is rewritten by generate --force.
Status ClearWorkdir(const fs::path& dir, const DemoPaths& paths) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error{"ERR_DEDUP_OUTPUT_WRITE", "cannot create --workdir '" + dir.string() + "': " + ec.message()};
  for (const fs::path& file : {paths.db, fs::path(paths.db.string() + "-wal"), fs::path(paths.db.string() + "-shm"),
                               paths.audit_log, paths.merge_summary, paths.server_dump}) {
    fs::remove(file, ec);
  }
  return Status::Ok();
}

Result<json> ReadJsonFile(const fs::path& path) {
  std::ifstream in(path);
  json value = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Error{"ERR_DEDUP_INPUT_FORMAT", "'" + path.string() + "' is not valid JSON"};
  }
  return value;
}

struct LiveCounts {
  int64_t live = 0;
  std::map<std::string, json> by_uid;
};

Result<LiveCounts> ListLiveContacts(PodiumClient& client) {
  LiveCounts counts;
  Result<ListContactsSummary> listed = client.ListContacts({}, [&](const json& contact) {
    if (contact.value("deletedAt", json()).is_null()) {
      ++counts.live;
      counts.by_uid[contact.value("uid", "")] = contact;
    }
    return Status::Ok();
  });
  if (!listed.ok()) return listed.error();
  return counts;
}

// Counts the merged clusters whose primary now carries every opt-out of the
// cluster's union, as read back from the server after the run.
std::pair<int64_t, int64_t> CheckOptOuts(const json& clusters, const json& merge_summary, const LiveCounts& after) {
  std::map<std::string, json> union_by_cluster;
  for (const json& cluster : clusters.value("clusters", json::array())) {
    union_by_cluster[cluster.value("cluster_id", "")] = cluster.value("opt_out_union", json::object());
  }
  int64_t checked = 0;
  int64_t preserved = 0;
  for (const json& outcome : merge_summary.value("clusters", json::array())) {
    if (outcome.value("status", "") != "patched") continue;
    const json& wanted = union_by_cluster[outcome.value("cluster_id", "")];
    if (!wanted.value("marketing", false) && !wanted.value("sms", false) && !wanted.value("email", false)) continue;
    ++checked;
    auto primary = after.by_uid.find(outcome.value("primary_uid", ""));
    if (primary == after.by_uid.end()) continue;
    const json& now = primary->second;
    const bool kept = (!wanted.value("marketing", false) || now.value("marketingOptOut", false)) &&
                      (!wanted.value("sms", false) || now.value("smsOptOut", false)) &&
                      (!wanted.value("email", false) || now.value("emailOptOut", false));
    if (kept) ++preserved;
  }
  return {checked, preserved};
}

void PrintSummary(const DemoPaths& paths, int64_t before, int64_t after, const json& clusters,
                  const json& merge_summary, const json& review_queue, std::pair<int64_t, int64_t> opt_outs) {
  const json& found = clusters.value("summary", json::object());
  std::cout << fmt::format(
      "\npodium-dedup demo summary\n"
      "  contacts before (live)      {}\n"
      "  contacts after (live)       {}\n"
      "  duplicate clusters found    {}\n"
      "  auto-merge clusters         {}\n"
      "  clusters merged             {}\n"
      "  clusters sent to review     {}\n"
      "  cross-location keys queued  {}\n"
      "  conflicts                   {}\n"
      "  failed                      {}\n"
      "  opt-outs preserved          {} of {} merged clusters with an opt-out\n"
      "  API requests (merge step)   {}\n"
      "\nfiles: {} (clusters), {} (review queue), {} (audit log), {} (merge summary)\n",
      before, after, found.value("clusters", 0), found.value("auto_merge_clusters", 0),
      merge_summary.value("merged", 0), found.value("review_clusters", 0),
      review_queue.value("review_queue", json::array()).size(), merge_summary.value("conflicts", 0),
      merge_summary.value("failed", 0), opt_outs.second, opt_outs.first, merge_summary.value("api_requests", 0),
      paths.clusters.string(), paths.review_queue.string(), paths.audit_log.string(),
      paths.merge_summary.string());
}

Result<std::unique_ptr<PodiumClient>> MakeClient(const std::string& url, const DemoFlags& flags,
                                                 std::shared_ptr<Logger> logger) {
  PodiumClientOptions options;
  options.base_url = url;
  options.token_env = kDemoTokenEnv;
  options.rate_limit_per_minute = flags.rate_limit;
  return PodiumClient::Create(options, std::move(logger));
}

Status RunDemo(const DemoFlags& flags, CommandContext& context) {
  Logger& logger = *context.logger;
  const fs::path dir = flags.workdir;
  const DemoPaths paths = MakePaths(dir);
  if (Status s = ClearWorkdir(dir, paths); !s.ok()) return s;
  setenv(kDemoTokenEnv, RandomToken().c_str(), 1);
  const std::string self = SelfPath();
  const std::string server_binary = (fs::path(self).parent_path() / "podium-fake-server").string();
  const std::string rate = std::to_string(flags.rate_limit);

  // 1. A tenant with known duplicates.
  if (Status s = RunChild({self, "generate", "--people", std::to_string(flags.people), "--seed",
                           std::to_string(flags.seed), "--region", flags.region, "--output", paths.tenant.string(),
                           "--truth", paths.truth.string(), "--force"},
                          "", logger);
      !s.ok()) {
    return s;
  }

  // 2. The fake Podium server, serving that tenant.
  FakeServer server;
  if (Status s = server.Start({server_binary, "--data", paths.tenant.string(), "--port", "0", "--token-env",
                               kDemoTokenEnv, "--rate-limit", rate, "--dump", paths.server_dump.string()},
                              paths.server_log, logger);
      !s.ok()) {
    return s;
  }
  Result<std::unique_ptr<PodiumClient>> client = MakeClient(server.url(), flags, context.logger);
  if (!client.ok()) return client.error();
  Result<LiveCounts> before = ListLiveContacts(*client.value());
  if (!before.ok()) return before.error();

  // 3. Index through the API and find the clusters.
  const std::vector<std::string> api = {"--api-url", server.url(), "--token-env", kDemoTokenEnv};
  std::vector<std::string> find = {self, "find-duplicates", "--all-locations", "--db", paths.db.string(),
                                   "--output", paths.clusters.string(), "--force", "--rate-limit", rate,
                                   "--region", flags.region};
  find.insert(find.end(), api.begin(), api.end());
  if (Status s = RunChild(find, "", logger); !s.ok()) return s;

  // 4. Merge every auto-mergeable cluster.
  std::vector<std::string> merge = {self, "merge", "--all-auto", "--db", paths.db.string(), "--audit-log",
                                    paths.audit_log.string(), "--rate-limit", rate};
  merge.insert(merge.end(), api.begin(), api.end());
  if (!flags.strategy.empty()) merge.insert(merge.end(), {"--strategy", flags.strategy});
  Status merged = RunChild(merge, paths.merge_summary.string(), logger);

  // 5. The cross-location review queue.
  if (Status s = RunChild({self, "cross-location", "--db", paths.db.string(), "--output",
                           paths.review_queue.string(), "--force"},
                          "", logger);
      !s.ok()) {
    return s;
  }

  Result<LiveCounts> after = ListLiveContacts(*client.value());
  if (!after.ok()) return after.error();
  server.Stop();
  Result<json> clusters = ReadJsonFile(paths.clusters);
  Result<json> merge_summary = ReadJsonFile(paths.merge_summary);
  Result<json> review_queue = ReadJsonFile(paths.review_queue);
  if (!clusters.ok()) return clusters.error();
  if (!merge_summary.ok()) return merge_summary.error();
  if (!review_queue.ok()) return review_queue.error();
  const auto opt_outs = CheckOptOuts(clusters.value(), merge_summary.value(), after.value());
  PrintSummary(paths, before.value().live, after.value().live, clusters.value(), merge_summary.value(),
               review_queue.value(), opt_outs);
  if (!merged.ok()) return merged;
  if (opt_outs.second != opt_outs.first) {
    return Error{"ERR_DEDUP_MERGE_OPT_OUT_LOST",
                 fmt::format("{} merged cluster(s) lost an opt-out; see {}", opt_outs.first - opt_outs.second,
                             paths.audit_log.string())};
  }
  return Status::Ok();
}

}  // namespace

CommandHandler SetUpDemoCommand(CLI::App& command) {
  auto flags = std::make_shared<DemoFlags>();
  command.add_option("--workdir", flags->workdir,
                     "Folder for the demo's files (tenant, index, clusters, audit log, review queue); its index "
                     "and audit log are started afresh on every run")
      ->capture_default_str();
  command.add_option("--people", flags->people, "People in the generated tenant")->capture_default_str();
  command.add_option("--seed", flags->seed, "Seed of the generated tenant")->capture_default_str();
  command.add_option("--region", flags->region, "Region of the generated phones: AU or US")->capture_default_str();
  command.add_option("--strategy", flags->strategy,
                     "Merge strategy: endpoint (merge extension) or compose (documented endpoints only); "
                     "default from merge.strategy in the settings");
  command.add_option("--rate-limit", flags->rate_limit,
                     "Requests per minute allowed by the fake server and used by the client; 0 (the default) "
                     "turns both limits off so the demo finishes in seconds")
      ->capture_default_str();
  return [flags](CommandContext& context) { return RunDemo(*flags, context); };
}

}  // namespace podium_dedup::cli
