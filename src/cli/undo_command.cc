#include "cli/command.h"

namespace podium_dedup::cli {

CommandHandler SetUpUndoCommand(CLI::App& /*command*/) {
  return [](CommandContext&) { return NotImplemented("undo"); };
}

}  // namespace podium_dedup::cli
