// A buffered, read-only input file for the contact readers.
//
// Reads in 1 MiB chunks and hands out lines or single bytes, so that the
// readers allocate nothing per line beyond growing the caller's buffer.
#ifndef PODIUM_DEDUP_SRC_CONTACTS_INPUT_FILE_H_
#define PODIUM_DEDUP_SRC_CONTACTS_INPUT_FILE_H_

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "podium_dedup/result.h"

namespace podium_dedup::contacts {

class InputFile {
 public:
  InputFile() = default;
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Opens `path` and reads the first chunk. Errors: ERR_DEDUP_INPUT_NOT_FOUND,
  // ERR_DEDUP_INPUT_UNREADABLE (a directory, no permission, a read error).
  Status Open(const std::string& path);

  // Skips a UTF-8 byte order mark at the current position, if there is one.
  void SkipByteOrderMark();

  // The bytes read ahead but not consumed yet: at least the start of the
  // file right after Open(), for format and delimiter detection.
  std::string_view Buffered() const { return {buffer_.data() + pos_, end_ - pos_}; }

  // Reads up to the next '\n' (not included) into `line`, replacing its
  // contents. Returns false at the end of the file.
  bool ReadLine(std::string* line);

  // Returns the next byte (0-255) and consumes it, or -1 at the end of the file.
  int Get() {
    if (pos_ == end_ && !Fill()) return -1;
    return static_cast<unsigned char>(buffer_[pos_++]);
  }

  // Returns the next byte without consuming it, or -1 at the end of the file.
  int Peek() {
    if (pos_ == end_ && !Fill()) return -1;
    return static_cast<unsigned char>(buffer_[pos_]);
  }

  // Ok, or ERR_DEDUP_INPUT_UNREADABLE when a read failed before the end.
  const Status& status() const { return status_; }

 private:
  bool Fill();

  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  Status status_;
};

}  // namespace podium_dedup::contacts

#endif  // PODIUM_DEDUP_SRC_CONTACTS_INPUT_FILE_H_
