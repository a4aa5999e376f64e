// podium-dedup: the command-line entry point.
//
// The only place that parses flags, sets up logging and decides exit codes.
// Each subcommand lives in its own file under src/cli/.
#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/command.h"

namespace podium_dedup::cli {
namespace {

struct CommandEntry {
  const char* name;
  const char* help;
  CommandSetup setup;
  bool parses_phones;  // reads default_region from the settings
};

const CommandEntry kCommands[] = {
    {"normalize", "Normalize raw phone values to E.164 natural keys", SetUpNormalizeCommand, true},
    {"generate", "Write a generated sample tenant (contacts with known duplicates) and its ground truth",
     SetUpGenerateCommand, false},
    {"find-duplicates", "Index contacts from an export file or the API and write duplicate clusters",
     SetUpFindDuplicatesCommand, true},
    {"cross-location", "Write the review queue of phones shared by contacts in different locations",
     SetUpCrossLocationCommand, false},
    {"merge", "Merge duplicate clusters through the Podium API", SetUpMergeCommand, false},
    {"undo", "Undo a merge from the audit log's before-state", SetUpUndoCommand, false},
    {"demo", "Run the whole pipeline against a local fake Podium server on a generated tenant",
     SetUpDemoCommand, false},
};

// Exit codes by error-code prefix, so that scripts can tell the kinds of
// failure apart. Documented in docs/errors.md.
struct ExitCodeRule {
  std::string_view prefix;
  int exit_code;
};
const ExitCodeRule kExitCodes[] = {
    {"ERR_DEDUP_USAGE", 2},   {"ERR_DEDUP_CONFIG", 2}, {"ERR_DEDUP_INPUT", 3},
    {"ERR_DEDUP_OUTPUT", 3},  {"ERR_DEDUP_AUTH", 4},   {"ERR_DEDUP_TOKEN", 4},
    {"ERR_DEDUP_NETWORK", 5}, {"ERR_DEDUP_API", 6},    {"ERR_DEDUP_DB", 7},
    {"ERR_DEDUP_MERGE", 8},   {"ERR_DEDUP_UNDO", 8},
};

int ExitCodeFor(const std::string& code) {
  for (const auto& rule : kExitCodes) {
    if (std::string_view(code).substr(0, rule.prefix.size()) == rule.prefix) return rule.exit_code;
  }
  return 1;
}

std::shared_ptr<Logger> MakeStderrLogger(bool quiet, bool verbose) {
  auto logger = spdlog::stderr_color_mt("podium-dedup");
  logger->set_pattern("%^%l%$: %v");
  spdlog::level::level_enum level = spdlog::level::info;
  if (verbose) level = spdlog::level::debug;
  if (quiet) level = spdlog::level::warn;
  logger->set_level(level);
  return logger;
}

}  // namespace

// Ctrl-C (SIGINT) and SIGTERM still end the process with the signal's
// usual status, after one line stating that committed work is kept. Only
// async-signal-safe calls are made here.
extern "C" void OnStopSignal(int signal_number) {
  static const char kMessage[] =
      "\npodium-dedup: stopped by a signal; committed work is kept, and running the same command again "
      "resumes it\n";
  const ssize_t written = ::write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
  static_cast<void>(written);
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

int Main(int argc, char** argv) {
  ::signal(SIGINT, OnStopSignal);
  ::signal(SIGTERM, OnStopSignal);
  CLI::App app{"podium-dedup: find and merge duplicate contacts in a Podium tenant"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(PODIUM_DEDUP_VERSION));

  std::string config_path = kDefaultConfigPath;
  bool quiet = false;
  bool verbose = false;
  CommandHandler selected;
  bool selected_parses_phones = false;
  for (const CommandEntry& entry : kCommands) {
    CLI::App* command = app.add_subcommand(entry.name, entry.help);
    command->add_option("--config", config_path,
                        "Settings file (YAML); a missing default file means built-in defaults")
        ->capture_default_str();
    command->add_flag("-q,--quiet", quiet, "Print only warnings and errors on stderr");
    command->add_flag("-v,--verbose", verbose, "Print debug diagnostics on stderr");
    CommandHandler handler = entry.setup(*command);
    const bool parses_phones = entry.parses_phones;
    command->callback([&selected, &selected_parses_phones, handler, parses_phones] {
      selected = handler;
      selected_parses_phones = parses_phones;
    });
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the message. Its own exit codes (106, 114, ...) become the
    // usage status, so scripts see one code for bad flags.
    const int cli11_code = app.exit(e);
    return cli11_code == 0 ? 0 : 2;
  }

  auto logger = MakeStderrLogger(quiet, verbose);
  const bool config_is_default = config_path == kDefaultConfigPath;
  Result<Settings> settings = LoadSettings(config_path, config_is_default);
  if (settings.ok() && selected_parses_phones && config_is_default && !std::filesystem::exists(config_path)) {
    // The path is relative to the working folder, so running from another
    // folder would otherwise change the default region without a message.
    logger->warn("no {} in the current folder; using built-in settings (default_region {}). Pass --config "
                 "PATH, or --region for commands that take it",
                 config_path, settings.value().default_region);
  }
  if (!settings.ok()) {
    logger->error("{} [{}]", settings.error().message, settings.error().code);
    return ExitCodeFor(settings.error().code);
  }
  CommandContext context{std::move(settings).value(), logger, quiet};
  const Status status = selected(context);
  if (!status.ok()) {
    logger->error("{} [{}]", status.message(), status.code());
    return ExitCodeFor(status.code());
  }
  return 0;
}

}  // namespace podium_dedup::cli

// Read by jemalloc, which CMakeLists.txt links in when it is installed, and
// ignored otherwise. Freed memory goes back to the system after one second
// instead of ten, so memory the index build freed is returned before
// clustering allocates its own.
extern "C" {
const char* malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";
}

int main(int argc, char** argv) { return podium_dedup::cli::Main(argc, argv); }
