#include "cli/command.h"

namespace podium_dedup::cli {

CommandHandler SetUpNormalizeCommand(CLI::App& /*command*/) {
  return [](CommandContext&) { return NotImplemented("normalize"); };
}

}  // namespace podium_dedup::cli
