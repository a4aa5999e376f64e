// podium-dedup merge: merge duplicate clusters through the Podium API.
//
// The clusters come from the index (--db) as it is now: merge re-clusters
// it, so run find-duplicates first to refresh the index. The summary goes to
// stdout (JSON, or a table with --output text); progress goes to stderr.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "podium_dedup/index.h"
#include "podium_dedup/merge.h"
#include "podium_dedup/podium_client.h"

namespace podium_dedup::cli {
namespace {

struct MergeFlags {
  std::string db_path = kDefaultIndexPath;
  std::string api_url;
  std::string token_env;
  std::string cluster_id;
  bool all_auto = false;
  bool dry_run = false;
  std::string strategy;
  std::string audit_log = "audit-log.jsonl";
  int lease_seconds = 300;
  int max_clusters = 0;
  std::string output = "json";
  int rate_limit = -1;  // negative: api.rate_limit_per_minute from the settings
};

std::string TextSummary(const MergeRunSummary& summary) {
  std::string text = fmt::format(
      "clusters planned   {}\nmerged             {}\nconflicts          {}\nfailed             {}\n"
      "sent to review     {}\nskipped            {}\nopt-outs forced    {}\nAPI requests       {}\n"
      "retries            {}\nrepeat merges      {}\n",
      summary.clusters_planned, summary.merged, summary.conflicts, summary.failed, summary.review, summary.skipped,
      summary.opt_outs_forced, summary.api_requests, summary.retries, summary.repeat_merges);
  if (!summary.clusters.empty()) text += fmt::format("\n{:<22} {:<16} {}\n", "cluster", "status", "primary / error");
  for (const ClusterOutcome& outcome : summary.clusters) {
    text += fmt::format("{:<22} {:<16} {}\n", outcome.cluster_id, outcome.status,
                        outcome.error.empty() ? outcome.primary_uid : outcome.error);
  }
  for (const MergePlan& plan : summary.plans) {
    text += fmt::format("\nplan {}: primary {}, {} duplicate(s), {} call(s)\n", plan.cluster_id, plan.primary_uid,
                        plan.duplicate_uids.size(), plan.calls.size());
    for (const PlannedCall& call : plan.calls) text += fmt::format("  {} {}\n", call.method, call.path);
  }
  return text;
}

Result<std::unique_ptr<PodiumClient>> MakeClient(const MergeFlags& flags, const CommandContext& context) {
  PodiumClientOptions options;
  options.base_url = flags.api_url.empty() ? context.settings.api_url : flags.api_url;
  options.token_env = flags.token_env.empty() ? context.settings.token_env : flags.token_env;
  options.rate_limit_per_minute = flags.rate_limit >= 0 ? flags.rate_limit : context.settings.rate_limit_per_minute;
  if (options.base_url.empty()) {
    return Error{"ERR_DEDUP_USAGE_NO_API_URL", "no API URL: pass --api-url or set api.url in the settings file"};
  }
  return PodiumClient::Create(options, context.logger);
}

Result<MergeOptions> MakeOptions(const MergeFlags& flags, const Settings& settings) {
  if (flags.cluster_id.empty() == !flags.all_auto) {
    return Error{"ERR_DEDUP_USAGE_NO_SELECTION", "pass exactly one of --cluster-id ID and --all-auto"};
  }
  if (flags.output != "json" && flags.output != "text") {
    return Error{"ERR_DEDUP_USAGE_BAD_OUTPUT", "--output '" + flags.output + "' is invalid; use json or text"};
  }
  if (flags.lease_seconds < 1 || flags.max_clusters < 0) {
    return Error{"ERR_DEDUP_USAGE_BAD_NUMBER", "--lease-seconds must be at least 1 and --max-clusters at least 0"};
  }
  Result<MergeStrategy> strategy = ParseMergeStrategy(flags.strategy.empty() ? settings.merge_strategy : flags.strategy);
  if (!strategy.ok()) return strategy.error();
  MergeOptions options;
  options.db_path = flags.db_path;
  options.audit_log_path = flags.audit_log;
  options.strategy = strategy.value();
  options.cluster_id = flags.cluster_id;
  options.all_auto = flags.all_auto;
  options.dry_run = flags.dry_run;
  options.lease_seconds = flags.lease_seconds;
  options.max_clusters = flags.max_clusters;
  return options;
}

// An import stopped half-way leaves clusters without some of their
// members, and a merge could join contacts that a missing member would have
// sent to review. A dry run only warns.
Status CheckImportsFinished(const std::string& db_path, bool dry_run, CommandContext& context) {
  Result<std::unique_ptr<ContactIndex>> index = ContactIndex::Open(db_path, context.logger);
  if (!index.ok()) return index.error();
  Result<std::vector<std::string>> unfinished = index.value()->UnfinishedImports();
  if (!unfinished.ok()) return unfinished.error();
  if (unfinished.value().empty()) return Status::Ok();
  const std::string message = "index '" + db_path + "': the import of '" + unfinished.value().front() +
                              "' was stopped before it finished; run find-duplicates again with that input, "
                              "then merge";
  if (dry_run) {
    context.logger->warn("{}", message);
    return Status::Ok();
  }
  return Error{"ERR_DEDUP_DB_UNFINISHED_IMPORT", message};
}

Status RunMergeCommand(const MergeFlags& flags, CommandContext& context) {
  Result<MergeOptions> options = MakeOptions(flags, context.settings);
  if (!options.ok()) return options.error();
  // Opening a missing path would create an empty index and report that
  // there is nothing to merge, which hides a wrong --db.
  std::error_code missing;
  if (!std::filesystem::exists(flags.db_path, missing)) {
    return Error{"ERR_DEDUP_DB_NOT_FOUND", "index database '" + flags.db_path +
                                               "' not found; run find-duplicates first or pass its --db path"};
  }
  if (Status s = CheckImportsFinished(flags.db_path, flags.dry_run, context); !s.ok()) return s;

  // A dry run sends nothing, so it needs neither the URL nor the token.
  std::unique_ptr<PodiumClient> client;
  if (!flags.dry_run) {
    auto created = MakeClient(flags, context);
    if (!created.ok()) return created.error();
    client = std::move(created).value();
  }
  Result<MergeRunSummary> summary = RunMerge(options.value(), context.settings, client.get(), *context.logger);
  if (!summary.ok()) return summary.error();

  if (flags.output == "text") {
    std::cout << TextSummary(summary.value());
  } else {
    nlohmann::json out = MergeRunSummaryToJson(summary.value());
    out["dry_run"] = flags.dry_run;
    out["strategy"] = MergeStrategyName(options.value().strategy);
    std::cout << out.dump(2) << '\n';
  }
  std::cout.flush();
  if (summary.value().failed > 0) {
    return Error{"ERR_DEDUP_MERGE_INCOMPLETE",
                 fmt::format("{} cluster(s) failed; the summary and the merge_state table in '{}' name the errors, "
                             "and the next run resumes them",
                             summary.value().failed, flags.db_path)};
  }
  return Status::Ok();
}

}  // namespace

CommandHandler SetUpMergeCommand(CLI::App& command) {
  auto flags = std::make_shared<MergeFlags>();
  command.add_option("--db", flags->db_path, "SQLite index built by find-duplicates; merge_state is kept in it too")
      ->capture_default_str();
  command.add_option("--api-url", flags->api_url,
                     "Base URL of the Podium API, such as https://api.podium.com/v4 (default: api.url in settings)");
  command.add_option("--token-env", flags->token_env,
                     "Environment variable that holds the access token (default: api.token_env in settings, "
                     "PODIUM_ACCESS_TOKEN)");
  command.add_option("--cluster-id", flags->cluster_id, "Merge this one cluster (an id from find-duplicates)");
  command.add_flag("--all-auto", flags->all_auto,
                   "Merge every auto-mergeable cluster, after finishing any merge a previous run left unfinished");
  command.add_flag("--dry-run", flags->dry_run,
                   "Print the plan (primary, duplicates, opt-out union, fields, API calls) and send no request");
  command.add_option("--strategy", flags->strategy,
                     "endpoint (the merge extension) or compose (documented endpoints only); "
                     "default: merge.strategy in settings");
  command.add_option("--audit-log", flags->audit_log, "Audit log (JSON Lines, appended, created with mode 0600)")
      ->capture_default_str();
  command.add_option("--lease-seconds", flags->lease_seconds,
                     "Seconds a cluster stays reserved for this process; another process may take it over after")
      ->capture_default_str();
  command.add_option("--max-clusters", flags->max_clusters, "Stop after carrying out this many clusters; 0: no limit")
      ->capture_default_str();
  command.add_option("--output", flags->output, "Summary format on stdout: json or text")->capture_default_str();
  command.add_option("--rate-limit", flags->rate_limit,
                     "Client-side API requests per minute; 0 disables the limiter. Overrides "
                     "api.rate_limit_per_minute");
  return [flags](CommandContext& context) { return RunMergeCommand(*flags, context); };
}

}  // namespace podium_dedup::cli
