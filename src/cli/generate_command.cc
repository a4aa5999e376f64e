// podium-dedup generate: writes a sample tenant and its ground truth.
#include <cctype>
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "podium_dedup/generator.h"

namespace podium_dedup::cli {
namespace {

struct GenerateFlags {
  GeneratorOptions options;
  TenantFiles files;
  std::string format = "jsonl";
};

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

Status RunGenerate(const GenerateFlags& flags, CommandContext& context) {
  GeneratorOptions options = flags.options;
  options.region = Upper(options.region);
  TenantFiles files = flags.files;
  if (flags.format != "jsonl" && flags.format != "csv") {
    return Error{"ERR_DEDUP_USAGE_BAD_FORMAT", "--format '" + flags.format + "' is not supported; use jsonl or csv"};
  }
  files.format = flags.format == "csv" ? TenantFormat::kCsv : TenantFormat::kJsonLines;

  Result<GeneratorSummary> result = WriteSampleTenant(options, files);
  if (!result.ok()) return result.error();
  const GeneratorSummary& summary = result.value();
  context.logger->info(
      "generated {} people, {} contacts ({} people with duplicates, {} merge groups, {} cross-location, "
      "{} shared-phone households, {} opted out, {} deleted) into {}; truth in {}",
      summary.people, summary.contacts, summary.people_with_duplicates, summary.merge_groups,
      summary.cross_location_people, summary.shared_phone_households, summary.opted_out_contacts,
      summary.deleted_contacts, files.output_path, files.truth_path);
  return Status::Ok();
}

}  // namespace

CommandHandler SetUpGenerateCommand(CLI::App& command) {
  auto flags = std::make_shared<GenerateFlags>();
  command.add_option("--people", flags->options.people, "Number of people in the tenant (1 to 10,000,000)")
      ->required();
  command.add_option("--seed", flags->options.seed, "Random seed; the same seed gives the same files")
      ->capture_default_str();
  command.add_option("--output", flags->files.output_path, "Contact export to write (JSON Lines or CSV)")
      ->required();
  command.add_option("--truth", flags->files.truth_path, "Ground-truth JSON file to write")->required();
  command.add_option("--locations", flags->options.locations, "Number of locations, loc-1 to loc-K (1 to 1000)")
      ->capture_default_str();
  command.add_option("--region", flags->options.region, "Region of the phone numbers and addresses: AU or US")
      ->capture_default_str();
  command.add_option("--duplicate-share", flags->options.duplicate_share,
                     "Share of people with 2 to 5 contacts (0 to 1)")
      ->capture_default_str();
  command.add_option("--format", flags->format, "Export format: jsonl or csv")->capture_default_str();
  command.add_flag("--force", flags->files.overwrite, "Replace the output and truth files if they exist");
  return [flags](CommandContext& context) { return RunGenerate(*flags, context); };
}

}  // namespace podium_dedup::cli
