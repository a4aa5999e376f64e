// podium-dedup find-duplicates: import export files into the natural-key
// index, cluster each location's live contacts and write the clusters.
//
// The index accumulates: clustering covers every live contact in --db, not
// only the files of this run, so an unrelated file needs its own --db.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/api_import.h"
#include "cli/command.h"
#include "cli/output_file.h"
#include "podium_dedup/contact_reader.h"
#include "podium_dedup/index.h"
#include "podium_dedup/match.h"
#include "podium_dedup/parallel_writer.h"
#include "podium_dedup/phone.h"

namespace podium_dedup::cli {
namespace {

using Json = nlohmann::ordered_json;

// Review reason added here, after matching, for a cluster whose member is
// also in a cluster of another location: merging both would join contacts
// that were never compared.
constexpr const char* kMemberInOtherCluster = "member_in_other_cluster";

// Bad rows printed one by one before only a count is kept.
constexpr int64_t kMaxPrintedProblems = 20;
constexpr auto kProgressInterval = std::chrono::seconds(5);

struct FindDuplicatesFlags {
  std::vector<std::string> inputs;
  std::string db_path = kDefaultIndexPath;
  std::string region;
  std::string format = "auto";
  std::string column_map;
  std::string location;
  std::string encoding;
  std::string output;
  double threshold = std::numeric_limits<double>::quiet_NaN();  // NaN: the settings value
  bool force = false;
  // The API source; empty api_url means files only.
  std::string api_url;
  std::string token_env;
  std::string location_uid;
  bool all_locations = false;
  bool full_sync = false;
  int rate_limit = -1;  // negative: the settings value
};

// Counts of this run's import, for the summary.
struct ImportTotals {
  int64_t rows = 0;
  int64_t contacts_read = 0;
  int64_t contacts_indexed = 0;
  int64_t problems = 0;
  std::map<std::string, int64_t> skipped_by_code;
};

struct ClusterTotals {
  std::vector<Cluster> clusters;
  int64_t contacts_scanned = 0;
  int64_t locations = 0;
};

Result<InputFormat> ParseFormat(const std::string& text) {
  if (text == "auto") return InputFormat::kAuto;
  if (text == "jsonl") return InputFormat::kJsonLines;
  if (text == "csv") return InputFormat::kCsv;
  return Error{"ERR_DEDUP_USAGE_BAD_FORMAT", "--format '" + text + "' is invalid; use auto, jsonl or csv"};
}

// Applies --region and --threshold to the settings, after checking them.
Status ApplyOverrides(const FindDuplicatesFlags& flags, Settings* settings) {
  if (!flags.region.empty()) {
    std::string region = flags.region;
    std::transform(region.begin(), region.end(), region.begin(), [](unsigned char c) { return std::toupper(c); });
    if (!PhoneNormalizer::IsKnownRegion(region)) {
      return Error{"ERR_DEDUP_USAGE_BAD_REGION",
                   "--region '" + flags.region + "' is not a region libphonenumber knows; use an ISO 3166-1 "
                   "alpha-2 code such as US or AU"};
    }
    settings->default_region = region;
  }
  if (!std::isnan(flags.threshold)) {
    if (flags.threshold < 0.0 || flags.threshold > 1.0) {
      return Error{"ERR_DEDUP_USAGE_BAD_THRESHOLD",
                   "--threshold " + std::to_string(flags.threshold) + " is out of range; use a value from 0 to 1"};
    }
    settings->auto_merge_threshold = flags.threshold;
  }
  return Status::Ok();
}

Result<ReadOptions> MakeReadOptions(const FindDuplicatesFlags& flags) {
  ReadOptions options;
  Result<InputFormat> format = ParseFormat(flags.format);
  if (!format.ok()) return format.error();
  options.format = format.value();
  if (!flags.column_map.empty()) {
    Result<std::map<std::string, std::string>> map = ParseColumnMap(flags.column_map);
    if (!map.ok()) return map.error();
    options.column_map = std::move(map).value();
  }
  options.encoding = flags.encoding;
  options.default_location = flags.location;
  return options;
}

// Prints the first kMaxPrintedProblems bad rows as warnings and counts the rest.
class ProblemReporter {
 public:
  explicit ProblemReporter(Logger& logger) : logger_(logger) {}

  void Report(const ReadProblem& problem) {
    ++count_;
    if (count_ > kMaxPrintedProblems) return;
    logger_.warn("{}:{}:{}: {} [{}]", problem.file, problem.line, problem.column, problem.message, problem.code);
  }

  void PrintHiddenCount() const {
    if (count_ > kMaxPrintedProblems) {
      logger_.warn("{} more bad rows were skipped without a message; the summary counts them by code",
                   count_ - kMaxPrintedProblems);
    }
  }

  int64_t count() const { return count_; }

 private:
  Logger& logger_;
  int64_t count_ = 0;
};

// Logs an info line at most every kProgressInterval (hidden by --quiet).
class ProgressReporter {
 public:
  explicit ProgressReporter(Logger& logger) : logger_(logger), last_(std::chrono::steady_clock::now()) {}

  void Tick(const std::string& file, int64_t contacts) {
    if ((contacts & 1023) != 0) return;  // the clock is read once per 1,024 contacts
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < kProgressInterval) return;
    last_ = now;
    logger_.info("{}: {} contacts indexed so far", file, contacts);
  }

 private:
  Logger& logger_;
  std::chrono::steady_clock::time_point last_;
};

Status ImportFile(const std::string& path, const ReadOptions& read_options, const Settings& settings,
                  const PhoneNormalizer& normalizer, ContactIndex& index, Logger& logger, ImportTotals* totals) {
  ProblemReporter problems(logger);
  ProgressReporter progress(logger);  // ticked on the writer thread only
  ParallelWriterOptions writer_options;
  writer_options.on_written = [&](int64_t written) { progress.Tick(path, written); };
  ParallelIndexWriter writer(index, settings, normalizer, NormalizeEmail, "file:" + path, writer_options);
  ReadStats stats;
  Status read = ReadContactsFile(path, read_options, [&](Contact&& contact) { writer.Add(std::move(contact)); },
                                 [&](const ReadProblem& problem) { problems.Report(problem); }, &stats);
  problems.PrintHiddenCount();
  if (!read.ok()) return read;
  if (Status written = writer.Finish(); !written.ok()) return written;
  const int64_t indexed = writer.written();

  totals->rows += stats.rows;
  totals->contacts_read += stats.contacts;
  totals->contacts_indexed += indexed;
  totals->problems += problems.count();
  for (const auto& [code, count] : stats.problems_by_code) totals->skipped_by_code[code] += count;
  logger.info("{}: {} rows, {} contacts indexed, {} rows skipped", path, stats.rows, indexed, stats.skipped);
  return Status::Ok();
}

// Marks clusters that share a member with another cluster (possible only
// across locations, for a contact in several locations) as review-only.
void SendSharedMembersToReview(std::vector<Cluster>& clusters) {
  std::map<std::string, int> clusters_per_uid;
  for (const Cluster& cluster : clusters) {
    for (const std::string& uid : cluster.contact_uids) ++clusters_per_uid[uid];
  }
  for (Cluster& cluster : clusters) {
    const bool shared = std::any_of(cluster.contact_uids.begin(), cluster.contact_uids.end(),
                                    [&](const std::string& uid) { return clusters_per_uid[uid] > 1; });
    if (!shared) continue;
    cluster.auto_merge = false;
    cluster.review_reasons.push_back(kMemberInOtherCluster);
  }
}

Result<ClusterTotals> ClusterIndex(ContactIndex& index, const Settings& settings) {
  MatchOptions options;
  options.auto_merge_threshold = settings.auto_merge_threshold;
  options.hot_key_limit = settings.hot_key_limit;
  ClusterTotals totals;
  Status scanned = index.ForEachLocation(
      [&](const std::string&, std::vector<IndexedContact>& contacts) {
        ++totals.locations;
        for (Cluster& cluster : FindClusters(contacts, options)) totals.clusters.push_back(std::move(cluster));
        return Status::Ok();
      },
      ScanDetail::kMatchCandidates, &totals.contacts_scanned);
  if (!scanned.ok()) return scanned.error();

  SendSharedMembersToReview(totals.clusters);
  std::sort(totals.clusters.begin(), totals.clusters.end(), [](const Cluster& a, const Cluster& b) {
    return std::tie(a.location_uid, a.cluster_id) < std::tie(b.location_uid, b.cluster_id);
  });
  return totals;
}

Json FactorsJson(const PairEvidence& pair) {
  Json factors = Json::array();
  const std::pair<bool, const char*> flags[] = {
      {pair.shared_phone, "shared_phone"},         {pair.shared_email_key, "shared_email_key"},
      {pair.same_name, "same_name"},               {pair.same_email, "same_email"},
      {pair.overlapping_tags, "overlapping_tags"}, {pair.extension_mismatch, "extension_mismatch"},
      {pair.region_fallback, "region_fallback"},   {pair.name_mismatch, "name_mismatch"},
      {pair.phone_conflict, "phone_conflict"},
  };
  for (const auto& [set, name] : flags) {
    if (set) factors.push_back(name);
  }
  return factors;
}

Json ClusterJson(const Cluster& cluster) {
  Json evidence = Json::array();
  for (const PairEvidence& pair : cluster.evidence) {
    evidence.push_back(Json{{"uids", {pair.uid_a, pair.uid_b}},
                            {"score", pair.score},
                            {"factors", FactorsJson(pair)},
                            {"shared_keys", pair.shared_keys}});
  }
  return Json{
      {"cluster_id", cluster.cluster_id},
      {"location_uid", cluster.location_uid},
      {"natural_keys", cluster.natural_keys},
      {"contact_uids", cluster.contact_uids},
      {"confidence", cluster.confidence},
      {"auto_merge", cluster.auto_merge},
      {"hot_key", cluster.hot_key},
      {"hot_keys", cluster.hot_keys},
      {"review_reasons", cluster.review_reasons},
      {"primary_uid", cluster.primary_uid},
      {"opt_out_union",
       {{"marketing", cluster.opt_out_union.marketing},
        {"sms", cluster.opt_out_union.sms},
        {"email", cluster.opt_out_union.email}}},
      {"pair_count", cluster.pair_count},
      {"evidence_truncated", cluster.evidence_truncated},
      {"evidence", evidence},
  };
}

Json SummaryJson(const FindDuplicatesFlags& flags, const ImportTotals& imported, const ClusterTotals& clustered,
                 const IndexCounts& counts, const std::map<std::string, int64_t>& invalid_phones) {
  int64_t auto_merge = 0;
  int64_t members = 0;
  std::set<std::string> hot_keys;
  for (const Cluster& cluster : clustered.clusters) {
    if (cluster.auto_merge) ++auto_merge;
    members += static_cast<int64_t>(cluster.contact_uids.size());
    hot_keys.insert(cluster.hot_keys.begin(), cluster.hot_keys.end());
  }
  return Json{
      {"inputs", flags.inputs},
      {"db", flags.db_path},
      {"rows_read", imported.rows},
      {"contacts_read", imported.contacts_read},
      {"contacts_indexed", imported.contacts_indexed},
      {"skipped_rows", imported.skipped_by_code},
      {"index_contacts", counts.contacts},
      {"index_live_contacts", counts.live_contacts},
      {"locations", clustered.locations},
      {"contacts_clustered", clustered.contacts_scanned},
      {"clusters", clustered.clusters.size()},
      {"auto_merge_clusters", auto_merge},
      {"review_clusters", static_cast<int64_t>(clustered.clusters.size()) - auto_merge},
      {"contacts_in_clusters", members},
      {"contacts_with_no_valid_phone", invalid_phones},
      {"hot_keys", hot_keys},
  };
}

// Appends `json` printed with an indent of 2, every line shifted right by
// `indent` spaces, so that it nests inside the document being streamed.
void AppendIndented(const Json& json, const std::string& indent, std::string* out) {
  const std::string text = json.dump(2);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (start > 0) out->append(indent);
    out->append(text, start, end - start);
    if (end < text.size()) out->push_back('\n');
    start = end + 1;
  }
}

// Writes {"clusters": [...], "summary": {...}} one cluster at a time, so the
// file for a million contacts is never built whole in memory. The layout is
// what Json::dump(2) gives for the whole document.
Status WriteClustersFile(const FindDuplicatesFlags& flags, const std::vector<Cluster>& clusters, const Json& summary) {
  Result<std::unique_ptr<OutputFile>> file = OutputFile::Open(flags.output, flags.force);
  if (!file.ok()) return file.error();
  OutputFile& out = *file.value();
  std::string piece = clusters.empty() ? "{\n  \"clusters\": []" : "{\n  \"clusters\": [\n    ";
  for (size_t i = 0; i < clusters.size(); ++i) {
    if (i > 0) piece.append(",\n    ");
    AppendIndented(ClusterJson(clusters[i]), "    ", &piece);
    if (Status s = out.Write(piece); !s.ok()) return s;
    piece.clear();
  }
  if (!clusters.empty()) piece.append("\n  ]");
  piece.append(",\n  \"summary\": ");
  AppendIndented(summary, "  ", &piece);
  piece.append("\n}\n");
  if (Status s = out.Write(piece); !s.ok()) return s;
  return out.Commit();
}

// Stores the settings' location names and regions, so that later commands
// (cross-location) can name a location without the settings file.
Status StoreLocations(const Settings& settings, ContactIndex& index) {
  for (const auto& [uid, location] : settings.locations) {
    if (Status s = index.UpsertLocation(uid, location.name, settings.RegionFor(uid)); !s.ok()) return s;
  }
  return Status::Ok();
}

// Checks that the API flags go together. The API is read when a scope
// (--location-uid or --all-locations) is given; the URL may come from the
// settings.
Status CheckApiFlags(const FindDuplicatesFlags& flags, const Settings& settings) {
  const bool scoped = !flags.location_uid.empty() || flags.all_locations;
  if ((!flags.api_url.empty() && !scoped) || (!flags.location_uid.empty() && flags.all_locations)) {
    return Error{"ERR_DEDUP_USAGE_API_SCOPE",
                 "reading from the API needs exactly one of --location-uid UID or --all-locations"};
  }
  if (scoped && flags.api_url.empty() && settings.api_url.empty()) {
    return Error{"ERR_DEDUP_USAGE_MISSING_API_URL",
                 "--location-uid and --all-locations read from the API; add --api-url URL or set api.url in "
                 "the settings"};
  }
  return Status::Ok();
}

Result<ApiImportOptions> MakeApiImportOptions(const FindDuplicatesFlags& flags, const Settings& settings) {
  ApiImportOptions options;
  options.api_url = flags.api_url.empty() ? settings.api_url : flags.api_url;
  options.token_env = flags.token_env.empty() ? settings.token_env : flags.token_env;
  options.location_uid = flags.location_uid;
  options.full = flags.full_sync;
  options.rate_limit_per_minute = flags.rate_limit >= 0 ? flags.rate_limit : settings.rate_limit_per_minute;
  return options;
}

Json ApiSummaryJson(const ApiImportTotals& totals) {
  return Json{
      {"contacts_listed", totals.listed},
      {"contacts_indexed", totals.indexed},
      {"soft_deleted", totals.deleted},
      {"unreadable", totals.unreadable},
      {"locations", totals.locations},
      {"previous_high_water_mark", totals.previous_high_water_mark},
      {"high_water_mark", totals.high_water_mark},
      {"requests", totals.client.requests},
      {"retries", totals.client.retries},
      {"rate_limited", totals.client.rate_limited},
      {"rate_limiter_wait_seconds", totals.client.rate_limiter_wait_seconds},
      {"retry_after_wait_seconds", totals.client.retry_after_wait_seconds},
  };
}

Status RunFindDuplicates(const FindDuplicatesFlags& flags, CommandContext& context) {
  Logger& logger = *context.logger;
  if (Status s = CheckApiFlags(flags, context.settings); !s.ok()) return s;
  if (Status s = CheckOutputPath(flags.output, flags.force); !s.ok()) return s;
  Settings settings = context.settings;
  if (Status s = ApplyOverrides(flags, &settings); !s.ok()) return s;
  Result<ReadOptions> read_options = MakeReadOptions(flags);
  if (!read_options.ok()) return read_options.error();

  // A missing input is reported before the index is opened, so a typo in a
  // path does not leave a new, empty index file behind.
  for (const std::string& input : flags.inputs) {
    std::error_code error;
    if (!std::filesystem::exists(input, error)) {
      return Error{"ERR_DEDUP_INPUT_NOT_FOUND", "input file '" + input + "' not found; check the path"};
    }
  }
  Result<std::unique_ptr<ContactIndex>> index = ContactIndex::Open(flags.db_path, context.logger);
  if (!index.ok()) return index.error();
  if (Status s = StoreLocations(settings, *index.value()); !s.ok()) return s;

  const PhoneNormalizer normalizer(PhoneOptions{settings.fallback_regions, settings.placeholder_blocklist});
  ImportTotals imported;
  for (const std::string& input : flags.inputs) {
    Status s = ImportFile(input, read_options.value(), settings, normalizer, *index.value(), logger, &imported);
    if (!s.ok()) return s;
  }
  std::optional<ApiImportTotals> api_totals;
  if (flags.all_locations || !flags.location_uid.empty()) {
    Result<ApiImportOptions> api_options = MakeApiImportOptions(flags, settings);
    if (!api_options.ok()) return api_options.error();
    Result<ApiImportTotals> pulled =
        ImportFromApi(api_options.value(), settings, normalizer, *index.value(), context.logger);
    if (!pulled.ok()) return pulled.error();
    api_totals = std::move(pulled).value();
    logger.info("API: {} contacts listed, {} indexed ({} soft-deleted), {} requests, {} retries",
                api_totals->listed, api_totals->indexed, api_totals->deleted, api_totals->client.requests,
                api_totals->client.retries);
  }

  Result<std::vector<std::string>> unfinished = index.value()->UnfinishedImports();
  if (!unfinished.ok()) return unfinished.error();
  for (const std::string& source : unfinished.value()) {
    logger.warn("index '{}': an earlier import of '{}' was stopped before it finished, so clusters may miss "
                "contacts of it; run find-duplicates again with that input before merging",
                flags.db_path, source);
  }

  Result<ClusterTotals> clustered = ClusterIndex(*index.value(), settings);
  if (!clustered.ok()) return clustered.error();
  Result<IndexCounts> counts = index.value()->Count();
  if (!counts.ok()) return counts.error();
  Result<std::map<std::string, int64_t>> invalid_phones = index.value()->CountAllPhonesInvalidByReason();
  if (!invalid_phones.ok()) return invalid_phones.error();

  Json summary = SummaryJson(flags, imported, clustered.value(), counts.value(), invalid_phones.value());
  if (api_totals) summary["api"] = ApiSummaryJson(*api_totals);
  summary["unfinished_imports"] = unfinished.value();
  if (Status s = WriteClustersFile(flags, clustered.value().clusters, summary); !s.ok()) return s;

  logger.info("{} clusters ({} auto-merge) among {} live contacts in {} locations; written to {}",
              summary["clusters"].get<int64_t>(), summary["auto_merge_clusters"].get<int64_t>(),
              clustered.value().contacts_scanned, clustered.value().locations, flags.output);
  return Status::Ok();
}

}  // namespace

CommandHandler SetUpFindDuplicatesCommand(CLI::App& command) {
  auto flags = std::make_shared<FindDuplicatesFlags>();
  command.add_option("-i,--input", flags->inputs,
                     "Contact export file (JSON Lines or CSV) to import before clustering; repeat for several "
                     "files. Without it or --api-url, the contacts already in --db are clustered");
  command.add_option("--db", flags->db_path, "SQLite index file; created with mode 0600 if missing")
      ->capture_default_str();
  command.add_option("--region", flags->region,
                     "Region (ISO 3166-1 alpha-2, such as US) for numbers written without '+'; overrides "
                     "default_region of the settings, not a location's own region");
  command.add_option("--format", flags->format, "Input format: auto (by extension, then content), jsonl or csv")
      ->capture_default_str();
  command.add_option("--map", flags->column_map,
                     "CSV column mapping, field=header pairs separated by commas, such as "
                     "\"uid=id,name=Full Name,phone=Mobile\"; fields: uid, name, phone, email, location, tags, "
                     "updated_at, deleted_at, marketing_opt_out, sms_opt_out, email_opt_out");
  command.add_option("--location", flags->location, "Location uid given to CSV rows that have none");
  command.add_option("--encoding", flags->encoding, "Input encoding: utf-8 or windows-1252; detected when omitted");
  command.add_option("--threshold", flags->threshold,
                     "Auto-merge threshold from 0 to 1: every pair of a cluster must score at least this; "
                     "overrides matching.auto_merge_threshold of the settings");
  command.add_option("-o,--output", flags->output, "Clusters file (JSON) to write; '-' writes to standard output")
      ->required();
  command.add_flag("--force", flags->force, "Overwrite --output if it exists");
  command.add_option("--api-url", flags->api_url,
                     "Podium API base URL to pull contacts from, such as https://api.podium.com/v4; "
                     "http:// is accepted only for loopback hosts (the fake server). Overrides api.url");
  command.add_option("--token-env", flags->token_env,
                     "Name of the environment variable that holds the access token (default from "
                     "api.token_env, PODIUM_ACCESS_TOKEN); the token itself is never a flag");
  command.add_option("--location-uid", flags->location_uid, "Pull only the contacts of this location uid");
  command.add_flag("--all-locations", flags->all_locations, "Pull the contacts of every location");
  command.add_flag("--full-sync", flags->full_sync,
                   "Ignore the stored high-water mark and list every contact again");
  command.add_option("--rate-limit", flags->rate_limit,
                     "Client-side API requests per minute; 0 disables the limiter. Overrides "
                     "api.rate_limit_per_minute");
  return [flags](CommandContext& context) { return RunFindDuplicates(*flags, context); };
}

}  // namespace podium_dedup::cli
