#include "cli/command.h"

namespace podium_dedup::cli {

CommandHandler SetUpDemoCommand(CLI::App& /*command*/) {
  return [](CommandContext&) { return NotImplemented("demo"); };
}

}  // namespace podium_dedup::cli
