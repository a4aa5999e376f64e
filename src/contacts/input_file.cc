#include "contacts/input_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace podium_dedup::contacts {
namespace {

constexpr size_t kChunkSize = size_t{1} << 20;

}  // namespace

InputFile::~InputFile() {
  if (file_ != nullptr) std::fclose(file_);
}

Status InputFile::Open(const std::string& path) {
  path_ = path;
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    return Error{"ERR_DEDUP_INPUT_UNREADABLE", "input '" + path + "' is a directory; pass a contact file"};
  }
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) {
    const int error = errno;
    if (error == ENOENT) {
      return Error{"ERR_DEDUP_INPUT_NOT_FOUND", "input file '" + path + "' not found; check the path"};
    }
    return Error{"ERR_DEDUP_INPUT_UNREADABLE",
                 "cannot open input file '" + path + "': " + std::strerror(error) + "; check its permissions"};
  }
  buffer_.resize(kChunkSize);
  Fill();
  return status_;
}

void InputFile::SkipByteOrderMark() {
  if (Buffered().substr(0, 3) == "\xEF\xBB\xBF") pos_ += 3;
}

bool InputFile::Fill() {
  // Keeps the unread tail, so that Buffered() may look ahead across a refill.
  const size_t tail = end_ - pos_;
  if (tail > 0 && pos_ > 0) std::memmove(buffer_.data(), buffer_.data() + pos_, tail);
  pos_ = 0;
  end_ = tail;
  if (file_ == nullptr || !status_.ok()) return end_ > 0;
  const size_t read = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_);
  end_ += read;
  if (read == 0 && std::ferror(file_)) {
    status_ = Error{"ERR_DEDUP_INPUT_UNREADABLE", "reading input file '" + path_ + "' failed: " +
                                                      std::strerror(errno) + "; check the disk and retry"};
  }
  return end_ > 0;
}

bool InputFile::ReadLine(std::string* line) {
  line->clear();
  bool read_any = false;
  while (pos_ < end_ || Fill()) {
    read_any = true;
    const char* start = buffer_.data() + pos_;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - pos_));
    if (newline != nullptr) {
      line->append(start, newline);
      pos_ += static_cast<size_t>(newline - start) + 1;
      return true;
    }
    line->append(start, end_ - pos_);
    pos_ = end_;
  }
  return read_any;
}

}  // namespace podium_dedup::contacts
