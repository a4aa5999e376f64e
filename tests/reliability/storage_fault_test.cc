// Storage faults: a full disk (a file-size limit on the child process) and a
// read-only index end with a clear ERR_DEDUP_DB_* or ERR_DEDUP_OUTPUT_*
// error, not a crash, and leave nothing that misleads the next run: once the
// fault is gone, a normal run writes the same clusters as a clean run.
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "podium/fake_server_process.h"
#include "reliability/process_runner.h"

namespace podium_dedup::reliability {
namespace {

using podium_dedup::testing::TempDir;
using Json = nlohmann::json;

class StorageFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RunResult generated = Run({"generate", "--people", "1500", "--seed", "11", "--locations", "2", "--output",
                               "tenant.jsonl", "--truth", "truth.json"});
    ASSERT_TRUE(generated.exited && generated.exit_code == 0) << generated.Describe();
    RunResult clean = FindDuplicates("clean.db", "clean.json");
    ASSERT_TRUE(clean.exited && clean.exit_code == 0) << clean.Describe();
    clean_ = Comparable("clean.json");
  }

  RunResult Run(const std::vector<std::string>& args, RunOptions options = {}) {
    options.working_dir = dir_.path();
    return RunDedup(args, options);
  }

  RunResult FindDuplicates(const std::string& db, const std::string& output, RunOptions options = {}) {
    return Run({"find-duplicates", "--input", "tenant.jsonl", "--db", db, "--output", output, "--force"}, options);
  }

  // The clusters and the index totals, without the fields that name this
  // run's paths or count only this run's import.
  Json Comparable(const std::string& output) const {
    const Json written = Json::parse(ReadText(dir_.path() / output));
    Json summary = written["summary"];
    return Json{{"clusters", written["clusters"]},
                {"index_contacts", summary["index_contacts"]},
                {"index_live_contacts", summary["index_live_contacts"]}};
  }

  static void ExpectClearStorageError(const RunResult& result) {
    ASSERT_FALSE(result.crashed()) << result.Describe();
    ASSERT_FALSE(result.hung) << result.Describe();
    EXPECT_NE(result.exit_code, 0) << result.Describe();
    const bool named = result.err.find("[ERR_DEDUP_DB_") != std::string::npos ||
                       result.err.find("[ERR_DEDUP_OUTPUT_") != std::string::npos;
    EXPECT_TRUE(named) << "expected an ERR_DEDUP_DB_* or ERR_DEDUP_OUTPUT_* error; " << result.Describe();
  }

  TempDir dir_;
  Json clean_;
};

TEST_F(StorageFaultTest, FullDiskThenCleanRerun) {
  const uintmax_t db_size = std::filesystem::file_size(dir_.path() / "clean.db");
  const uintmax_t output_size = std::filesystem::file_size(dir_.path() / "clean.json");
  // Limits from an empty file up to past the database, and some between the
  // output's and the database's sizes, so the fault hits every writer.
  // stderr is a file too, so the smallest limit leaves room for the error message.
  std::vector<rlim_t> limits = {4096, 8192, 32768, 65536};
  for (int i = 1; i <= 8; ++i) limits.push_back(static_cast<rlim_t>(db_size * i / 9));
  limits.push_back(static_cast<rlim_t>(output_size / 2));
  int faults = 0;
  for (size_t i = 0; i < limits.size(); ++i) {
    SCOPED_TRACE("file size limit " + std::to_string(limits[i]));
    const std::string db = "full-" + std::to_string(i) + ".db";
    const std::string output = "full-" + std::to_string(i) + ".json";
    RunOptions limited;
    limited.file_size_limit = limits[i];
    const RunResult faulted = FindDuplicates(db, output, limited);
    if (faulted.exit_code == 0 && faulted.exited) continue;  // the limit was large enough
    ++faults;
    ExpectClearStorageError(faulted);
    if (std::filesystem::exists(dir_.path() / db)) EXPECT_EQ(IntegrityCheck(dir_.path() / db), "ok");
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / output)) << "a partial output file was left";

    const RunResult retried = FindDuplicates(db, output);
    ASSERT_TRUE(retried.exited && retried.exit_code == 0) << retried.Describe();
    EXPECT_EQ(Comparable(output), clean_) << "the run after the fault differs from a clean run";
  }
  EXPECT_GE(faults, 5) << "too few limits were small enough to fault";
  std::printf("full disk: %zu limits tried, %d faulted cleanly and recovered\n", limits.size(), faults);
}

TEST_F(StorageFaultTest, FullDiskLeavesNoPartialOutput) {
  // The index exists already, so this run writes little to it and much to the output.
  std::filesystem::copy_file(dir_.path() / "clean.db", dir_.path() / "warm.db");
  RunOptions limited;
  limited.file_size_limit = std::filesystem::file_size(dir_.path() / "clean.json") / 3;
  const RunResult faulted =
      Run({"find-duplicates", "--db", "warm.db", "--output", "warm.json", "--force"}, limited);
  ExpectClearStorageError(faulted);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "warm.json"));
  const RunResult retried = Run({"find-duplicates", "--db", "warm.db", "--output", "warm.json"});
  ASSERT_TRUE(retried.exited && retried.exit_code == 0) << retried.Describe();
  EXPECT_EQ(Comparable("warm.json"), clean_);
}

// Makes `path` read-only for the child: as root, by running the child as
// nobody (file modes do not bind root).
RunOptions ReadOnlyFor(const std::vector<std::filesystem::path>& owned_by_child) {
  RunOptions options;
  if (::geteuid() == 0) {
    options.run_as = kNobody;
    for (const auto& path : owned_by_child) {
      if (::chown(path.c_str(), kNobody, kNobody) != 0) ADD_FAILURE() << "chown " << path;
    }
  }
  return options;
}

TEST_F(StorageFaultTest, ReadOnlyIndexFileRejected) {
  const auto db = dir_.path() / "ro.db";
  std::filesystem::copy_file(dir_.path() / "clean.db", db);
  const std::string before = QueryDb(db, "SELECT count(*) FROM contacts");
  std::filesystem::permissions(dir_.path(), std::filesystem::perms::all);  // the child may write its output here
  RunOptions options = ReadOnlyFor({db});
  std::filesystem::permissions(db, std::filesystem::perms::owner_read);

  const RunResult faulted = FindDuplicates("ro.db", "ro.json", options);
  ExpectClearStorageError(faulted);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "ro.json"));

  std::filesystem::permissions(db, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(IntegrityCheck(db), "ok");
  EXPECT_EQ(QueryDb(db, "SELECT count(*) FROM contacts"), before);
  const RunResult retried = FindDuplicates("ro.db", "ro.json", options);
  ASSERT_TRUE(retried.exited && retried.exit_code == 0) << retried.Describe();
  EXPECT_EQ(Comparable("ro.json"), clean_);
}

TEST_F(StorageFaultTest, ReadOnlyIndexFolderRejected) {
  const auto folder = dir_.path() / "ro-folder";
  std::filesystem::create_directories(folder);
  std::filesystem::copy_file(dir_.path() / "clean.db", folder / "index.db");
  std::filesystem::permissions(dir_.path(), std::filesystem::perms::all);
  RunOptions options = ReadOnlyFor({folder, folder / "index.db"});
  // The file is writable but its folder is not, so no journal can be created.
  std::filesystem::permissions(folder, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);

  const RunResult faulted = FindDuplicates("ro-folder/index.db", "rof.json", options);
  ExpectClearStorageError(faulted);
  const RunResult new_db = FindDuplicates("ro-folder/new.db", "rof-new.json", options);
  ExpectClearStorageError(new_db);

  std::filesystem::permissions(folder, std::filesystem::perms::owner_all);
  EXPECT_EQ(IntegrityCheck(folder / "index.db"), "ok");
  const RunResult retried = FindDuplicates("ro-folder/index.db", "rof.json", options);
  ASSERT_TRUE(retried.exited && retried.exit_code == 0) << retried.Describe();
  EXPECT_EQ(Comparable("rof.json"), clean_);
}

TEST_F(StorageFaultTest, MissingOutputFolderRejected) {
  const RunResult result = FindDuplicates("out.db", "no-such-folder/clusters.json");
  ExpectClearStorageError(result);
  EXPECT_EQ(result.exit_code, 3) << result.Describe();
}

}  // namespace
}  // namespace podium_dedup::reliability
