// The subcommand interface shared by main() and the files under src/cli/.
//
// Each subcommand file defines one Set*Command function: it declares the
// subcommand's options on the CLI11 app it is given and returns the handler
// that runs once the command line is parsed. main() owns the table of
// subcommands, the options every subcommand shares, and the exit codes.
#ifndef PODIUM_DEDUP_CLI_COMMAND_H_
#define PODIUM_DEDUP_CLI_COMMAND_H_

#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "podium_dedup/config.h"
#include "podium_dedup/log.h"
#include "podium_dedup/result.h"

namespace podium_dedup::cli {

// What a handler receives: the settings loaded from --config, and the
// logger for diagnostics on stderr. Machine-readable output goes to stdout.
struct CommandContext {
  Settings settings;
  std::shared_ptr<Logger> logger;
  bool quiet = false;
};

using CommandHandler = std::function<Status(CommandContext&)>;
using CommandSetup = CommandHandler (*)(CLI::App& command);

CommandHandler SetUpNormalizeCommand(CLI::App& command);
CommandHandler SetUpGenerateCommand(CLI::App& command);
CommandHandler SetUpFindDuplicatesCommand(CLI::App& command);
CommandHandler SetUpCrossLocationCommand(CLI::App& command);
CommandHandler SetUpMergeCommand(CLI::App& command);
CommandHandler SetUpUndoCommand(CLI::App& command);
CommandHandler SetUpDemoCommand(CLI::App& command);

}  // namespace podium_dedup::cli

#endif  // PODIUM_DEDUP_CLI_COMMAND_H_
