#include "cli/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace podium_dedup::cli {
namespace {

Error WriteError(const std::string& path, const std::string& action) {
  return Error{"ERR_DEDUP_OUTPUT_WRITE", "cannot write output file '" + path + "': " + action + " failed: " +
                                             std::strerror(errno) + "; check the folder exists and is writable"};
}

Status WriteAll(int fd, const std::string& content, const std::string& path) {
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return WriteError(path, "write");
    written += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Status CheckOutputPath(const std::string& path, bool force) {
  if (path == kStdoutPath || force) return Status::Ok();
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    return Error{"ERR_DEDUP_OUTPUT_EXISTS",
                 "output file '" + path + "' already exists; pass --force to overwrite it, or choose another --output"};
  }
  return Status::Ok();
}

Status WriteOutputFile(const std::string& path, const std::string& content, bool force) {
  if (path == kStdoutPath) {
    std::cout << content << std::flush;
    return std::cout ? Status::Ok() : Status(Error{"ERR_DEDUP_OUTPUT_WRITE", "cannot write to standard output"});
  }
  if (Status checked = CheckOutputPath(path, force); !checked.ok()) return checked;

  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return WriteError(temporary, "open");
  Status status = WriteAll(fd, content, temporary);
  if (status.ok() && ::fsync(fd) != 0) status = WriteError(temporary, "fsync");
  if (::close(fd) != 0 && status.ok()) status = WriteError(temporary, "close");
  // Without --force the rename must not replace a file created meanwhile, so
  // link() is used: it fails with EEXIST instead of replacing.
  if (status.ok() && !force) {
    if (::link(temporary.c_str(), path.c_str()) != 0) {
      status = errno == EEXIST ? Status(Error{"ERR_DEDUP_OUTPUT_EXISTS", "output file '" + path +
                                                                            "' already exists; pass --force to overwrite it"})
                               : Status(WriteError(path, "link"));
    }
  } else if (status.ok() && ::rename(temporary.c_str(), path.c_str()) != 0) {
    status = WriteError(path, "rename");
  }
  ::unlink(temporary.c_str());
  return status;
}

}  // namespace podium_dedup::cli
