// Output files of the CLI: written whole or not at all, and never over an
// existing file unless --force is given.
#ifndef PODIUM_DEDUP_CLI_OUTPUT_FILE_H_
#define PODIUM_DEDUP_CLI_OUTPUT_FILE_H_

#include <string>

#include "podium_dedup/result.h"

namespace podium_dedup::cli {

// The output path that means standard output.
inline constexpr const char* kStdoutPath = "-";

// Returns ERR_DEDUP_OUTPUT_EXISTS when `path` exists and `force` is false,
// so a command can stop before doing any work.
Status CheckOutputPath(const std::string& path, bool force);

// Writes `content` to `path` through a temporary file in the same folder and
// a rename, so a reader never sees a partial file. "-" writes to stdout.
// Errors: ERR_DEDUP_OUTPUT_EXISTS, ERR_DEDUP_OUTPUT_WRITE.
Status WriteOutputFile(const std::string& path, const std::string& content, bool force);

}  // namespace podium_dedup::cli

#endif  // PODIUM_DEDUP_CLI_OUTPUT_FILE_H_
