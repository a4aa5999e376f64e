// podium-dedup undo: undo one cluster's merge from the audit log.
#include <iostream>
#include <memory>
#include <string>

#include "cli/command.h"
#include "podium_dedup/index.h"
#include "podium_dedup/merge.h"
#include "podium_dedup/podium_client.h"

namespace podium_dedup::cli {
namespace {

struct UndoFlags {
  std::string db_path = kDefaultIndexPath;
  std::string audit_log = "audit-log.jsonl";
  std::string cluster_id;
  std::string api_url;
  std::string token_env;
  int lease_seconds = 300;
};

Status RunUndoCommand(const UndoFlags& flags, CommandContext& context) {
  PodiumClientOptions client_options;
  client_options.base_url = flags.api_url.empty() ? context.settings.api_url : flags.api_url;
  client_options.token_env = flags.token_env.empty() ? context.settings.token_env : flags.token_env;
  client_options.rate_limit_per_minute = context.settings.rate_limit_per_minute;
  if (client_options.base_url.empty()) {
    return Error{"ERR_DEDUP_USAGE_NO_API_URL", "no API URL: pass --api-url or set api.url in the settings file"};
  }
  auto client = PodiumClient::Create(client_options, context.logger);
  if (!client.ok()) return client.error();

  UndoOptions options;
  options.db_path = flags.db_path;
  options.audit_log_path = flags.audit_log;
  options.cluster_id = flags.cluster_id;
  options.lease_seconds = flags.lease_seconds;
  Result<UndoSummary> summary = UndoMerge(options, *client.value(), *context.logger);
  if (!summary.ok()) return summary.error();
  std::cout << UndoSummaryToJson(summary.value()).dump(2) << '\n';
  return Status::Ok();
}

}  // namespace

CommandHandler SetUpUndoCommand(CLI::App& command) {
  auto flags = std::make_shared<UndoFlags>();
  command.add_option("--cluster-id", flags->cluster_id, "The merged cluster to undo")->required();
  command.add_option("--db", flags->db_path, "SQLite index whose merge_state recorded the merge")
      ->capture_default_str();
  command.add_option("--audit-log", flags->audit_log, "Audit log the merge wrote; the undo is appended to it")
      ->capture_default_str();
  command.add_option("--api-url", flags->api_url,
                     "Base URL of the Podium API (default: api.url in settings)");
  command.add_option("--token-env", flags->token_env,
                     "Environment variable that holds the access token (default: api.token_env in settings)");
  command.add_option("--lease-seconds", flags->lease_seconds, "Seconds the cluster stays reserved for this undo")
      ->capture_default_str();
  return [flags](CommandContext& context) { return RunUndoCommand(*flags, context); };
}

}  // namespace podium_dedup::cli
