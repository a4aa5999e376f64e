#include "cli/command.h"

namespace podium_dedup::cli {

CommandHandler SetUpMergeCommand(CLI::App& /*command*/) {
  return [](CommandContext&) { return NotImplemented("merge"); };
}

}  // namespace podium_dedup::cli
