#include "cli/command.h"

namespace podium_dedup::cli {

CommandHandler SetUpGenerateCommand(CLI::App& /*command*/) {
  return [](CommandContext&) { return NotImplemented("generate"); };
}

}  // namespace podium_dedup::cli
