// Helpers for the reader tests: a temporary folder and a read of a whole file.
#ifndef PODIUM_DEDUP_TESTS_CONTACTS_READER_TEST_UTIL_H_
#define PODIUM_DEDUP_TESTS_CONTACTS_READER_TEST_UTIL_H_

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "podium_dedup/contact_reader.h"

namespace podium_dedup::testing {

// A folder under the system temp directory, unique to this process and
// object, removed with everything in it when the object goes away.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("podium-dedup-contacts-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
             std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `bytes` exactly as given to `name` in the folder and returns its path.
  std::string Write(const std::string& name, const std::string& bytes) const {
    const std::filesystem::path file = path_ / name;
    std::ofstream out(file, std::ios::binary);
    out << bytes;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

struct ReadOutcome {
  Status status;
  std::vector<Contact> contacts;
  std::vector<ReadProblem> problems;
  ReadStats stats;
};

inline ReadOutcome ReadAll(const std::string& path, const ReadOptions& options = {}) {
  ReadOutcome outcome;
  outcome.status = ReadContactsFile(
      path, options, [&](Contact&& contact) { outcome.contacts.push_back(std::move(contact)); },
      [&](const ReadProblem& problem) { outcome.problems.push_back(problem); }, &outcome.stats);
  return outcome;
}

}  // namespace podium_dedup::testing

#endif  // PODIUM_DEDUP_TESTS_CONTACTS_READER_TEST_UTIL_H_
