#include "cli/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <utility>

namespace podium_dedup::cli {
namespace {

Error WriteError(const std::string& path, const std::string& action) {
  return Error{"ERR_DEDUP_OUTPUT_WRITE", "cannot write output file '" + path + "': " + action + " failed: " +
                                             std::strerror(errno) + "; check the folder exists and is writable"};
}

Status WriteAll(int fd, std::string_view content, const std::string& path) {
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
  Result<std::unique_ptr<OutputFile>> file = OutputFile::Open(path, force);
  if (!file.ok()) return file.error();
  if (Status s = file.value()->Write(content); !s.ok()) return s;
  return file.value()->Commit();
}

namespace {
constexpr size_t kOutputBufferBytes = 1 << 20;
}  // namespace

Result<std::unique_ptr<OutputFile>> OutputFile::Open(const std::string& path, bool force) {
  if (path == kStdoutPath) {
    std::cout.flush();  // whatever went through std::cout comes first
    return std::unique_ptr<OutputFile>(new OutputFile(path, "", STDOUT_FILENO, force));
  }
  if (Status checked = CheckOutputPath(path, force); !checked.ok()) return checked.error();
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return WriteError(temporary, "open");
  return std::unique_ptr<OutputFile>(new OutputFile(path, temporary, fd, force));
}

OutputFile::OutputFile(std::string path, std::string temporary, int fd, bool force)
    : path_(std::move(path)), temporary_(std::move(temporary)), fd_(fd), force_(force) {
  buffer_.reserve(kOutputBufferBytes);
}

OutputFile::~OutputFile() {
  if (temporary_.empty() || committed_) return;
  ::close(fd_);
  ::unlink(temporary_.c_str());
}

Status OutputFile::Write(std::string_view piece) {
  buffer_.append(piece);
  if (buffer_.size() < kOutputBufferBytes) return Status::Ok();
  return FlushBuffer();
}

Status OutputFile::FlushBuffer() {
  Status status = WriteAll(fd_, buffer_, temporary_.empty() ? "standard output" : temporary_);
  buffer_.clear();
  return status;
}

Status OutputFile::Commit() {
  Status status = FlushBuffer();
  if (temporary_.empty()) return status;
  committed_ = true;
  if (status.ok() && ::fsync(fd_) != 0) status = WriteError(temporary_, "fsync");
  if (::close(fd_) != 0 && status.ok()) status = WriteError(temporary_, "close");
  // Without --force the rename must not replace a file created meanwhile, so
  // link() is used: it fails with EEXIST instead of replacing.
  if (status.ok() && !force_) {
    if (::link(temporary_.c_str(), path_.c_str()) != 0) {
      status = errno == EEXIST ? Status(Error{"ERR_DEDUP_OUTPUT_EXISTS", "output file '" + path_ +
                                                                             "' already exists; pass --force to overwrite it"})
                               : Status(WriteError(path_, "link"));
    }
  } else if (status.ok() && ::rename(temporary_.c_str(), path_.c_str()) != 0) {
    status = WriteError(path_, "rename");
  }
  ::unlink(temporary_.c_str());
  return status;
}

}  // namespace podium_dedup::cli
