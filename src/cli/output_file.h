// Output files of the CLI: written whole or not at all, and never over an
// existing file unless --force is given.
#ifndef PODIUM_DEDUP_CLI_OUTPUT_FILE_H_
#define PODIUM_DEDUP_CLI_OUTPUT_FILE_H_

#include <memory>
#include <string>
#include <string_view>

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

// An output file written piece by piece, with the guarantees of
// WriteOutputFile: the pieces go to a temporary file that Commit() moves to
// the path, so a large output never has to be held in memory whole and a
// reader still never reads a partial file. Without Commit() (an error on
// the way) the destructor removes the temporary file.
class OutputFile {
 public:
  static Result<std::unique_ptr<OutputFile>> Open(const std::string& path, bool force);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Appends `piece`; writes are buffered.
  Status Write(std::string_view piece);
  Status Commit();

 private:
  OutputFile(std::string path, std::string temporary, int fd, bool force);
  Status FlushBuffer();

  std::string path_;
  std::string temporary_;  // empty for standard output
  int fd_;
  bool force_;
  bool committed_ = false;
  std::string buffer_;
};

}  // namespace podium_dedup::cli

#endif  // PODIUM_DEDUP_CLI_OUTPUT_FILE_H_
