#include "cli/command.h"

namespace podium_dedup::cli {

CommandHandler SetUpCrossLocationCommand(CLI::App& /*command*/) {
  return [](CommandContext&) { return NotImplemented("cross-location"); };
}

}  // namespace podium_dedup::cli
