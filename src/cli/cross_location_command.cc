// podium-dedup cross-location: the review queue of natural keys that live
// contacts of different locations share. Nothing here is merged: Podium
// keeps a contact per location, so such a pair is for a person to judge.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output_file.h"
#include "podium_dedup/index.h"

namespace podium_dedup::cli {
namespace {

using Json = nlohmann::ordered_json;

struct CrossLocationFlags {
  std::string db_path = kDefaultIndexPath;
  std::string output;
  bool force = false;
};

// The settings' name wins over the one stored in the index, because the
// settings file is what the user edits.
std::string LocationName(const Settings& settings, const SharedKeyHolder& holder) {
  std::string name = settings.LocationName(holder.location_uid);
  return name.empty() ? holder.location_name : name;
}

Json ReviewItemJson(const SharedKey& key, const Settings& settings) {
  Json contacts = Json::array();
  std::map<std::string, int> per_location;
  for (const SharedKeyHolder& holder : key.holders) {
    ++per_location[holder.location_uid];
    contacts.push_back(Json{{"contact_uid", holder.contact_uid},
                            {"location_uid", holder.location_uid},
                            {"location_name", LocationName(settings, holder)},
                            {"name", holder.name}});
  }
  return Json{{"natural_key", key.natural_key},
              {"kind", key.kind},
              {"location_count", per_location.size()},
              {"contacts", std::move(contacts)}};
}

Status RunCrossLocation(const CrossLocationFlags& flags, CommandContext& context) {
  if (Status s = CheckOutputPath(flags.output, flags.force); !s.ok()) return s;
  std::error_code missing;
  if (!std::filesystem::exists(flags.db_path, missing)) {
    return Error{"ERR_DEDUP_DB_NOT_FOUND", "index database '" + flags.db_path +
                                               "' not found; run find-duplicates first or pass its --db path"};
  }
  Result<std::unique_ptr<ContactIndex>> index = ContactIndex::Open(flags.db_path, context.logger);
  if (!index.ok()) return index.error();
  Result<std::vector<SharedKey>> shared = index.value()->FindCrossLocationKeys();
  if (!shared.ok()) return shared.error();

  Json items = Json::array();
  int64_t contacts = 0;
  std::map<std::string, int64_t> keys_by_kind;
  for (const SharedKey& key : shared.value()) {
    items.push_back(ReviewItemJson(key, context.settings));
    contacts += static_cast<int64_t>(key.holders.size());
    ++keys_by_kind[key.kind];
  }
  const Json summary{{"db", flags.db_path},
                     {"shared_keys", shared.value().size()},
                     {"shared_keys_by_kind", keys_by_kind},
                     {"contact_entries", contacts}};
  const Json output{{"review_queue", std::move(items)}, {"summary", summary}};
  if (Status s = WriteOutputFile(flags.output, output.dump(2) + "\n", flags.force); !s.ok()) return s;

  context.logger->info("{} natural keys shared across locations ({} phone, {} email), {} contact entries; "
                       "written to {} for review, nothing merged",
                       shared.value().size(), keys_by_kind["phone"], keys_by_kind["email"], contacts, flags.output);
  return Status::Ok();
}

}  // namespace

CommandHandler SetUpCrossLocationCommand(CLI::App& command) {
  auto flags = std::make_shared<CrossLocationFlags>();
  command.add_option("--db", flags->db_path, "SQLite index file written by find-duplicates")->capture_default_str();
  command.add_option("-o,--output", flags->output,
                     "Review queue file (JSON) to write; '-' writes to standard output")
      ->required();
  command.add_flag("--force", flags->force, "Overwrite --output if it exists");
  return [flags](CommandContext& context) { return RunCrossLocation(*flags, context); };
}

}  // namespace podium_dedup::cli
