// API import under faults: `find-duplicates --api-url URL --all-locations`
// against the fake server while it fails list requests (5xx, responses
// cut off after their headers, lost replies, 429 with Retry-After, slow
// responses, an expired cursor). A file import of the same tenant is the oracle: the index and
// the clusters must end exactly as that import leaves them, whether the
// first run completes or stops with an error that a rerun recovers from.
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "reliability/tenant_fixture.h"

namespace podium_dedup::reliability {
namespace {

class ApiImportFaultTest : public TenantTest {};

TEST_F(ApiImportFaultTest, ListingStormMatchesFileImport) {
  ASSERT_NO_FATAL_FAILURE(GenerateTenant(2000, 81));
  // 100 contacts a page, so the walk is about 30 list requests, each of
  // which meets every fault at once.
  ASSERT_NO_FATAL_FAILURE(StartServer(81, {"--error-rate", "0.3", "--reset-rate", "0.1", "--lost-reply-rate", "0.1",
                                           "--latency-ms", "20", "--invalid-cursor-on-page", "3"}));
  ASSERT_NO_FATAL_FAILURE(ImportFile("file.db", "file-clusters.json"));
  // The server allows 4 requests per 1 s window, while the client's own
  // limiter allows 1,000,000 a minute (settings.yaml).
  ASSERT_EQ(server_.Admin("POST", "/admin/faults", Json{{"rateLimit", 4}, {"rateWindowSeconds", 1}}).status, 200);

  std::vector<std::string> errors;
  const int runs = ImportFromApiUntilDone("index.db", "clusters.json", 10, &errors);
  const Json counters = server_.Counters();
  std::printf("listing storm: %d runs (stopped by: %s), %lld requests, %lld list requests, %lld injected 5xx, "
              "%lld resets, %lld lost replies, %lld answered 429, %lld invalid cursors\n",
              runs, errors.empty() ? "none" : errors.front().c_str(),
              static_cast<long long>(counters.value("apiRequests", 0)),
              static_cast<long long>(counters.value("listRequests", 0)),
              static_cast<long long>(counters.value("injectedErrors", 0)),
              static_cast<long long>(counters.value("resets", 0)),
              static_cast<long long>(counters.value("lostReplies", 0)),
              static_cast<long long>(counters.value("rateLimited", 0)),
              static_cast<long long>(counters.value("invalidCursors", 0)));
  EXPECT_GT(counters.value("injectedErrors", 0), 0);
  EXPECT_GT(counters.value("resets", 0), 0);
  EXPECT_GT(counters.value("lostReplies", 0), 0);
  EXPECT_GT(counters.value("rateLimited", 0), 0);
  EXPECT_EQ(counters.value("invalidCursors", 0), 1);

  ExpectSameIndex("index.db", "file.db");
  ExpectSameClusters("clusters.json", "file-clusters.json");
  EXPECT_EQ(RowCount(dir_.path() / "index.db", "sync_state"), 1);
  EXPECT_EQ(IntegrityCheck(dir_.path() / "index.db"), "ok");
}

TEST_F(ApiImportFaultTest, StoppedListingRerunMatchesFileImport) {
  ASSERT_NO_FATAL_FAILURE(GenerateTenant(900, 83));
  // 70% of requests fail, so some request fails all 4 of its attempts and
  // the first run stops. The fault seed makes that happen the same way in
  // every run of the test.
  ASSERT_NO_FATAL_FAILURE(StartServer(83, {"--error-rate", "0.7"}));
  ASSERT_NO_FATAL_FAILURE(ImportFile("file.db", "file-clusters.json"));

  const RunResult stopped = ImportFromApi("index.db", "clusters.json");
  ASSERT_FALSE(stopped.crashed()) << stopped.Describe();
  ASSERT_TRUE(stopped.exited) << stopped.Describe();
  EXPECT_NE(stopped.exit_code, 0);
  EXPECT_NE(stopped.err.find("[ERR_DEDUP_API_SERVER_ERROR]"), std::string::npos) << stopped.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "clusters.json"));
  // No high-water mark: the next run lists every contact again.
  EXPECT_EQ(RowCount(dir_.path() / "index.db", "sync_state"), 0);
  EXPECT_EQ(IntegrityCheck(dir_.path() / "index.db"), "ok");

  ASSERT_EQ(server_.Admin("POST", "/admin/faults", Json{{"errorRate", 0.3}}).status, 200);
  const int reruns = ImportFromApiUntilDone("index.db", "clusters.json", 10);
  const Json counters = server_.Counters();
  std::printf("stopped listing: first run exit %d, %d reruns to finish, %lld requests, %lld injected 5xx\n",
              stopped.exit_code, reruns, static_cast<long long>(counters.value("apiRequests", 0)),
              static_cast<long long>(counters.value("injectedErrors", 0)));
  ExpectSameIndex("index.db", "file.db");
  ExpectSameClusters("clusters.json", "file-clusters.json");
  EXPECT_EQ(RowCount(dir_.path() / "index.db", "sync_state"), 1);
}

TEST_F(ApiImportFaultTest, CursorsExpiredByOtherWalksRecover) {
  ASSERT_NO_FATAL_FAILURE(GenerateTenant(900, 85));
  // A cursor expires once more than one newer cursor was issued, and three
  // other walks list one contact at a time during the import, so the
  // import's cursors keep expiring as a busy tenant's do. The import either
  // finishes within its 5 restarts or stops with invalid_cursor.
  ASSERT_NO_FATAL_FAILURE(StartServer(85, {"--cursor-max-age", "1", "--latency-ms", "10"}));
  ASSERT_NO_FATAL_FAILURE(ImportFile("file.db", "file-clusters.json"));
  ASSERT_EQ(server_.Counters().value("invalidCursors", -1), 0);  // also sets libcurl up before the threads

  std::atomic<bool> walking{true};
  std::vector<std::thread> walkers;
  for (int i = 0; i < 3; ++i) {
    walkers.emplace_back([&] {
      while (walking) testing::SendRequest("GET", server_.base_url() + "/contacts?limit=1", token_);
    });
  }
  const RunResult first = ImportFromApi("index.db", "clusters.json");
  walking = false;
  for (std::thread& walker : walkers) walker.join();

  ASSERT_FALSE(first.crashed()) << first.Describe();
  ASSERT_FALSE(first.hung) << first.Describe();
  const int64_t expired = server_.Counters().value("invalidCursors", 0);
  EXPECT_GT(expired, 0) << "no cursor of the import expired, so the test checked nothing";
  const bool finished = first.exited && first.exit_code == 0;
  if (!finished) {
    EXPECT_NE(first.err.find("[ERR_DEDUP_API_INVALID_CURSOR]"), std::string::npos) << first.Describe();
    EXPECT_EQ(RowCount(dir_.path() / "index.db", "sync_state"), 0) << "a stopped walk stored a high-water mark";
    const RunResult rerun = ImportFromApi("index.db", "clusters.json");
    ASSERT_TRUE(rerun.exited) << rerun.Describe();
    ASSERT_EQ(rerun.exit_code, 0) << rerun.Describe();
  }
  std::printf("cursors expired by other walks: %lld invalid cursors, first run %s\n", static_cast<long long>(expired),
              finished ? "finished" : "stopped with ERR_DEDUP_API_INVALID_CURSOR and a rerun finished");
  ExpectSameIndex("index.db", "file.db");
  ExpectSameClusters("clusters.json", "file-clusters.json");
}

}  // namespace
}  // namespace podium_dedup::reliability
