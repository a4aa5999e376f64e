// Fuzz support: the readers take a path, so each input is written to a file
// of this process (one per process, reused, so parallel fuzz jobs do not
// share it) before it is read.
#ifndef PODIUM_DEDUP_FUZZ_FUZZ_FILE_H_
#define PODIUM_DEDUP_FUZZ_FUZZ_FILE_H_

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "podium_dedup/contact_reader.h"

namespace podium_dedup::fuzz {

// Writes `data` to this process's input file with `extension` and returns its path.
inline std::string WriteFuzzFile(const uint8_t* data, size_t size, const std::string& extension) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("podium-dedup-fuzz-" + std::to_string(::getpid()) + extension))
                               .string();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();  // the fuzzer cannot work without its file
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  return path;
}

// Reads `path` with `options`, checking the reader's own promises: every
// row is either a contact or a problem with a stable code.
inline void ReadAndCheck(const std::string& path, const ReadOptions& options) {
  ReadStats stats;
  int64_t contacts = 0;
  int64_t problems = 0;
  const Status status = ReadContactsFile(
      path, options,
      [&](Contact&& contact) {
        if (contact.uid.empty()) std::abort();  // a contact without a uid must be a problem instead
        ++contacts;
      },
      [&](const ReadProblem& problem) {
        if (problem.code.rfind("ERR_DEDUP_INPUT_", 0) != 0) std::abort();
        ++problems;
      },
      &stats);
  if (status.ok() && stats.contacts != contacts) std::abort();
  if (!status.ok() && status.code().rfind("ERR_DEDUP_", 0) != 0) std::abort();
}

}  // namespace podium_dedup::fuzz

#endif  // PODIUM_DEDUP_FUZZ_FUZZ_FILE_H_
