#include "cli/command.h"

namespace podium_dedup::cli {

CommandHandler SetUpFindDuplicatesCommand(CLI::App& /*command*/) {
  return [](CommandContext&) { return NotImplemented("find-duplicates"); };
}

}  // namespace podium_dedup::cli
